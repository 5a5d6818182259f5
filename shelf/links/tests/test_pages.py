"""The dashboard's section and the results page, for curators only."""

from __future__ import annotations

import datetime

import time_machine

from shelf.catalogue.models import Visibility
from shelf.curation.tests.base import make_resource
from shelf.links.models import Link
from shelf.links.tests.base import LinkTestCase

SECRET = "Quorvexa members-only briefing"


def between(text: str, start: str, end: str) -> str:
    return text[text.index(start) : text.index(end)]


class PageTests(LinkTestCase):
    def setUp(self):
        super().setUp()
        self.good = make_resource("Good guide", source_url=self.url("/ok"))
        self.moved = make_resource("Moved toolkit", source_url=self.url("/moved"))
        self.slow = make_resource("Slow report", source_url=self.url("/slow"))
        self.lost = make_resource("Lost handbook", source_url=self.url("/missing"))
        self.secret = make_resource(
            SECRET, source_url=self.url("/missing?members"), visibility=Visibility.MEMBERS
        )
        with time_machine.travel(datetime.datetime(2026, 5, 1, 3, tzinfo=datetime.UTC)):
            self.run_checks()
        # The lost handbook's link worked on 1 May, then died.
        Link.objects.filter(url=self.url("/missing")).update(
            last_good=datetime.datetime(2026, 4, 20, tzinfo=datetime.UTC)
        )
        self.run_checks(times=2)

    def section(self, response) -> str:
        page = response.content.decode()
        return page[page.index('<section aria-labelledby="links">') :]

    def test_the_dashboard_shows_broken_redirected_and_slow_links_with_their_items(self):
        self.client.force_login(self.editor)
        response = self.client.get("/curation/")
        self.assertEqual(response.status_code, 200)
        section = self.section(response)
        self.assertIn("2 broken links", section)
        broken = section[
            section.index('id="links-broken"') : section.index('id="links-redirected"')
        ]
        self.assertIn("Lost handbook", broken)
        self.assertIn("2026-04-20", broken)  # the last good date
        self.assertIn("failed 3 checks in a row", broken)
        self.assertNotIn("Good guide", section)
        redirected = section[
            section.index('id="links-redirected"') : section.index('id="links-slow"')
        ]
        self.assertIn("Moved toolkit", redirected)
        self.assertIn(f"302 {self.url('/moved-again')}", redirected)
        slow = section[section.index('id="links-slow"') :]
        self.assertIn("Slow report", slow)

    def test_the_dashboard_says_why_an_item_was_sent_for_review(self):
        self.client.force_login(self.reviewer)
        section = self.section(self.client.get("/curation/"))
        flagged = between(section, 'id="links-flagged"', 'id="links-broken"')
        self.assertIn("2 items with no working link, sent for review", flagged)
        self.assertIn("Lost handbook", flagged)
        self.assertIn(f"{self.url('/missing')}</span> failed 3 checks in a row (404)", flagged)
        self.assertIn("last good 2026-04-20", flagged)
        # And the item is past its review date, in the list above.
        overdue = self.client.get("/curation/").context["overdue"]
        self.assertIn(self.lost, overdue)

    def test_the_results_page_lists_every_link_and_filters_them(self):
        self.client.force_login(self.editor)
        cases = {
            "": {"Good guide", "Moved toolkit", "Slow report", "Lost handbook", SECRET},
            "?state=broken": {"Lost handbook", SECRET},
            "?state=dead": {"Lost handbook", SECRET},
            "?state=redirected": {"Moved toolkit"},
            "?state=slow": {"Slow report"},
            "?state=working": {"Good guide", "Moved toolkit", "Slow report"},
            "?state=unchecked": set(),
            "?q=moved": {"Moved toolkit"},
            "?host=LOCALHOST": set(),
            "?host=127.0.0.1&state=slow": {"Slow report"},
        }
        titles = {"Good guide", "Moved toolkit", "Slow report", "Lost handbook", SECRET}
        for query, expected in cases.items():
            with self.subTest(query):
                response = self.client.get(f"/curation/links/{query}")
                self.assertEqual(response.status_code, 200)
                page = response.content.decode()
                self.assertEqual({t for t in titles if t in page}, expected)

    def test_the_results_page_refuses_a_bad_filter_plainly(self):
        self.client.force_login(self.editor)
        response = self.client.get("/curation/links/?state=nonsense")
        self.assertEqual(response.status_code, 400)
        self.assertContains(response, "Select a valid choice", status_code=400)

    def test_link_results_are_for_staff_only(self):
        for path in ("/curation/links/", "/curation/links/?state=broken", "/fr/curation/links/"):
            with self.subTest(path, who="anonymous"):
                self.client.logout()
                response = self.client.get(path)
                self.assertEqual(response.status_code, 302)
                self.assertIn("/accounts/login/", response["Location"])
            with self.subTest(path, who="member"):
                self.client.force_login(self.member)
                response = self.client.get(path)
                self.assertEqual(response.status_code, 403)
                self.assertNotIn(SECRET, response.content.decode())
                self.assertNotIn("/missing?members", response.content.decode())
            with self.subTest(path, who="editor"):
                self.client.force_login(self.editor)
                self.assertContains(self.client.get(path), SECRET)

    def test_a_member_gets_no_dashboard_either(self):
        self.client.force_login(self.member)
        response = self.client.get("/curation/")
        self.assertEqual(response.status_code, 403)
        self.assertNotIn(SECRET, response.content.decode())
