"""Light on slow links: small compressed pages, long-cached static files."""

import gzip
import re

from django.core.management import call_command
from django.templatetags.static import static
from django.test import override_settings

from shelf.catalogue.factories import make_resource, make_term
from shelf.test import BaseTestCase

SUMMARY = (
    "Practical guidance for teachers, school leaders and safeguarding staff on "
    "recognising the signs of abuse and neglect, responding to a disclosure, "
    "recording what was said and referring a concern to the right agency, with "
    "checklists, case studies and a glossary of terms used by child-protection services."
)
# A listing page of 20 results, compressed, must fit in this (issue: slow links).
MAX_LISTING_BYTES = 30 * 1024
MANIFEST = "whitenoise.storage.CompressedManifestStaticFilesStorage"


def make_full_page_of_results(n: int = 25) -> None:
    """Results as heavy as real ones: long titles, a summary that fills the
    40 words shown, two publishers and half a dozen terms each."""
    publishers = [make_term("publisher", name) for name in ("ICMEC", "UNICEF", "ECPAT", "WHO")]
    topics = [make_term("topic", f"Topic number {i}") for i in range(12)]
    audiences = [make_term("audience", f"Audience group {i}") for i in range(6)]
    for i in range(n):
        make_resource(
            f"Child protection in schools: a guide for staff, volume {i}",
            summary=SUMMARY,
            date=f"20{10 + i % 14}-0{1 + i % 9}-1{i % 9}",
            terms=[
                publishers[i % 4],
                publishers[(i + 1) % 4],
                topics[i % 12],
                topics[(i + 5) % 12],
                audiences[i % 6],
                audiences[(i + 2) % 6],
                make_term("type", "Guide"),
                make_term("setting", "Schools"),
            ],
        )


class PageWeightTests(BaseTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        make_full_page_of_results()

    def get(self, url, **kwargs):
        return self.client.get(url, headers={"accept-encoding": "gzip"}, **kwargs)

    def test_it_sends_a_listing_of_twenty_results_in_under_30_kb(self):
        for url in ["/resources/", "/ar/resources/?q=child", "/zh-hans/resources/?type=guide"]:
            with self.subTest(url=url):
                r = self.get(url)
                self.assertEqual(r["Content-Encoding"], "gzip")
                html = gzip.decompress(r.content).decode()
                self.assertEqual(html.count('<article class="result">'), 20)
                self.assertLess(len(r.content), MAX_LISTING_BYTES)

    def test_it_compresses_the_front_and_detail_pages(self):
        for url in ["/", "/fr/", "/resources/?page=2"]:
            with self.subTest(url=url):
                self.assertEqual(self.get(url)["Content-Encoding"], "gzip")
                self.assertIn("Accept-Encoding", self.get(url)["Vary"])

    def test_it_does_not_compress_a_page_that_carries_a_csrf_token(self):
        # BREACH: a token and a reflected search in one compressed body.
        r = self.get("/accounts/login/")
        self.assertContains(r, "csrfmiddlewaretoken")
        self.assertFalse(r.has_header("Content-Encoding"))
        self.client.force_login(self.alice)
        r = self.get("/resources/?q=child")
        self.assertContains(r, "csrfmiddlewaretoken")
        self.assertFalse(r.has_header("Content-Encoding"))

    def test_anonymous_pages_carry_no_csrf_token(self):
        for url in ["/", "/resources/?q=child", "/fr/resources/"]:
            with self.subTest(url=url):
                r = self.client.get(url)
                self.assertNotContains(r, "csrfmiddlewaretoken")
                self.assertNotIn("csrftoken", r.cookies)


class StaticFileTests(BaseTestCase):
    def test_it_serves_hashed_static_files_cached_for_a_year(self):
        with self.settings(STATIC_ROOT=self.static_root()):
            call_command("collectstatic", interactive=False, verbosity=0)
            css = static("front/shelf.css")
            self.assertRegex(css, r"^/static/front/shelf\.[0-9a-f]{12}\.css$")
            r = self.client.get("/")
            self.assertContains(r, f'<link rel="stylesheet" href="{css}">')
            self.assertIn(static("front/print.css"), r.content.decode())
            r = self.client.get(css, headers={"accept-encoding": "gzip"})
            self.assertEqual(r.status_code, 200)
            self.assertEqual(r["Content-Encoding"], "gzip")
            max_age = int(re.search(r"max-age=(\d+)", r["Cache-Control"]).group(1))
            self.assertGreaterEqual(max_age, 365 * 24 * 3600)
            self.assertIn("immutable", r["Cache-Control"])

    def static_root(self):
        import tempfile
        from pathlib import Path

        folder = tempfile.TemporaryDirectory()
        self.addCleanup(folder.cleanup)
        return Path(folder.name)

    def settings(self, **kwargs):
        from django.conf import settings

        storages = {**settings.STORAGES, "staticfiles": {"BACKEND": MANIFEST}}
        return override_settings(STORAGES=storages, **kwargs)
