import re
from pathlib import Path

from django.conf import settings
from django.test import RequestFactory
from django.views.defaults import server_error

from shelf.catalogue.factories import make_catalogue
from shelf.test import BaseTestCase

CSS = Path(__file__).resolve().parents[1] / "static" / "front" / "shelf.css"
PAGES = [
    "/resources/",
    "/resources/?audience=parents&q=safe",
    "/resources/?page=abc",
    "/resources/mandatory-reporter-infographic/",
    "/resources/no-such-thing/",
    "/resources/?q=%3Cscript%3Ealert(1)%3C/script%3E%22%27",
]


class PageTests(BaseTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        make_catalogue()

    def test_it_sends_a_strict_content_security_policy(self):
        for url in PAGES:
            with self.subTest(url=url):
                csp = self.client.get(url)["Content-Security-Policy"]
                self.assertIn("script-src 'self'", csp)
                self.assertIn("style-src 'self'", csp)
                self.assertNotIn("unsafe-inline", csp)

    def test_it_has_no_inline_script_or_style(self):
        for url in PAGES:
            with self.subTest(url=url):
                html = self.client.get(url).content.decode()
                # Data blocks only (JSON-LD): the browser runs none of them.
                scripts = re.findall(r"<script\b[^>]*>", html)
                self.assertEqual(set(scripts) - {'<script type="application/ld+json">'}, set())
                self.assertNotIn("<style", html)
                self.assertIsNone(re.search(r"\sstyle=", html))
                self.assertIsNone(re.search(r"\son[a-z]+=", html))

    def test_it_asks_for_nothing_from_another_host(self):
        html = self.client.get("/resources/mandatory-reporter-infographic/").content.decode()
        for attr, url in re.findall(r'\s(src|href)="([^"]*)"', html):
            with self.subTest(url=url):
                if url.startswith(("http:", "https:", "//")):
                    # Only links a reader follows, never anything the page loads.
                    self.assertTrue(url.startswith(settings.SITE_ROOT))
                    self.assertEqual(attr, "href")

    def test_it_has_landmarks_a_skip_link_and_one_h1(self):
        for url in PAGES:
            with self.subTest(url=url):
                html = self.client.get(url).content.decode()
                self.assertIn('<a class="skip-link" href="#main">Skip to content</a>', html)
                self.assertIn('<main id="main"', html)
                self.assertIn("<header", html)
                self.assertIn("<footer", html)
                self.assertEqual(html.count("<h1"), 1)

    def test_it_puts_filters_in_an_aside_with_headings(self):
        html = self.client.get("/resources/").content.decode()
        self.assertIn(
            '<aside class="filters" id="filters" aria-labelledby="filters-heading">', html
        )
        self.assertIn('<h2 id="filters-heading">Filter by</h2>', html)
        self.assertIn('<h3 id="facet-audience">Audience</h3>', html)

    def test_it_links_the_stylesheet_which_is_served(self):
        html = self.client.get("/resources/").content.decode()
        self.assertIn('<link rel="stylesheet" href="/static/front/shelf.css">', html)
        r = self.client.get("/static/front/shelf.css")
        self.assertEqual(r.status_code, 200)
        self.assertIn(b"margin-inline", b"".join(r.streaming_content))

    def test_it_escapes_the_search_everywhere_it_shows_it(self):
        html = self.client.get("/resources/?q=%3Cb%3Ex%22y").content.decode()
        self.assertNotIn("<b>", html)
        self.assertIn("<title>“&lt;b&gt;x&quot;y” · Resources · Shelf</title>", html)
        self.assertIn('value="&lt;b&gt;x&quot;y"', html)


class ErrorPageTests(BaseTestCase):
    def test_it_renders_the_server_error_page_without_a_request_context(self):
        r = server_error(RequestFactory().get("/resources/"))
        self.assertEqual(r.status_code, 500)
        self.assertIn(b"<h1>Something went wrong</h1>", r.content)
        self.assertIn(b'<link rel="stylesheet" href="/static/front/shelf.css">', r.content)


class EmptyLibraryTests(BaseTestCase):
    def test_it_says_the_library_is_empty_without_an_empty_sidebar(self):
        r = self.client.get("/resources/")
        self.assertContains(r, "0 resources")
        self.assertContains(r, "The library has no resources yet.")
        self.assertNotContains(r, "<aside")


class LanguageTests(BaseTestCase):
    def test_it_offers_every_configured_language_in_a_form_without_script(self):
        html = self.client.get("/resources/").content.decode()
        self.assertIn('<form class="language-form" action="/i18n/setlang/" method="post">', html)
        self.assertIn('name="csrfmiddlewaretoken"', html)
        self.assertIn('<input type="hidden" name="next" value="/resources/">', html)
        for code, _name in settings.LANGUAGES:
            self.assertIn(f'<option value="{code}" lang="{code}"', html)
        self.assertIn('<button type="submit">Change</button>', html)

    def test_it_switches_to_arabic_right_to_left_and_back(self):
        r = self.client.post("/i18n/setlang/", {"language": "ar", "next": "/resources/?year=2020"})
        self.assertRedirects(r, "/resources/?year=2020", fetch_redirect_response=False)
        r = self.client.get("/resources/")
        self.assertContains(r, '<html lang="ar" dir="rtl">')
        self.assertContains(r, '<option value="ar" lang="ar" selected>')
        self.client.post("/i18n/setlang/", {"language": "fr", "next": "/resources/"})
        self.assertContains(self.client.get("/resources/"), '<html lang="fr" dir="ltr">')

    def test_it_follows_the_browser_language(self):
        r = self.client.get("/resources/", headers={"accept-language": "zh-Hans"})
        self.assertContains(r, '<html lang="zh-hans" dir="ltr">')


class StylesheetTests(BaseTestCase):
    def test_it_uses_logical_properties_so_right_to_left_mirrors(self):
        css = re.sub(r"/\*.*?\*/", "", CSS.read_text(), flags=re.S)
        physical = re.findall(
            r"(?:margin|padding|border)-(?:left|right)|(?<![-\w])(?:left|right)\s*:"
            r"|text-align:\s*(?:left|right)|float:\s*(?:left|right)",
            css,
        )
        self.assertEqual(physical, [])

    def test_it_has_visible_focus_styles_and_loads_no_fonts(self):
        css = CSS.read_text()
        self.assertIn(":focus-visible", css)
        self.assertNotIn("@font-face", css)
        self.assertNotIn("@import", css)
        self.assertNotIn("url(", css)

    def test_it_draws_a_check_mark_on_selected_values(self):
        css = CSS.read_text()
        rule = css[css.index(".facet-value[aria-current]::before") :]
        self.assertIn('content: "\\2713"', rule[: rule.index("}")])

    def test_it_keeps_the_stylesheet_small(self):
        self.assertLess(len(CSS.read_bytes()), 16_000)
