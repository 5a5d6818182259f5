"""A curator's changes survive a re-import of the same source."""

import json
import tempfile
from io import StringIO
from pathlib import Path

from django.core.management import call_command
from django.http import QueryDict

from shelf.catalogue.models import Resource, Term
from shelf.ingest.tests.factories import item, listing
from shelf.search.browse import browse, parse
from shelf.test import BaseTestCase


def run(*args) -> str:
    out = StringIO()
    call_command("import", *map(str, args), stdout=out)
    return out.getvalue()


def slugs(resource: Resource, vocabulary: str) -> list[str]:
    return sorted(resource.terms.filter(vocabulary=vocabulary).values_list("slug", flat=True))


class CuratedTestCase(BaseTestCase):
    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory()
        self.addCleanup(self.tmp.cleanup)

    def write(self, text: str, name: str) -> Path:
        path = Path(self.tmp.name) / name
        path.write_text(text, encoding="utf-8")
        return path

    def one(self, key: str = "listing:one") -> Resource:
        return Resource.objects.get(key=key)

    def test_it_keeps_terms_a_csv_retag_changed_when_the_listing_is_imported_again(self):
        page = self.write(listing(item("Parents", "One", "Old.Read More")), "page.txt")
        run(page)
        run(self.write("key,audiences\nlisting:one,Teachers\n", "retag.csv"))
        self.assertEqual(slugs(self.one(), "audience"), ["teachers"])

        dry = run(page, "--dry-run")
        self.assertIn("kept curator's terms (audience) for listing:one", dry)
        self.assertIn("unchanged  listing:one", dry)
        run(page)
        self.assertEqual(slugs(self.one(), "audience"), ["teachers"])

        # What the source changes and no one touched still comes in.
        output = run(self.write(listing(item("Parents", "One", "New.Read More")), "page.txt"))
        self.assertIn("kept curator's terms (audience) for listing:one", output)
        self.assertEqual(
            (self.one().summary, slugs(self.one(), "audience")), ("New.", ["teachers"])
        )

    def test_it_keeps_a_summary_edited_in_the_admin(self):
        page = self.write(listing(item("Parents", "One", "Source text.Read More")), "page.txt")
        run(page)
        Resource.objects.filter(key="listing:one").update(summary="A curator's summary.")
        output = run(self.write(listing(item("Parents", "One", "Newer.Read More")), "page.txt"))
        self.assertIn("kept curator's summary for listing:one", output)
        self.assertEqual(self.one().summary, "A curator's summary.")

    def test_it_overwrites_curated_work_when_told_to(self):
        page = self.write(listing(item("Parents", "One", "Source.Read More")), "page.txt")
        run(page)
        run(self.write("key,audiences,summary\nlisting:one,Teachers,Mine.\n", "retag.csv"))
        output = run(page, "--overwrite-curated")
        self.assertNotIn("kept", output)
        self.assertEqual(
            (self.one().summary, slugs(self.one(), "audience")), ("Source.", ["parents"])
        )
        # And the next plain import sees nothing curated any more.
        self.assertIn("1 unchanged", run(page))

    def test_it_updates_what_no_curator_changed(self):
        run(self.write(listing(item("Parents", "One", "A.Read More")), "page.txt"))
        output = run(self.write(listing(item("Teachers", "One", "B.Read More")), "page.txt"))
        self.assertNotIn("kept", output)
        self.assertEqual((self.one().summary, slugs(self.one(), "audience")), ("B.", ["teachers"]))

    def test_it_keeps_curated_fields_on_a_csv_reimport(self):
        sheet = self.write("key,title,summary,audiences\nt:1,One,Sheet.,Parents\n", "a.csv")
        run(sheet)
        one = self.one("t:1")
        one.summary = "Edited."
        one.save()
        one.terms.remove(Term.objects.get(vocabulary="audience", slug="parents"))
        output = run(sheet)
        self.assertIn("kept curator's summary, terms (audience) for t:1", output)
        self.assertEqual(
            (self.one("t:1").summary, slugs(self.one("t:1"), "audience")), ("Edited.", [])
        )

    def test_it_keeps_curated_fields_on_a_json_reimport(self):
        data = [
            {"key": "t:1", "title": "One", "summary": "File.", "terms": {"audience": ["Parents"]}}
        ]
        path = self.write(json.dumps(data), "a.json")
        run(path)
        Resource.objects.filter(key="t:1").update(title="Curated title")
        self.one("t:1").terms.add(Term.objects.get(vocabulary="audience", slug="teachers"))
        data[0]["summary"] = "File, newer."
        output = run(self.write(json.dumps(data), "a.json"))
        self.assertIn("kept curator's title, terms (audience) for t:1", output)
        one = self.one("t:1")
        self.assertEqual((one.title, one.summary), ("Curated title", "File, newer."))
        self.assertEqual(slugs(one, "audience"), ["parents", "teachers"])

    def test_it_tells_sources_apart_by_name(self):
        run(self.write("key,title,summary\nt:1,One,From A.\n", "a.csv"), "--source", "sheet-a")
        run(self.write("key,summary\nt:1,From B.\n", "b.csv"), "--source", "sheet-b")
        # To sheet A, B's summary is someone else's change.
        output = run(self.write("key,summary\nt:1,A again.\n", "a.csv"), "--source", "sheet-a")
        self.assertIn("kept curator's summary for t:1", output)
        self.assertEqual(self.one("t:1").summary, "From B.")


class PartialSheetTestCase(BaseTestCase):
    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory()
        self.addCleanup(self.tmp.cleanup)

    def write(self, text: str, name: str) -> Path:
        path = Path(self.tmp.name) / name
        path.write_text(text, encoding="utf-8")
        return path

    def setUpFull(self):
        run(
            self.write(
                "key,title,summary,date,status,visibility,audiences,settings\n"
                "t:1,One,Text.,2020-03,draft,members,Parents,Schools\n",
                "full.csv",
            )
        )

    def test_it_retags_with_a_key_and_audiences_sheet(self):
        self.setUpFull()
        output = run(self.write("key,audiences\nt:1,Teachers; Parents\n", "retag.csv"))
        self.assertIn("0 created, 1 updated, 0 unchanged", output)
        one = Resource.objects.get()
        self.assertEqual(
            (one.title, one.summary, one.status, one.visibility),
            ("One", "Text.", "draft", "members"),
        )
        self.assertEqual(slugs(one, "audience"), ["parents", "teachers"])
        self.assertEqual(slugs(one, "setting"), ["schools"])

    def test_it_updates_only_the_fields_of_a_partial_json_file(self):
        self.setUpFull()
        run(self.write('[{"key": "t:1", "review_by": "2027-01-31"}]', "part.json"))
        one = Resource.objects.get()
        self.assertEqual((one.title, one.summary, one.status), ("One", "Text.", "draft"))
        self.assertEqual(one.review_by.isoformat(), "2027-01-31")

    def test_it_refuses_a_partial_row_for_an_item_not_in_the_catalogue(self):
        with self.assertRaisesMessage(
            Exception, "'t:9' is not in the catalogue; a new item needs a title"
        ):
            run(self.write("key,audiences\nt:9,Teachers\n", "retag.csv"))

    def test_it_keeps_translation_links_whatever_the_order_of_rows(self):
        text = (
            "key,title,language,translations\n"
            "t:en,Guide,en,t:fr; t:es\n"
            "t:fr,Guide,fr,\n"
            "t:es,Guide,es,\n"
        )
        run(self.write(text, "guides.csv"))
        english = Resource.objects.get(key="t:en")
        self.assertEqual(
            sorted(english.translations.values_list("key", flat=True)), ["t:es", "t:fr"]
        )
        french = Resource.objects.get(key="t:fr")
        self.assertEqual(list(french.translations.values_list("key", flat=True)), ["t:en"])
        # The same rows in the other order give the same links.
        Resource.objects.all().delete()
        lines = text.splitlines()
        run(self.write("\n".join([lines[0], *reversed(lines[1:])]) + "\n", "guides.csv"))
        english = Resource.objects.get(key="t:en")
        self.assertEqual(
            sorted(english.translations.values_list("key", flat=True)), ["t:es", "t:fr"]
        )


class PublisherOrderTestCase(BaseTestCase):
    def test_it_keeps_the_publishers_order_through_model_and_export(self):
        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / "page.txt"
            path.write_text(listing(item(summary="(INTERPOL, ICMEC, HCCH) Text.Read More")))
            run(path)
            one = Resource.objects.get()
            self.assertEqual([t.slug for t in one.publishers], ["interpol", "icmec", "hcch"])
            detail = Resource.objects.with_terms().get()
            self.assertEqual(
                [t.slug for t in detail.terms_by_vocabulary()["publisher"]],
                ["interpol", "icmec", "hcch"],
            )
            (found,) = browse(parse(QueryDict("")), None).resources
            with self.assertNumQueries(0):
                self.assertEqual([t.slug for t in found.publishers], ["interpol", "icmec", "hcch"])
            out = StringIO()
            call_command("export", "--format", "json", stdout=out)
            exported = json.loads(out.getvalue())["resources"][0]["terms"]["publisher"]
            self.assertEqual([t["slug"] for t in exported], ["interpol", "icmec", "hcch"])
            # A new order from the source is an update, and comes back out so.
            path.write_text(listing(item(summary="(HCCH, ICMEC, INTERPOL) Text.Read More")))
            self.assertIn("1 updated", run(path))
            self.assertEqual(
                [t.slug for t in Resource.objects.get().publishers], ["hcch", "icmec", "interpol"]
            )
            # And the JSON export imports to the same order.
            data = out.getvalue()
            Resource.objects.all().delete()
            (Path(tmp) / "back.json").write_text(data)
            run(Path(tmp) / "back.json")
            self.assertEqual(
                [t.slug for t in Resource.objects.get().publishers], ["interpol", "icmec", "hcch"]
            )
