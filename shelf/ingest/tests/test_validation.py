"""Strict, uniform validation of imports: nothing empty widens access,
types are checked, every error of a file is reported and nothing written."""

import json
import tempfile
from io import StringIO
from pathlib import Path

from django.core.management import CommandError, call_command
from django.test import override_settings

from shelf.catalogue.models import Resource, Term
from shelf.ingest.tests.factories import item, listing
from shelf.test import BaseTestCase


def run(*args) -> str:
    out = StringIO()
    call_command("import", *map(str, args), stdout=out)
    return out.getvalue()


class ValidationTestCase(BaseTestCase):
    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory()
        self.addCleanup(self.tmp.cleanup)

    def write(self, data: str | bytes, name: str) -> Path:
        path = Path(self.tmp.name) / name
        path.write_bytes(data if isinstance(data, bytes) else data.encode())
        return path

    def refused(self, data: str | bytes, name: str) -> str:
        path = self.write(data, name)
        before = list(Resource.objects.values_list("key", "title", "status", "visibility"))
        with self.assertRaises(CommandError) as cm:
            run(path)
        after = list(Resource.objects.values_list("key", "title", "status", "visibility"))
        self.assertEqual(after, before)
        return str(cm.exception).replace(str(path), "FILE")

    def draft(self) -> None:
        Resource.objects.create(
            key="t:draft", slug="secret", title="Secret draft", status="draft", visibility="members"
        )

    def assertStillSecret(self) -> None:
        draft = Resource.objects.get(key="t:draft")
        self.assertEqual((draft.status, draft.visibility), ("draft", "members"))

    # Point 1: a blank cell never publishes.

    def test_it_leaves_status_and_visibility_alone_for_blank_csv_cells(self):
        self.draft()
        run(self.write("key,title,status,visibility\nt:draft,Secret draft,,\n", "x.csv"))
        self.assertStillSecret()

    def test_it_leaves_status_and_visibility_alone_for_empty_or_null_json(self):
        self.draft()
        for value in ('""', "null"):
            with self.subTest(value=value):
                text = f'[{{"key": "t:draft", "status": {value}, "visibility": {value}}}]'
                run(self.write(text, "x.json"))
                self.assertStillSecret()

    def test_it_refuses_a_blank_status_for_a_new_item(self):
        message = self.refused("key,title,status,visibility\nt:new,New,,\n", "x.csv")
        self.assertIn("FILE:2:3: status is empty; a new item needs one of", message)
        self.assertIn("FILE:2:4: visibility is empty", message)
        message = self.refused('[{"key": "t:new", "title": "New", "visibility": null}]', "x.json")
        self.assertIn("record 1: visibility is empty", message)

    def test_it_checks_the_type_of_every_json_field(self):
        self.draft()
        cases = {
            '{"key": "t:draft", "review_by": 0}': "review_by must be a date string",
            '{"key": "t:draft", "status": 1}': "status must be a string, not int",
            '{"key": "t:draft", "terms": []}': "terms must be an object",
            '{"key": "t:draft", "terms": {"audience": "Parents"}}': "terms.audience must be a list",
            '{"key": "t:draft", "translations": "t:x"}': "translations must be a list of keys",
            '{"key": ["t:draft"]}': "key must be a string",
            '{"key": "t:draft", "title": false}': "title must be a string",
        }
        for text, error in cases.items():
            with self.subTest(text=text):
                self.assertIn(error, self.refused(f"[{text}]", "x.json"))

    def test_it_does_not_wipe_terms_for_empty_term_lists(self):
        run(
            self.write(
                '[{"key": "t:1", "title": "One", "terms": {"audience": ["Parents"]}}]', "a.json"
            )
        )
        for terms in ("{}", '{"audience": []}', "null"):
            with self.subTest(terms=terms):
                run(self.write(f'[{{"key": "t:1", "terms": {terms}}}]', "b.json"))
                self.assertEqual(
                    list(
                        Resource.objects.get()
                        .terms.filter(vocabulary="audience")
                        .values_list("slug", flat=True)
                    ),
                    ["parents"],
                )

    def test_it_refuses_term_slugs_that_are_not_slugs(self):
        term = {"slug": "BAD SLUG/../x", "label": "Bad"}
        text = json.dumps([{"key": "t:1", "title": "One", "terms": {"topic": [term]}}])
        self.assertIn("term slug 'BAD SLUG/../x' is not a slug", self.refused(text, "x.json"))
        self.assertFalse(Term.objects.filter(slug__contains="/").exists())

    def test_it_refuses_an_item_that_supersedes_itself(self):
        message = self.refused("key,title,supersedes\nt:1,One,t:1\n", "x.csv")
        self.assertIn("FILE:2:3: an item cannot supersede itself", message)

    def test_it_refuses_a_cycle_of_editions(self):
        run(self.write("key,title\nt:1,One\nt:2,Two\nt:3,Three\n", "a.csv"))
        run(self.write("key,supersedes\nt:2,t:1\nt:3,t:2\n", "b.csv"))
        message = self.refused("key,supersedes\nt:1,t:3\n", "c.csv")
        self.assertIn("FILE:2:2: supersedes makes a cycle of editions", message)
        self.assertIsNone(Resource.objects.get(key="t:1").supersedes)

    # Point 3: NUL characters.

    def test_it_refuses_a_json_nul_with_its_place(self):
        message = self.refused('[\n{"key": "t:1", "title": "A\\u0000B"}\n]', "x.json")
        self.assertIn("record 1: title holds a NUL character", message)

    def test_it_refuses_a_csv_nul_after_the_first_64_kib_with_its_line(self):
        rows = "".join(f"t:{i},Title {i}\n" for i in range(6000))
        message = self.refused(f"key,title\n{rows}t:x,Bad\x00title\n", "x.csv")
        self.assertIn("FILE:6002: a NUL character", message)

    def test_it_refuses_a_nul_in_a_listing_with_its_line(self):
        text = listing(item(title="One"), item(title="T\x00wo"))
        self.assertIn("FILE:10: a NUL character", self.refused(text, "x.txt"))

    # Every error, with line and column.

    def test_it_reports_every_error_of_a_csv_with_line_and_column(self):
        text = (
            "key,title,status,date,language\n"
            "t:1,One,lost,2020,en\n"
            "t:2,Two,draft,2020-13,en\n"
            "t:3,Three,draft,2020,not a language\n"
        )
        message = self.refused(text, "x.csv").splitlines()
        self.assertEqual(
            message,
            [
                "FILE:2:3: status 'lost' is not one of draft, review, published, archived",
                "FILE:3:4: date '2020-13': month must be in 1..12",
                "FILE:4:5: 'not a language' is not a BCP 47 language tag (en, fr, zh-Hans)",
            ],
        )

    def test_it_caps_the_errors_shown(self):
        rows = "".join(f"t:{i},Title,lost\n" for i in range(150))
        message = self.refused(f"key,title,status\n{rows}", "x.csv").splitlines()
        self.assertEqual(len(message), 101)
        self.assertEqual(message[-1], "... and 50 more errors")

    # Encodings and dialects.

    def test_it_reads_utf16_csv(self):
        text = "key,title,audiences\nt:1,Guide arabe دليل,Parents\n"
        for encoding in ("utf-16", "utf-16-le", "utf-16-be"):
            with self.subTest(encoding=encoding):
                run(self.write(text.encode(encoding), "x.csv"))
                self.assertEqual(Resource.objects.get().title, "Guide arabe دليل")

    def test_it_reads_utf8_with_a_bom_and_excel_semicolons(self):
        text = '\ufeffkey;title;summary;audiences\r\nt:1;Guide;Un, deux;"Parents; Teachers"\r\n'
        run(self.write(text, "x.csv"))
        one = Resource.objects.get()
        self.assertEqual((one.title, one.summary), ("Guide", "Un, deux"))
        self.assertEqual(
            sorted(one.terms.filter(vocabulary="audience").values_list("slug", flat=True)),
            ["parents", "teachers"],
        )

    def test_it_reads_the_delimiter_excel_declares(self):
        run(self.write("sep=;\nkey;title;summary\nt:1;Guide;Un, deux\n;;\n", "x.csv"))
        self.assertEqual(Resource.objects.get().summary, "Un, deux")
        message = self.refused("sep=;\nkey;title;status\nt:9;Nine;lost\n", "y.csv")
        self.assertIn("FILE:3:3: status 'lost'", message)

    # Listings: junk tags, truncated pages.

    @override_settings(SHELF_IMPORT_MAX_NEW_TERMS=50)
    def test_it_refuses_a_listing_with_too_many_new_tags(self):
        tags = ", ".join(f"Tag {i}" for i in range(60))
        message = self.refused(listing(item(tags=tags, title="One")), "x.txt")
        self.assertIn("FILE:1: this file would create more than 50 new terms", message)
        self.assertFalse(Term.objects.filter(label="Tag 1").exists())

    def test_it_refuses_a_truncated_last_item_instead_of_writing_its_summary(self):
        whole = listing(
            item(title="One"),
            item(title="Two"),
            item(title="Three", summary="The full text.Read More"),
        )
        run(self.write(whole, "x.txt"))
        cut = whole[: whole.index("full text") + 4]
        message = self.refused(cut, "x.txt")
        self.assertIn('FILE:20: the last item\'s summary does not end in "Read More"', message)
        self.assertEqual(Resource.objects.get(key="listing:three").summary, "The full text.")

    def test_it_refuses_csv_where_the_export_has_bad_values_in_json_too(self):
        # The same strictness through both doors: a JSON date that is a number.
        self.assertIn(
            "date must be a date string",
            self.refused(json.dumps([{"key": "t:1", "title": "One", "date": 2020}]), "x.json"),
        )
