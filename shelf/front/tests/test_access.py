"""Accessibility and slow links, in a real browser: axe-core on every public
page type in every language, a keyboard-only walk, reflow at 320 CSS px and
200% zoom, print, and the listing on an emulated slow 3G connection."""

import json
import os
from pathlib import Path

from django.test import RequestFactory, override_settings
from django.utils import translation
from django.views.defaults import server_error

from shelf.catalogue.factories import make_catalogue
from shelf.catalogue.models import Resource
from shelf.files import services, tasks
from shelf.files.tests import samples
from shelf.files.tests.base import TemporaryFileStorage
from shelf.front.tests.browser import LANGUAGES, BrowserTestCase, prefix
from shelf.front.tests.test_light import make_full_page_of_results

# Every public page type; the server error page is served by the test itself.
PAGES = {
    "front page": "/",
    "listing with filters": "/resources/?audience=parents&setting=schools",
    "search with results": "/resources/?q=safe",
    "search with none": "/resources/?q=qqqzzzxx",
    "detail with files": "/resources/safer-virtual-school/",
    "sign-in": "/accounts/login/",
    "a facet's every value": "/resources/facets/publisher/",
    "suggest a resource": "/suggest/",
    "offline pack of a listing": "/packs/new/?audience=parents",
    "follow a search by e-mail": "/alerts/follow/?audience=parents",
    "not found (404)": "/resources/no-such-thing/",
    "bad request (400)": "/resources/?page=abc",
    "server error (500)": "/__server-error__/",
}
# WCAG 2.0, 2.1 and 2.2, levels A and AA, plus axe's best practices.
AXE_OPTIONS = {
    "runOnly": {
        "type": "tag",
        "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"],
    },
    "resultTypes": ["violations"],
}
# Chrome DevTools' "Slow 3G": 400 ms round trip, 400 kbit/s each way.
SLOW_3G = {
    "offline": False,
    "latency": 400,
    "downloadThroughput": 400 * 1024 // 8,
    "uploadThroughput": 400 * 1024 // 8,
}


@override_settings(SHELF_PAGE_SIZE=20)
class AccessTests(TemporaryFileStorage, BrowserTestCase):
    def setUp(self):
        super().setUp()
        make_catalogue()
        make_full_page_of_results(25)
        guide = Resource.objects.get(slug="safer-virtual-school")
        item = services.attach_file(
            resource=guide, upload=samples.upload("safer-school.pdf", samples.pdf(["Safe"]))
        )
        tasks.read_file(item.pk)

    def open_page(self, name: str, language: str, width: int = 1280, **options):
        page = self.new_page(width, **options)
        path = PAGES[name]
        if name.startswith("server error"):
            self.serve_server_error(page, language, path)
        page.goto(self.live_server_url + prefix(language) + path)
        return page

    def serve_server_error(self, page, language: str, path: str) -> None:
        with translation.override(language):
            html = server_error(RequestFactory().get(path)).content
        page.route(
            f"**{path}",
            lambda route: route.fulfill(status=500, body=html, content_type="text/html"),
        )

    def test_axe_finds_no_violation_on_any_page_in_any_language(self):
        from axe_playwright_python.sync_playwright import Axe

        axe = Axe()
        # The checker itself sees a fault when there is one.
        control = self.new_page()
        control.set_content('<html><body><img src="/x.png"><a href="/"></a></body></html>')
        ids = {v["id"] for v in axe.run(control, options=AXE_OPTIONS).response["violations"]}
        self.assertTrue({"image-alt", "link-name", "html-has-lang"} <= ids, ids)
        control.context.close()
        self.errors.clear()
        found = {}
        for language in LANGUAGES:
            for name in PAGES:
                page = self.open_page(name, language)
                self.assertEqual(page.locator("html").get_attribute("lang"), language)
                results = axe.run(page, options=AXE_OPTIONS).response
                found[(name, language)] = [
                    f"{v['id']}: {n['target']}" for v in results["violations"] for n in v["nodes"]
                ]
                page.context.close()
        if report := os.getenv("SHELF_AXE_REPORT"):
            Path(report).write_text(
                json.dumps({f"{n} [{lang}]": v for (n, lang), v in found.items()}, indent=1)
            )
        self.assertEqual({k: v for k, v in found.items() if v}, {})
        self.assertEqual(self.unexpected_errors(), [])

    def unexpected_errors(self) -> list[str]:
        # Error pages are meant to answer 400, 404 and 500.
        return [e for e in self.errors if "responded with a status of" not in e]

    def focus_next(self, page, selector: str, limit: int = 400) -> dict:
        """Press Tab until the element matching ``selector`` has the focus,
        checking that every element reached shows where the focus is."""
        for _ in range(limit):
            page.keyboard.press("Tab")
            state = page.evaluate(
                """(selector) => {
                const e = document.activeElement;
                const s = getComputedStyle(e);
                const r = e.getBoundingClientRect();
                return {
                    html: e.outerHTML.slice(0, 120),
                    matches: e.matches(selector),
                    outline: s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) >= 2,
                    inView: r.width > 1 && r.height > 1 && r.bottom > 0
                        && r.top < innerHeight && r.right > 0 && r.left < innerWidth,
                };
            }""",
                selector,
            )
            self.assertTrue(state["outline"], f"no visible focus on {state['html']}")
            self.assertTrue(state["inView"], f"focused but out of view: {state['html']}")
            if state["matches"]:
                return state
        self.fail(f"Tab never reached {selector}")

    def test_a_keyboard_alone_searches_filters_pages_and_downloads(self):
        for language in ["en", "ar"]:
            with self.subTest(language=language):
                page = self.new_page(1280)
                page.goto(self.live_server_url + prefix(language) + "/resources/")
                # The first Tab shows the skip link, which moves focus to the content.
                self.focus_next(page, ".skip-link")
                page.keyboard.press("Enter")
                self.assertEqual(page.evaluate("document.activeElement.id"), "main")
                self.focus_next(page, "#q")
                page.keyboard.type("child")
                page.keyboard.press("Enter")
                page.wait_for_url("**q=child**")
                self.focus_next(page, '.facet-value[href*="type=guide"]')
                page.keyboard.press("Enter")
                page.wait_for_url("**type=guide**")
                self.focus_next(page, ".chip[href*='q=child']:not([href*='type='])")
                page.keyboard.press("Enter")
                page.wait_for_url(lambda url: "type=guide" not in url)
                self.focus_next(page, '.pagination a[rel="next"]')
                page.keyboard.press("Enter")
                page.wait_for_url("**page=2**")
                self.focus_next(page, ".result-title a")
                page.keyboard.press("Enter")
                page.wait_for_url("**/resources/*/")
                page.goto(self.live_server_url + prefix(language) + PAGES["detail with files"])
                self.focus_next(page, ".file-download")
                with page.expect_download() as download:
                    page.keyboard.press("Enter")
                self.assertEqual(download.value.suggested_filename, "safer-school.pdf")
                page.context.close()
        self.assertEqual(self.unexpected_errors(), [])

    def test_every_page_reflows_at_320_px_and_at_200_percent_zoom(self):
        # 200% zoom of a 1280 px window is a 640 CSS px viewport; 320 px is
        # WCAG 1.4.10's reflow width (1280 px at 400%).
        for width, scale in [(320, 1), (640, 2)]:
            for language in ["en", "ar"]:
                for name in PAGES:
                    with self.subTest(width=width, language=language, page=name):
                        page = self.open_page(name, language, width, device_scale_factor=scale)
                        scroll = page.evaluate("document.documentElement.scrollWidth")
                        self.assertLessEqual(scroll, width)
                        page.context.close()

    def test_it_prints_a_result_list_and_a_detail_page_without_navigation(self):
        for name in ["search with results", "detail with files"]:
            with self.subTest(page=name):
                page = self.open_page(name, "fr")
                page.emulate_media(media="print")
                hidden = page.evaluate(
                    """() => ['.site-nav', '.languages', '.search-form', '.filters',
                        '.pagination', '.site-footer', '.skip-link', '.account']
                        .filter(s => document.querySelector(s))
                        .filter(s => getComputedStyle(document.querySelector(s))
                            .display !== 'none')"""
                )
                self.assertEqual(hidden, [])
                link = ".result-title a" if name.startswith("search") else ".file-download"
                after = page.evaluate(
                    "(s) => getComputedStyle(document.querySelector(s), '::after').content", link
                )
                href = page.locator(link).first.get_attribute("href")
                self.assertIn(href, after)
                address = page.locator(".print-only")
                self.assertTrue(address.is_visible())
                self.assertIn(self.live_server_url.split(":")[0], "http")
                self.assertTrue(page.pdf())  # it prints at all
                page.context.close()

    def test_the_listing_is_readable_within_3_seconds_on_slow_3g(self):
        page = self.new_page(360)
        cdp = page.context.new_cdp_session(page)
        cdp.send("Network.enable")
        cdp.send("Network.emulateNetworkConditions", SLOW_3G)
        page.goto(self.live_server_url + "/fr/resources/", wait_until="commit")
        # Readable: all 20 results in the document and the stylesheet applied
        # (the browser paints nothing before it), timed by the browser itself
        # from the start of navigation.
        page.wait_for_function(
            """() => document.querySelectorAll('.result-title').length === 20
                && getComputedStyle(document.querySelector('.results')).listStyleType === 'none'""",
            timeout=10_000,
            polling=50,
        )
        elapsed = page.evaluate("performance.now()")
        self.assertGreater(elapsed, SLOW_3G["latency"])  # the slow link is in effect
        self.assertLess(elapsed, 3000)
        if report := os.getenv("SHELF_SLOW3G_REPORT"):
            Path(report).write_text(json.dumps({"readable_ms": round(elapsed)}))

    def test_it_lays_out_the_listing_in_every_language_at_phone_and_desktop_width(self):
        for language in LANGUAGES:
            for width in [360, 1280]:
                with self.subTest(language=language, width=width):
                    page = self.open_page("listing with filters", language, width)
                    self.screenshot(page, f"listing-{language}-{width}")
                    direction = "rtl" if language == "ar" else "ltr"
                    self.assertEqual(page.locator("html").get_attribute("dir"), direction)
                    self.assertLessEqual(
                        page.evaluate("document.documentElement.scrollWidth"), width
                    )
                    # English titles stay left to right inside an Arabic page.
                    title = page.locator(".result-title a").first
                    self.assertEqual(title.evaluate("e => getComputedStyle(e).direction"), "ltr")
                    page.context.close()
            page = self.open_page("front page", language, 1280)
            self.screenshot(page, f"front-{language}-1280")
            self.assertLessEqual(page.evaluate("document.documentElement.scrollWidth"), 1280)
            page.context.close()
        self.assertEqual(self.unexpected_errors(), [])
