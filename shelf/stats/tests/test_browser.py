"""The statistics page in Chromium: no accessibility fault (axe), its own
stylesheet under the strict CSP, nothing from another host, and the period
chosen with JavaScript off."""

import datetime

from django.conf import settings
from django.utils import timezone

from shelf.curation.roles import EDITOR
from shelf.curation.tests.base import make_resource, person
from shelf.front.tests.browser import BrowserTestCase, prefix
from shelf.front.tests.test_access import AXE_OPTIONS
from shelf.stats.models import DailyCount, Kind


class StatsPageBrowserTests(BrowserTestCase):
    def setUp(self):
        super().setUp()
        editor = person("ed", EDITOR)
        guide = make_resource("Online safety guide")
        today = timezone.localdate()
        for days_ago, n in ((0, 12), (3, 5), (60, 40)):
            day = today - datetime.timedelta(days=days_ago)
            DailyCount.objects.create(day=day, kind=Kind.VIEW, key=str(guide.pk), count=n)
        for kind, key, n in [
            (Kind.DOWNLOAD, str(guide.pk), 4),
            (Kind.ZERO, "sextortion helpline", 3),
            (Kind.FACET, "year:2020", 2),
            (Kind.LANGUAGE, "ar", 7),
        ]:
            DailyCount.objects.create(day=today, kind=kind, key=key, count=n)
        self.client.force_login(editor)
        self.session = self.client.cookies[settings.SESSION_COOKIE_NAME].value

    def signed_in_page(self, javascript: bool = True):
        page = self.new_page(javascript=javascript)
        page.context.add_cookies(
            [
                {
                    "name": settings.SESSION_COOKIE_NAME,
                    "value": self.session,
                    "url": self.live_server_url,
                }
            ]
        )
        return page

    def test_axe_finds_no_violation_in_english_and_arabic(self):
        from axe_playwright_python.sync_playwright import Axe

        axe = Axe()
        for language in ("en", "ar"):
            with self.subTest(language=language):
                page = self.signed_in_page()
                page.goto(self.live_server_url + prefix(language) + "/curation/stats/")
                self.assertEqual(page.locator("svg.chart").count(), 4)
                # The stylesheet applied: the bars are coloured, not black.
                fill = page.locator("svg.chart rect.views").first.evaluate(
                    "r => getComputedStyle(r).fill"
                )
                self.assertEqual(fill, "rgb(11, 83, 148)")
                results = axe.run(page, options=AXE_OPTIONS).response
                violations = [
                    f"{v['id']}: {n['target']}" for v in results["violations"] for n in v["nodes"]
                ]
                self.screenshot(page, f"stats-{language}")
                self.assertEqual(violations, [])
                page.context.close()
        self.assertEqual(self.errors, [])

    def test_the_period_is_chosen_with_javascript_off(self):
        page = self.signed_in_page(javascript=False)
        page.goto(self.live_server_url + "/curation/stats/")
        first = page.locator("#items-chart-title ~ g text.value").first
        self.assertEqual(first.text_content(), "17")  # 12 + 5 in the last 30 days
        page.select_option("#id_days", "90")
        page.get_by_role("button", name="Show").click()
        self.assertIn("days=90", page.url)
        self.assertEqual(
            page.locator("#items-chart-title ~ g text.value").first.text_content(), "57"
        )
        self.assertEqual(self.errors, [])
