import gc
import tempfile
from io import StringIO
from pathlib import Path
from unittest import mock

from django.core.management import CommandError, call_command
from django.db import DatabaseError
from django.http import QueryDict

from shelf.catalogue.models import Resource, Term
from shelf.curation.models import AuditEvent
from shelf.ingest.records import IngestError, TermRef
from shelf.ingest.services import import_records
from shelf.ingest.signals import bulk_imported
from shelf.ingest.tests.factories import item, listing, record
from shelf.search.browse import browse, parse
from shelf.test import BaseTestCase

SAMPLE = Path(__file__).resolve().parents[1] / "data" / "listing-sample.txt"


def run(*args) -> str:
    out = StringIO()
    call_command("import", *map(str, args), stdout=out)
    return out.getvalue()


class SampleTestCase(BaseTestCase):
    """The users' real listing: the counts they know must come out."""

    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.output = run(SAMPLE)

    def browse(self, query_string: str = ""):
        results = browse(parse(QueryDict(query_string)), None)
        facets = {f.name: {v.value: v.count for v in f.values} for f in results.facets}
        return results.count, facets

    def test_it_imports_seven_resources(self):
        self.assertEqual(Resource.objects.count(), 7)
        self.assertIn("7 created, 0 updated, 0 unchanged", self.output)

    def test_it_counts_parents_and_teachers(self):
        count, facets = self.browse()
        self.assertEqual(count, 7)
        self.assertEqual(facets["audience"]["parents"], 3)
        self.assertEqual(facets["audience"]["teachers"], 3)

    def test_it_has_one_covid_term_counted_once(self):
        covid = Term.objects.filter(vocabulary="topic", label__icontains="covid")
        self.assertEqual([t.slug for t in covid], ["covid-19"])
        _, facets = self.browse()
        self.assertEqual(facets["topic"]["covid-19"], 1)

    def test_it_combines_values_of_one_facet_with_or(self):
        self.assertEqual(self.browse("audience=parents")[0], 3)
        # Parents {1, 3, 4} or teachers {1, 4, 7}: four items.
        self.assertEqual(self.browse("audience=parents&audience=teachers")[0], 4)

    def test_it_combines_facets_with_and(self):
        self.assertEqual(self.browse("audience=parents&setting=virtual-school")[0], 1)

    def test_it_keeps_other_audiences_counted_while_parents_is_chosen(self):
        _, facets = self.browse("audience=parents")
        self.assertEqual(facets["audience"]["teachers"], 3)
        self.assertEqual(facets["audience"]["mandatory-reporters"], 2)
        self.assertEqual(facets["setting"]["virtual-school"], 1)

    def test_it_reads_types_publishers_and_languages(self):
        _, facets = self.browse()
        self.assertEqual(
            facets["type"],
            {"infographic": 1, "survey": 1, "toolkit": 1, "report": 1, "training-plan": 1},
        )
        # Every item is in "ICMEC Publications", whose publisher is ICMEC
        # (taxonomy.toml): the three without a "(ICMEC)" prefix are ICMEC's too.
        self.assertEqual(facets["publisher"], {"icmec": 7, "hcch": 1})
        self.assertEqual(facets["language"], {"en": 6, "zh-hans": 2})
        chinese = Resource.objects.get(key="listing:resources-in-simplified-chinese_zh-cn")
        self.assertEqual(
            (chinese.title, chinese.language), ("Resources in Simplified Chinese", "zh-Hans")
        )

    def test_it_removes_publishers_and_read_more_from_summaries(self):
        r = Resource.objects.get(
            slug="mandatory-reporter-infographic-for-youth-serving-professionals"
        )
        self.assertTrue(r.summary.startswith("Your Role as a Mandatory Reporter"))
        self.assertTrue(r.summary.endswith("these additional resources."))
        self.assertNotIn("\u00a0", r.summary)

    def test_it_changes_nothing_on_a_second_import(self):
        before = list(Resource.objects.order_by("key").values_list("key", "slug", "updated"))
        output = run(SAMPLE)
        self.assertIn("0 created, 0 updated, 7 unchanged", output)
        after = list(Resource.objects.order_by("key").values_list("key", "slug", "updated"))
        self.assertEqual(after, before)

    def test_it_keeps_an_editors_visibility_on_reimport(self):
        Resource.objects.filter(slug="safer-virtual-school").update(visibility="members")
        self.assertIn("7 unchanged", run(SAMPLE))
        self.assertEqual(Resource.objects.get(slug="safer-virtual-school").visibility, "members")


class ImportTestCase(BaseTestCase):
    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory()
        self.addCleanup(self.tmp.cleanup)

    def write(self, text: str | bytes, name: str = "sample.txt") -> Path:
        path = Path(self.tmp.name) / name
        path.write_bytes(text if isinstance(text, bytes) else text.encode())
        return path

    def assertRefused(self, path: Path, message: str, *args) -> None:
        with self.assertRaises(CommandError) as cm:
            run(path, *args)
        self.assertIn(message, str(cm.exception))
        self.assertTrue(str(cm.exception).startswith(str(path)), cm.exception)
        self.assertEqual(Resource.objects.count(), 0)

    def test_it_prints_what_a_dry_run_would_do_and_writes_nothing(self):
        path = self.write(
            listing(item(tags="Parents, Sports Coaching", title="One"), item(title="Two"))
        )
        terms = Term.objects.count()
        output = run(path, "--dry-run")
        self.assertIn("would create 2, update 0, leave 0 unchanged", output)
        self.assertIn("create     listing:one  One", output)
        self.assertIn("Sports Coaching (1)", output)
        self.assertEqual(Resource.objects.count(), 0)
        self.assertEqual(Term.objects.count(), terms)

    def test_it_names_changed_fields_in_a_dry_run(self):
        run(self.write(listing(item(title="One", summary="Old text."), item(title="Two"))))
        path = self.write(
            listing(item(tags="Teachers", title="One", summary="New text."), item(title="Two"))
        )
        output = run(path, "--dry-run")
        self.assertIn("would create 0, update 1, leave 1 unchanged", output)
        self.assertIn("update     listing:one  (summary, terms)", output)
        self.assertIn("unchanged  listing:two", output)
        self.assertEqual(Resource.objects.get(key="listing:one").summary, "Old text.")

    def test_it_updates_changed_items(self):
        run(self.write(listing(item(title="One", summary="Old text."))))
        output = run(self.write(listing(item(tags="Teachers", title="One", summary="New text."))))
        self.assertIn("0 created, 1 updated, 0 unchanged", output)
        one = Resource.objects.get(key="listing:one")
        self.assertEqual(one.summary, "New text.")
        self.assertEqual(sorted(t.slug for t in one.terms.all()), ["en", "teachers"])

    def test_it_records_a_revision_with_terms_for_each_write(self):
        run(self.write(listing(item(tags="Parents, Teachers", title="One"))))
        one = Resource.objects.get()
        (created,) = one.history.all()
        self.assertEqual(
            (created.history_type, created.history_change_reason), ("+", "import sample.txt")
        )
        self.assertEqual(
            sorted(created.terms.values_list("term__slug", flat=True)),
            ["en", "parents", "teachers"],
        )
        run(self.write(listing(item(tags="Parents, Teachers", title="One"))))
        self.assertEqual(one.history.count(), 1)
        run(self.write(listing(item(tags="Parents", title="One", summary="New."))))
        changed = one.history.order_by("-history_id").first()
        self.assertEqual((changed.history_type, changed.summary), ("~", "New."))
        self.assertEqual(
            sorted(changed.terms.values_list("term__slug", flat=True)), ["en", "parents"]
        )

    def test_it_records_revisions_as_a_save_would(self):
        run(self.write(listing(item(tags="Parents, Teachers", title="One", summary="Old."))))
        one = Resource.objects.get()
        run(self.write(listing(item(tags="Parents", title="One", summary="New."))))
        one.refresh_from_db()
        imported = one.history.order_by("-history_id").first()
        self.assertEqual(imported.history_date, one.updated)
        one.save()  # simple-history's own revision of the same state
        saved = one.history.order_by("-history_id").first()
        fields = [f.attname for f in Resource.history.model.tracked_fields]
        self.assertEqual(
            [getattr(imported, f) for f in fields], [getattr(saved, f) for f in fields]
        )
        self.assertEqual(
            sorted(imported.terms.values_list("id", "term_id")),
            sorted(saved.terms.values_list("id", "term_id")),
        )
        self.assertEqual(imported.history_user_id, None)

    def test_it_shows_progress_on_a_terminal_only(self):
        class Terminal(StringIO):
            def isatty(self):
                return True

        path = self.write(listing(item(title="One"), item(title="Two")))
        terminal, log = Terminal(), StringIO()
        call_command("import", str(path), stdout=StringIO(), stderr=terminal)
        self.assertEqual(terminal.getvalue(), f"\r{path}: 2/2 records\n")
        call_command("import", str(path), stdout=StringIO(), stderr=log)
        self.assertEqual(log.getvalue(), "")

    def test_it_turns_the_garbage_collector_back_on_after_a_file(self):
        good, bad = self.write(listing(item(title="One")), "good.txt"), self.write("", "bad.txt")
        run(good)
        self.assertTrue(gc.isenabled())
        with self.assertRaises(CommandError):
            run(bad)
        self.assertTrue(gc.isenabled())

    def test_it_records_each_import_in_the_audit_log(self):
        run(self.write(listing(item(title="One"), item(title="Two"))))
        run(self.write(listing(item(title="One"))), "--dry-run")
        (event,) = AuditEvent.objects.filter(action="import")
        self.assertEqual(
            event.details, {"file": "sample.txt", "created": 2, "updated": 0, "unchanged": 0}
        )

    def test_it_imports_an_item_once_when_a_file_repeats_it(self):
        path = self.write(listing(item(title="One"), item(title="Two"), item(title="One")))
        output = run(path)
        self.assertIn("2 created", output)
        self.assertIn(f"{path}:15: skipped, the same item as line 1 (listing:one)", output)
        self.assertEqual(Resource.objects.count(), 2)

    def test_it_makes_slugs_unique(self):
        Resource.objects.create(key="other:1", slug="guide", title="Guide")
        run(self.write(listing(item(title="Guide_fr"), item(title="Guide_es"))))
        slugs = dict(Resource.objects.values_list("key", "slug"))
        self.assertEqual(slugs["listing:guide_fr"], "guide-2")
        self.assertEqual(slugs["listing:guide_es"], "guide-3")

    def test_it_creates_missing_language_terms(self):
        run(self.write(listing(item(title="Guia de proteção_pt"))))
        r = Resource.objects.get()
        self.assertEqual(r.language, "pt")
        term = r.terms.get(vocabulary="language")
        self.assertEqual((term.slug, term.label), ("pt", "Português"))

    def test_it_creates_topics_for_unknown_tags_and_reports_them(self):
        output = run(self.write(listing(item(tags="Sports Coaching, Parents"))))
        self.assertIn(
            "tags not in the taxonomy, imported as topics (1): Sports Coaching (1)", output
        )
        term = Term.objects.get(vocabulary="topic", slug="sports-coaching")
        self.assertEqual(term.label, "Sports Coaching")

    def test_it_creates_publishers_missing_from_the_taxonomy(self):
        output = run(self.write(listing(item(summary="(ICMEC, UNICEF, Save the Children) Text."))))
        self.assertIn(
            "created new terms (2): publisher:UNICEF, publisher:Save the Children", output
        )
        publishers = Resource.objects.get().terms.filter(vocabulary="publisher")
        self.assertEqual(
            sorted(publishers.values_list("slug", "label")),
            [("icmec", "ICMEC"), ("save-the-children", "Save the Children"), ("unicef", "UNICEF")],
        )

    def test_it_reads_the_sample_saved_with_a_bom_and_crlf(self):
        text = SAMPLE.read_text(encoding="utf-8").replace("\n", "\r\n")
        run(self.write("\ufeff" + text))
        self.assertEqual(Resource.objects.count(), 7)
        self.assertEqual(Resource.objects.filter(terms__slug="parents").count(), 3)
        self.assertFalse(Resource.objects.filter(title__contains="\r").exists())

    def test_it_refuses_an_empty_file(self):
        self.assertRefused(self.write(""), "the file is empty")

    def test_it_refuses_a_binary_file(self):
        self.assertRefused(self.write(b"\x89PNG\r\n\x1a\n\x00\x00\x00"), "binary file")

    def test_it_refuses_text_that_is_not_utf8(self):
        self.assertRefused(self.write("Parents\n\nCaf\xe9\n".encode("latin-1")), "not UTF-8")

    def test_it_refuses_csv_given_as_a_listing(self):
        self.assertRefused(self.write("key,title\na,One\nb,Two\n"), "looks like CSV")

    def test_it_names_the_file_and_line_of_a_truncated_item(self):
        path = self.write(item(title="One") + "Parents\n\nTwo\n")
        self.assertRefused(path, f"{path}:10: the file ends in the middle of an item")

    def test_it_refuses_a_missing_file(self):
        with self.assertRaisesMessage(CommandError, "No such file"):
            run(Path(self.tmp.name) / "missing.txt")

    def test_it_writes_nothing_of_a_file_when_a_write_fails(self):
        path = self.write(listing(item(tags="Sports Coaching", title="One"), item(title="Two")))
        terms = Term.objects.count()
        # The term links are written after the resources and new terms.
        failure = mock.patch("shelf.lib.bulk.insert", side_effect=DatabaseError("disk full"))
        with failure, self.assertRaises(DatabaseError):
            run(path)
        self.assertEqual(Resource.objects.count(), 0)
        self.assertEqual(Term.objects.count(), terms)

    def test_it_imports_each_file_in_its_own_transaction(self):
        good = self.write(listing(item(title="One")), "good.txt")
        bad = self.write("", "bad.txt")
        with self.assertRaisesMessage(CommandError, "bad.txt: the file is empty"):
            run(good, bad)
        self.assertEqual(list(Resource.objects.values_list("key", flat=True)), ["listing:one"])

    def test_it_announces_written_resources_after_commit(self):
        received = []

        def receiver(sender, resource_ids, **kwargs):
            received.extend(resource_ids)

        bulk_imported.connect(receiver)
        self.addCleanup(bulk_imported.disconnect, receiver)
        with self.captureOnCommitCallbacks(execute=True):
            run(self.write(listing(item(title="One"), item(title="Two"))))
        self.assertEqual(sorted(received), sorted(Resource.objects.values_list("id", flat=True)))
        received.clear()
        with self.captureOnCommitCallbacks(execute=True):
            run(self.write(listing(item(title="One"), item(title="Two"))))
        self.assertEqual(received, [])


class ImportRecordsTestCase(BaseTestCase):
    def test_it_validates_every_record_before_writing(self):
        records = [
            record("test:1", "One"),
            record("test:2", "Two", line=5, status="gone"),
            record("test:3", "Three", line=9, language="not a language"),
        ]
        with self.assertRaises(IngestError) as cm:
            import_records(records=records, source="x.csv")
        self.assertEqual(
            str(cm.exception).splitlines()[0],
            "x.csv:5: status 'gone' is not one of draft, review, published, archived",
        )
        self.assertIn("x.csv:9: 'not a language' is not a BCP 47", str(cm.exception))
        self.assertEqual(Resource.objects.count(), 0)

    def test_it_refuses_a_slug_used_by_another_resource(self):
        Resource.objects.create(key="other:1", slug="taken", title="Taken")
        with self.assertRaisesMessage(
            IngestError, "x.json: record 2: the slug 'taken' is already used by other:1"
        ):
            import_records(
                records=[record("test:1", line=2, unit="record", slug="taken")], source="x.json"
            )

    def test_it_finds_terms_by_label_or_alias(self):
        refs = [
            TermRef("audience", "", "educators"),
            TermRef("setting", "", "International Schools"),
        ]
        import_records(records=[record(terms=refs)], source="x.csv")
        self.assertEqual(
            sorted(Resource.objects.get().terms.values_list("slug", flat=True)),
            ["international-schools", "teachers"],
        )

    def test_it_only_replaces_terms_of_the_vocabularies_a_record_gives(self):
        import_records(
            records=[
                record(
                    terms=[
                        TermRef("audience", "parents", "Parents"),
                        TermRef("setting", "schools", "Schools"),
                    ]
                )
            ],
            source="a",
        )
        retag = record(
            fields=("terms",),
            terms=[TermRef("audience", "teachers", "Teachers")],
            vocabularies=("audience",),
        )
        report = import_records(records=[retag], source="b")
        self.assertEqual(report.updated, [("test:one", ["terms"])])
        self.assertEqual(
            sorted(Resource.objects.get().terms.values_list("slug", flat=True)),
            ["schools", "teachers"],
        )
