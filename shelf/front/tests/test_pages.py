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
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        make_catalogue()

    def test_it_serves_english_unprefixed_and_each_language_under_its_prefix(self):
        for prefix, lang, direction in [
            ("", "en", "ltr"),
            ("/fr", "fr", "ltr"),
            ("/es", "es", "ltr"),
            ("/ar", "ar", "rtl"),
            ("/zh-hans", "zh-hans", "ltr"),
        ]:
            for path in ["/", "/resources/?audience=parents", "/resources/safer-virtual-school/"]:
                with self.subTest(url=prefix + path):
                    r = self.client.get(prefix + path)
                    self.assertContains(r, f'<html lang="{lang}" dir="{direction}">')
                    self.assertEqual(r["Content-Language"], lang)

    def test_it_links_the_page_in_every_language_and_a_default(self):
        html = self.client.get("/fr/resources/?audience=parents&utm=x").content.decode()
        root = settings.SITE_ROOT
        self.assertIn(f'<link rel="canonical" href="{root}/fr/resources/?audience=parents">', html)
        for code, prefix in [("en", ""), ("fr", "/fr"), ("ar", "/ar"), ("zh-hans", "/zh-hans")]:
            self.assertIn(
                f'<link rel="alternate" hreflang="{code}" '
                f'href="{root}{prefix}/resources/?audience=parents">',
                html,
            )
        self.assertIn(
            f'<link rel="alternate" hreflang="x-default" '
            f'href="{root}/resources/?audience=parents">',
            html,
        )
        self.assertEqual(html.count('hreflang="fr" href='), 1)

    def test_it_redirects_a_first_visit_to_the_browsers_language(self):
        r = self.client.get("/resources/?q=safe", headers={"accept-language": "fr-CA,fr;q=0.9"})
        self.assertRedirects(r, "/fr/resources/?q=safe", fetch_redirect_response=False)
        self.assertEqual(r.status_code, 302)
        self.assertIn("Accept-Language", r["Vary"])
        self.assertIn("Cookie", r["Vary"])
        r = self.client.get("/", headers={"accept-language": "zh-CN"})
        self.assertRedirects(r, "/zh-hans/", fetch_redirect_response=False)

    def test_it_keeps_english_where_the_browser_asks_nothing_or_english(self):
        for header in [{}, {"accept-language": "en-GB,fr;q=0.5"}, {"accept-language": "de"}]:
            with self.subTest(header=header):
                r = self.client.get("/resources/", headers=header)
                self.assertContains(r, '<html lang="en" dir="ltr">')
                self.assertIn("Accept-Language", r["Vary"])

    def test_it_never_redirects_a_language_address(self):
        r = self.client.get("/ar/resources/", headers={"accept-language": "fr"})
        self.assertContains(r, '<html lang="ar" dir="rtl">')

    def test_it_offers_every_language_as_links_without_script_or_form(self):
        html = self.client.get("/resources/?year=2020").content.decode()
        self.assertIn('<nav class="languages" aria-label="Language">', html)
        self.assertIn(
            '<a href="/resources/?year=2020" lang="en" hreflang="en" aria-current="true">'
            "English</a>",
            html,
        )
        self.assertIn(
            '<a href="/i18n/switch/ar/?next=%2Far%2Fresources%2F%3Fyear%3D2020" lang="ar" '
            'hreflang="ar" rel="nofollow">العربية</a>',
            html,
        )
        # No form, so no CSRF token on an anonymous page (see SecretFreeGZipMiddleware).
        self.assertNotIn("csrfmiddlewaretoken", html)

    def test_the_switcher_remembers_the_choice_and_keeps_the_query(self):
        r = self.client.get("/i18n/switch/ar/", {"next": "/fr/resources/?year=2020&q=a b"})
        self.assertRedirects(r, "/ar/resources/?year=2020&q=a%20b", fetch_redirect_response=False)
        self.assertEqual(r.cookies["django_language"].value, "ar")
        self.assertIn("no-cache", r["Cache-Control"])
        # An old unprefixed link now opens in the chosen language...
        r = self.client.get("/resources/?year=2020")
        self.assertRedirects(r, "/ar/resources/?year=2020", fetch_redirect_response=False)
        # ...until the reader chooses English, whatever the browser says.
        r = self.client.get("/i18n/switch/en/", {"next": "/ar/resources/?year=2020"})
        self.assertRedirects(r, "/resources/?year=2020", fetch_redirect_response=False)
        r = self.client.get("/resources/?year=2020", headers={"accept-language": "ar"})
        self.assertContains(r, '<html lang="en" dir="ltr">')

    def test_the_switcher_goes_nowhere_outside_the_site(self):
        r = self.client.get("/i18n/switch/fr/", {"next": "https://evil.example/"})
        self.assertRedirects(r, "/fr/", fetch_redirect_response=False)
        self.assertEqual(self.client.get("/i18n/switch/xx/").status_code, 404)

    def test_machine_endpoints_stay_unprefixed_and_follow_the_browser(self):
        r = self.client.get("/api/v1/resources?year=abcd", headers={"accept-language": "fr"})
        self.assertEqual(r.status_code, 400)
        self.assertEqual(r["Content-Language"], "fr")
        self.assertEqual(self.client.get("/fr/api/v1/resources").status_code, 404)
        r = self.client.get("/admin/login/", headers={"accept-language": "es"})
        self.assertContains(r, 'lang="es"')

    def test_the_old_setlang_form_still_works(self):
        r = self.client.post("/i18n/setlang/", {"language": "fr", "next": "/resources/"})
        self.assertRedirects(r, "/fr/resources/", fetch_redirect_response=False)


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
