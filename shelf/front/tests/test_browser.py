"""One smoke test in a real browser: layout at phone and desktop widths, left
to right and right to left, and the forms with JavaScript off.

Needs the `browser` extra (`pip install -e '.[browser]'`) and Chromium
(Debian: `apt-get install chromium`); skipped without them. Set
SHELF_SCREENSHOTS to a folder to keep screenshots of each layout.
"""

from pathlib import Path

from shelf.catalogue.factories import make_catalogue
from shelf.files import services
from shelf.files.tests import samples
from shelf.files.tests.base import TemporaryFileStorage
from shelf.front.tests.browser import BrowserTestCase


class BrowserTests(TemporaryFileStorage, BrowserTestCase):
    def setUp(self):
        super().setUp()
        self.catalogue = make_catalogue()

    def box(self, page, selector: str) -> dict:
        return page.locator(selector).first.bounding_box()

    def test_it_lays_out_the_listing_at_every_width_and_direction(self):
        for width, language in [(360, "en"), (1280, "en"), (360, "ar"), (1280, "ar")]:
            with self.subTest(width=width, language=language):
                page = self.open("/resources/?audience=parents", width, language)
                self.screenshot(page, f"listing-{width}-{language}")
                self.assertEqual(
                    page.locator("html").get_attribute("dir"), "rtl" if language == "ar" else "ltr"
                )
                # Nothing wider than the screen.
                scroll = page.evaluate("document.documentElement.scrollWidth")
                self.assertLessEqual(scroll, width)
                results, filters = self.box(page, ".listing-results"), self.box(page, ".filters")
                if width == 360:
                    self.assertGreater(filters["y"], results["y"] + results["height"] - 1)
                elif language == "ar":
                    self.assertGreater(filters["x"], results["x"])
                else:
                    self.assertLess(filters["x"], results["x"])
                self.assert_targets_are_large_enough(page)
        self.assertEqual(self.errors, [])

    def assert_targets_are_large_enough(self, page):
        """WCAG 2.2 target size: every control at least 24 CSS px tall."""
        small = page.evaluate(
            """() => [...document.querySelectorAll('a, button, select, input, summary')]
                .filter(e => !e.closest('.visually-hidden, .skip-link'))
                .map(e => [e.outerHTML.slice(0, 80), e.getBoundingClientRect()])
                // Hidden until focused (1px wide) or not rendered at all.
                .filter(([_, r]) => r.width > 1 && r.height > 0 && r.height < 24)
                .map(([html, r]) => [html, r.height])"""
        )
        self.assertEqual(small, [])

    def test_it_lays_out_the_detail_page(self):
        for width, language in [(360, "en"), (360, "ar"), (1280, "en")]:
            with self.subTest(width=width, language=language):
                page = self.open("/resources/safer-virtual-school/", width, language)
                self.screenshot(page, f"detail-{width}-{language}")
                self.assertLessEqual(page.evaluate("document.documentElement.scrollWidth"), width)
                self.assertEqual(page.locator("h1").inner_text(), "Safer Virtual School")
                self.assert_targets_are_large_enough(page)
        self.assertEqual(self.errors, [])

    def test_it_filters_sorts_and_searches_with_javascript_off(self):
        page = self.open("/resources/", 1280, javascript=False)
        page.locator(".facet-value", has_text="Teachers").click()
        self.assertIn("audience=teachers", page.url)
        self.assertEqual(page.locator(".count").inner_text(), "3 resources")
        page.select_option("#sort", "title")
        page.locator(".sort-form button").click()
        self.assertIn("sort=title", page.url)
        self.assertEqual(
            page.locator(".result-title").first.inner_text(), "Mandatory Reporter Infographic"
        )
        page.fill("#q", "safe")
        page.locator(".search-form button").click()
        self.assertIn("audience=teachers", page.url)
        self.assertEqual(page.locator(".count").inner_text(), "3 resources")
        page.locator(".chip", has_text="Teachers").click()
        self.assertNotIn("audience", page.url)
        page.locator(".languages a", has_text="العربية").click()
        self.assertEqual(page.locator("html").get_attribute("dir"), "rtl")
        self.assertIn("/ar/resources/?q=safe", page.url)
        self.assertEqual(self.errors, [])

    def test_an_admin_adds_a_second_file_through_the_files_row(self):
        from django.contrib.auth.models import User

        User.objects.create_superuser("ada", "ada@example.org", "correct horse battery")
        guide = self.catalogue["guide"]
        services.attach_file(resource=guide, upload=samples.upload("first.pdf", samples.pdf(["x"])))
        tmp = Path(self._media) / "upload"
        tmp.mkdir()
        second, bad = tmp / "second.pdf", tmp / "poster.pdf"
        second.write_bytes(samples.pdf(["Second file"]))
        bad.write_bytes(samples.image("PNG"))

        page = self.open(
            f"/accounts/login/?next=/admin/catalogue/resource/{guide.pk}/change/", 1280
        )
        page.fill("#id_username", "ada")
        page.fill("#id_password", "correct horse battery")
        page.locator("main form button[type=submit]", has_text="Sign in").click()
        self.assertIn(f"/admin/catalogue/resource/{guide.pk}/change/", page.url)

        # A file of the wrong type: the page says why, and nothing is stored.
        page.set_input_files("#id_files-1-upload", str(bad))
        page.locator("input[name=_continue]").click()
        self.assertIn("its content is a PNG image", page.locator("#files-group").inner_text())
        self.assertEqual(guide.files.count(), 1)

        page.set_input_files("#id_files-1-upload", str(second))
        page.locator("input[name=_continue]").click()
        self.assertIn("was changed successfully", page.locator(".messagelist").inner_text())
        names = list(guide.files.order_by("pk").values_list("filename", flat=True))
        self.assertEqual(names, ["first.pdf", "second.pdf"])
        self.assertIn("second.pdf", page.locator("#files-group").inner_text())
        # No script errors and nothing fetched from elsewhere (the admin has
        # no favicon: its 404 is the one failed load).
        self.assertEqual([e for e in self.errors if "status of 404" not in e], [])
