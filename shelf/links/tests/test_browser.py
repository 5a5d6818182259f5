"""The dashboard's Links section and the results page in a real browser:
axe-core finds nothing in any language, Arabic reads right to left."""

from __future__ import annotations

import datetime

from django.conf import settings

from shelf.curation.roles import EDITOR
from shelf.curation.tests.base import make_resource, person
from shelf.front.tests.browser import LANGUAGES, BrowserTestCase, prefix
from shelf.front.tests.test_access import AXE_OPTIONS
from shelf.links.models import ItemLink, Link, ReviewFlag

WHEN = datetime.datetime(2026, 5, 1, 3, tzinfo=datetime.UTC)


def plant_links() -> None:
    item = make_resource("Lost handbook", review_by=datetime.date(2026, 4, 30))
    rows = [
        {
            "url": "https://gone.example.org/handbook.pdf",
            "status_code": 404,
            "consecutive_failures": 3,
        },
        {
            "url": "http://moved.example.org/toolkit",
            "status_code": 200,
            "final_url": "https://moved.example.org/toolkit/",
            "redirects": [{"status": 301, "url": "http://moved.example.org/toolkit"}],
            "last_good": WHEN,
        },
        {
            "url": "https://slow.example.org/report",
            "status_code": 200,
            "elapsed": 9.5,
            "last_good": WHEN,
        },
        {"url": "https://hangs.example.org/", "error": "timeout", "consecutive_failures": 1},
    ]
    for row in rows:
        row.setdefault("final_url", row["url"])
        link = Link.objects.create(host=row["url"].split("/")[2], last_checked=WHEN, **row)
        ItemLink.objects.create(resource=item, link=link, field="body")
    ReviewFlag.objects.create(resource=item, link=Link.objects.get(status_code=404))


class LinkPagesInABrowser(BrowserTestCase):
    def setUp(self):
        super().setUp()
        plant_links()
        self.client.force_login(person("ed", EDITOR))
        self.cookie = {
            "name": settings.SESSION_COOKIE_NAME,
            "value": self.client.cookies[settings.SESSION_COOKIE_NAME].value,
            "url": self.live_server_url,
        }

    def signed_in_page(self, path: str, language: str):
        page = self.new_page()
        page.context.add_cookies([self.cookie])
        page.goto(self.live_server_url + prefix(language) + path)
        return page

    def test_axe_finds_no_violation_on_the_link_pages_in_any_language(self):
        from axe_playwright_python.sync_playwright import Axe

        axe = Axe()
        found = {}
        for language in LANGUAGES:
            for path in ("/curation/", "/curation/links/", "/curation/links/?state=broken"):
                page = self.signed_in_page(path, language)
                self.assertIn("gone.example.org", page.content())
                if language == "ar":
                    self.assertEqual(page.locator("html").get_attribute("dir"), "rtl")
                    address = page.locator(".link-address").first
                    self.assertEqual(address.get_attribute("dir"), "ltr")
                results = axe.run(page, options=AXE_OPTIONS).response
                found[(path, language)] = [
                    f"{v['id']}: {n['target']}" for v in results["violations"] for n in v["nodes"]
                ]
                page.context.close()
        self.assertEqual({k: v for k, v in found.items() if v}, {})
        self.assertEqual(self.errors, [])

    def test_the_filters_work_without_javascript(self):
        page = self.new_page(javascript=False)
        page.context.add_cookies([self.cookie])
        page.goto(self.live_server_url + "/curation/links/")
        page.select_option("#id_state", "slow")
        page.click(".link-filters button")
        self.assertIn("state=slow", page.url)
        self.assertIn("slow.example.org", page.content())
        self.assertNotIn("gone.example.org", page.content())
