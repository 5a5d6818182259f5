"""A pack unzipped and read in Chromium from file://, with JavaScript on
(the search works) and off (index, item and facet pages link up), asking
nothing of any network."""

import tempfile
import zipfile
from pathlib import Path

from django.contrib.auth.models import AnonymousUser
from django.http import QueryDict

from shelf.catalogue.models import Visibility
from shelf.curation.tests.base import make_resource, term
from shelf.files import services, tasks
from shelf.files.tests import samples
from shelf.files.tests.base import TemporaryFileStorage
from shelf.front.tests.browser import BrowserTestCase
from shelf.front.tests.test_access import AXE_OPTIONS
from shelf.packs import builder
from shelf.search import browse


class PackInBrowserTests(TemporaryFileStorage, BrowserTestCase):
    def setUp(self):
        super().setUp()
        self.teachers = term("audience", "teachers", "Teachers")
        self.bullying = term("topic", "bullying", "Bullying")
        self.guide = make_resource(
            "Classroom guide to online safety",
            summary="What teachers can do about grooming.",
            terms=[self.teachers, self.bullying],
            language="en",
        )
        self.poster = make_resource(
            "Poster on safe adults", summary="Who to tell.", terms=[self.teachers], language="en"
        )
        self.arabic = make_resource("دليل المعلمين", terms=[self.teachers], language="ar")
        make_resource(
            "Quorvex members briefing", terms=[self.teachers], visibility=Visibility.MEMBERS
        )
        item = services.attach_file(
            resource=self.guide, upload=samples.upload("guide.pdf", samples.pdf(["Guide"]))
        )
        tasks.read_file(item.pk)

    def unzipped(self, language: str = "en") -> Path:
        folder = Path(tempfile.mkdtemp(prefix="shelf-pack-test-"))
        params = QueryDict(mutable=True)
        params["audience"] = "teachers"
        out = folder / "pack.zip"
        builder.build(browse.parse(params), AnonymousUser(), out, language=language)
        with zipfile.ZipFile(out) as zf:
            zf.extractall(folder)
        return folder / builder.FOLDER

    def file_page(self, javascript: bool = True):
        context = self.browser.new_context(java_script_enabled=javascript)
        self.addCleanup(context.close)
        page = context.new_page()
        page.on("console", lambda m: m.type == "error" and self.errors.append(m.text))
        page.on("pageerror", lambda e: self.errors.append(str(e)))
        # No network at all: everything comes from the unzipped folder.
        page.on("request", lambda r: r.url.startswith("file://") or self.errors.append(r.url))
        return page

    def test_its_search_works_from_file_urls(self):
        root = self.unzipped()
        page = self.file_page()
        page.goto((root / "index.html").as_uri())
        self.assertEqual(page.evaluate("getComputedStyle(document.body).display"), "block")
        search = page.get_by_label("Search this pack")
        self.assertTrue(search.is_visible())
        search.fill("GROOMING")
        results = page.locator("#pack-results li a")
        self.assertEqual(results.all_inner_texts(), ["Classroom guide to online safety"])
        self.assertEqual(page.locator("#pack-status").inner_text(), "Resources found: 1")
        self.assertFalse(page.locator("#pack-all").is_visible())
        search.fill("bullying")  # a term label
        self.assertEqual(results.count(), 1)
        search.fill("Quorvex")
        self.assertEqual(page.locator("#pack-status").inner_text(), "No resources match")
        search.fill("")
        self.assertTrue(page.locator("#pack-all").is_visible())
        search.fill("safe")
        self.assertEqual(results.count(), 2)
        results.first.click()
        self.assertTrue(page.url.endswith(".html"))
        self.assertIn("/items/", page.url)
        self.assertEqual(self.errors, [])

    def test_its_pages_link_up_with_javascript_off(self):
        root = self.unzipped()
        page = self.file_page(javascript=False)
        page.goto((root / "index.html").as_uri())
        self.assertFalse(page.get_by_label("Search this pack").is_visible())
        page.get_by_role("link", name="Classroom guide to online safety").first.click()
        self.assertEqual(page.locator("h1").inner_text(), "Classroom guide to online safety")
        self.assertTrue(page.get_by_role("link", name="guide.pdf").is_visible())
        page.get_by_role("link", name="Bullying").click()
        self.assertIn("Bullying", page.locator("h1").inner_text())
        page.get_by_role("link", name="Browse by").first.click()
        page.get_by_role("link", name="Teachers").click()
        self.assertEqual(page.locator("main li a").count(), 3)
        page.get_by_role("link", name="All resources").first.click()
        self.assertEqual(page.locator("h1").inner_text(), "Resources")
        # The stylesheet was found: the site's own layout applies.
        self.assertNotEqual(page.evaluate("getComputedStyle(document.body).fontFamily"), "")
        self.assertEqual(self.errors, [])

    def test_axe_finds_no_violation_in_the_pack_in_english_and_arabic(self):
        from axe_playwright_python.sync_playwright import Axe

        axe = Axe()
        for language in ("en", "ar"):
            root = self.unzipped(language)
            for name in ["index.html", f"items/{self.guide.pk}.html", "facets/index.html"]:
                page = self.file_page()
                page.goto((root / name).as_uri())
                results = axe.run(page, options=AXE_OPTIONS).response
                found = [
                    f"{v['id']}: {n['target']}" for v in results["violations"] for n in v["nodes"]
                ]
                with self.subTest(language=language, page=name):
                    self.assertEqual(found, [])
