import re

import extruct
from defusedxml import ElementTree
from lxml import html as lxml_html

from shelf.catalogue.factories import make_catalogue, make_resource, make_term
from shelf.files import services, tasks
from shelf.files.tests import samples
from shelf.files.tests.base import TemporaryFileStorage
from shelf.test import BaseTestCase

SITEMAP = "{http://www.sitemaps.org/schemas/sitemap/0.9}"


class StructuredDataTestCase(TemporaryFileStorage, BaseTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.r = make_catalogue()
        cls.report = make_resource(
            "Annual report </script><script>alert(1)</script>",
            summary="Figures & findings <2024>.",
            terms={
                "type": ["Report"],
                "publisher": [make_term("publisher", "ICMEC")],
                "audience": ["Parents"],
                "topic": ["Online safety"],
                "collection": ["Research series"],
            },
            date="2024-06-01",
            date_precision="month",
            language="en",
            slug="annual-report",
        )
        cls.rapport = make_resource("Rapport annuel", language="fr", slug="rapport-annuel")
        cls.report.translations.add(cls.rapport, cls.r["members"])
        cls.pdf = services.attach_file(
            resource=cls.report, upload=samples.upload("report.pdf", samples.pdf(["Figures"]))
        )
        tasks.read_file(cls.pdf.pk)

    def page(self, slug: str):
        response = self.client.get(f"/resources/{slug}/")
        self.assertEqual(response.status_code, 200)
        return response

    def extract(self, slug: str) -> dict:
        response = self.page(slug)
        return extruct.extract(
            response.content.decode(),
            base_url="http://127.0.0.1:8000/",
            syntaxes=["json-ld", "dublincore"],
            uniform=True,
        )

    def test_it_describes_the_item_in_json_ld(self):
        (data,) = self.extract("annual-report")["json-ld"]
        self.assertEqual(data["@type"], "Report")
        self.assertEqual(data["name"], "Annual report </script><script>alert(1)</script>")
        self.assertEqual(data["description"], "Figures & findings <2024>.")
        self.assertEqual(data["inLanguage"], "en")
        self.assertEqual(data["datePublished"], "2024-06")
        self.assertEqual(data["publisher"], [{"@type": "Organization", "name": "ICMEC"}])
        self.assertEqual(data["audience"], [{"@type": "Audience", "audienceType": "Parents"}])
        self.assertEqual(data["about"], [{"@type": "Thing", "name": "Online safety"}])
        self.assertEqual(data["isPartOf"], [{"@type": "Collection", "name": "Research series"}])
        # The members-only translation is not named to an anonymous reader.
        self.assertEqual([t["name"] for t in data["workTranslation"]], ["Rapport annuel"])
        (encoding,) = data["encoding"]
        self.assertEqual(encoding["encodingFormat"], "application/pdf")
        self.assertEqual(
            encoding["contentUrl"], "http://127.0.0.1:8000" + self.pdf.get_absolute_url()
        )

    def test_the_script_cannot_be_closed_by_the_data(self):
        content = self.page("annual-report").content.decode()
        scripts = re.findall(r"<script\b[^>]*>", content)
        self.assertEqual(scripts, ['<script type="application/ld+json">'])
        self.assertNotIn("<script>alert", content)

    def test_the_csp_stays_strict(self):
        # JSON-LD is data the browser never runs: no inline-script exception needed.
        policy = self.page("annual-report")["Content-Security-Policy"]
        self.assertIn("script-src 'self'", policy)
        self.assertNotIn("unsafe-inline", policy)

    def test_a_page_without_files_or_report_type_is_a_creative_work(self):
        (data,) = self.extract("child-trafficking-guide")["json-ld"]
        self.assertEqual(data["@type"], "CreativeWork")
        self.assertNotIn("encoding", data)
        self.assertEqual(sorted(p["name"] for p in data["publisher"]), ["HCCH", "ICMEC"])

    def test_it_has_dublin_core_and_citation_meta_tags(self):
        found = self.extract("annual-report")["dublincore"][0]
        dc = "http://purl.org/dc/elements/1.1/"
        elements = {e["URI"].removeprefix(dc): e["content"] for e in found["elements"]}
        self.assertEqual(elements["title"], "Annual report </script><script>alert(1)</script>")
        self.assertEqual(elements["publisher"], "ICMEC")
        self.assertEqual(elements["date"], "2024-06")
        self.assertEqual(elements["language"], "en")

        document = lxml_html.fromstring(self.page("annual-report").content)
        meta = {}
        for tag in document.xpath("//meta[starts-with(@name, 'citation_')]"):
            meta.setdefault(tag.get("name"), []).append(tag.get("content"))
        self.assertEqual(
            meta["citation_title"], ["Annual report </script><script>alert(1)</script>"]
        )
        self.assertEqual(meta["citation_author"], ["ICMEC"])
        self.assertEqual(meta["citation_publication_date"], ["2024/06"])
        self.assertEqual(
            meta["citation_pdf_url"], ["http://127.0.0.1:8000" + self.pdf.get_absolute_url()]
        )


class SitemapTestCase(BaseTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.r = make_catalogue()

    def test_robots_txt_points_to_the_sitemap(self):
        response = self.client.get("/robots.txt")
        self.assertEqual(response["Content-Type"], "text/plain; charset=utf-8")
        self.assertIn("Sitemap: http://127.0.0.1:8000/sitemap.xml\n", response.content.decode())
        self.assertIn("Disallow: /admin/\n", response.content.decode())

    def test_the_sitemap_lists_public_items_with_lastmod(self):
        index = ElementTree.fromstring(self.client.get("/sitemap.xml").content)
        sections = [urlsplit_path(loc.text) for loc in index.iter(f"{SITEMAP}loc")]
        self.assertEqual(sections, ["/sitemap-pages.xml", "/sitemap-resources.xml"])
        urls = {}
        for section in sections:
            document = ElementTree.fromstring(self.client.get(section).content)
            for url in document.iter(f"{SITEMAP}url"):
                urls[url.findtext(f"{SITEMAP}loc")] = url.findtext(f"{SITEMAP}lastmod")
        paths = {"/resources/"} | {
            f"/resources/{slug}/"
            for slug in (
                "mandatory-reporter-infographic",
                "student-safety-survey-samples",
                "safer-virtual-school",
                "child-trafficking-guide",
            )
        }
        expected = {
            f"http://127.0.0.1:8000{prefix}{path}"
            for path in paths
            for prefix in ("", "/fr", "/es", "/ar", "/zh-hans")
        }
        self.assertEqual(set(urls), expected)
        virtual = self.r["virtual"]
        self.assertEqual(
            urls["http://127.0.0.1:8000/resources/safer-virtual-school/"],
            virtual.updated.date().isoformat(),
        )

    def test_it_lists_every_language_of_a_page_as_alternates(self):
        document = ElementTree.fromstring(self.client.get("/sitemap-resources.xml").content)
        entries = {
            url.findtext(f"{SITEMAP}loc"): {
                link.get("hreflang"): link.get("href")
                for link in url.iter("{http://www.w3.org/1999/xhtml}link")
                if link.get("rel") == "alternate"
            }
            for url in document.iter(f"{SITEMAP}url")
        }
        site = "http://127.0.0.1:8000"
        alternates = {
            "en": f"{site}/resources/safer-virtual-school/",
            "fr": f"{site}/fr/resources/safer-virtual-school/",
            "es": f"{site}/es/resources/safer-virtual-school/",
            "ar": f"{site}/ar/resources/safer-virtual-school/",
            "zh-hans": f"{site}/zh-hans/resources/safer-virtual-school/",
            "x-default": f"{site}/resources/safer-virtual-school/",
        }
        # Each language's address lists them all (itself included), as
        # search engines require of hreflang sets.
        for location in set(alternates.values()):
            self.assertEqual(entries[location], alternates)
        self.assertNotIn(f"{site}/resources/members-briefing/", entries)
        for href in alternates.values():
            self.assertEqual(self.client.get(href.removeprefix(site)).status_code, 200)

    def test_it_pages_addresses_of_every_language_in_order(self):
        from shelf.front.sitemaps import ResourceSitemap

        sitemap = ResourceSitemap()
        sitemap.limit = 3
        pages = [
            [u["location"] for u in sitemap.get_urls(page=n)]
            for n in range(1, sitemap.paginator.num_pages + 1)
        ]
        self.assertEqual(sitemap.paginator.count, 4 * 5)
        self.assertEqual([len(p) for p in pages], [3, 3, 3, 3, 3, 3, 2])
        flat = sum(pages, [])
        self.assertEqual(len(set(flat)), 20)
        self.assertEqual(flat[0].split("/resources/")[0], "http://127.0.0.1:8000")
        self.assertEqual(flat[1].split("/resources/")[0], "http://127.0.0.1:8000/fr")


def urlsplit_path(url: str) -> str:
    from urllib.parse import urlsplit

    return urlsplit(url).path
