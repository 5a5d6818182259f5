"""Checking the collected links and flagging items whose links are dead."""

from __future__ import annotations

import datetime
import io

import time_machine
from django.core.management import call_command
from django.utils import timezone

from shelf.curation import freshness
from shelf.curation.models import AuditEvent
from shelf.curation.tests.base import make_resource
from shelf.links import services
from shelf.links.models import Link, ReviewFlag
from shelf.links.tests.base import LinkTestCase

TODAY = datetime.date(2026, 6, 10)


class CheckTests(LinkTestCase):
    def test_it_records_each_kind_of_result(self):
        for path in ("/ok", "/moved", "/missing", "/no-head", "/hang", "/slow"):
            make_resource(f"Item {path}", source_url=self.url(path))
        report = self.run_checks()
        self.assertEqual((report.checked, report.broken), (6, 2))
        links = {link.url.rsplit("/", 1)[1]: link for link in Link.objects.all()}
        ok = links["ok"]
        self.assertEqual((ok.status_code, ok.consecutive_failures, ok.error), (200, 0, ""))
        self.assertIsNotNone(ok.last_good)
        self.assertEqual(ok.last_checked, ok.last_good)
        moved = links["moved"]
        self.assertEqual(moved.final_url, self.url("/ok"))
        self.assertEqual([hop["status"] for hop in moved.redirects], [301, 302])
        self.assertTrue(moved.is_redirected)
        missing = links["missing"]
        self.assertEqual((missing.status_code, missing.consecutive_failures), (404, 1))
        self.assertIsNone(missing.last_good)
        self.assertEqual((links["no-head"].status_code, links["no-head"].method), (200, "GET"))
        hang = links["hang"]
        self.assertEqual(
            (hang.error, hang.status_code, hang.consecutive_failures), ("timeout", None, 1)
        )
        self.assertEqual(hang.get_error_display(), "No answer in time")
        self.assertIn(links["slow"], Link.objects.slow(0.25))
        self.assertNotIn(ok, Link.objects.slow(0.25))

    def test_it_names_the_site_in_the_user_agent(self):
        make_resource("Item", source_url=self.url("/ok"))
        self.run_checks()
        self.assertEqual(
            self.server.seen[0].user_agent,
            "Safeguarding Library link checker (+https://library.example.org/)",
        )

    def test_it_checks_the_oldest_checked_first_up_to_the_cap(self):
        for n in range(5):
            make_resource(f"Item {n}", source_url=self.url(f"/ok?{n}"))
        services.collect()
        services.check(limit=3)
        first = {s.path for s in self.server.seen}
        self.assertEqual(len(first), 3)
        self.server.seen.clear()
        services.check(limit=3)
        second = [s.path for s in self.server.seen]
        # The two never checked, then the one checked longest ago.
        self.assertEqual(len(second), 3)
        self.assertEqual(len(set(second) - first), 2)

    def test_it_keeps_the_last_good_date_while_a_link_fails(self):
        item = make_resource("Item", source_url=self.url("/ok"))
        with time_machine.travel(datetime.datetime(2026, 6, 1, 3, tzinfo=datetime.UTC)):
            self.run_checks()
        item.source_url = self.url("/missing")
        item.save()
        link = Link.objects.get()
        # The same address starts failing: its record keeps the last good date.
        Link.objects.filter(pk=link.pk).update(url=self.url("/missing"))
        with time_machine.travel(datetime.datetime(2026, 6, 2, 3, tzinfo=datetime.UTC)):
            self.run_checks()
        link.refresh_from_db()
        self.assertEqual(link.consecutive_failures, 1)
        self.assertEqual(link.last_good.date(), datetime.date(2026, 6, 1))
        self.assertEqual(link.failing_since.date(), datetime.date(2026, 6, 2))

    def test_the_command_collects_and_checks(self):
        make_resource("Item", source_url=self.url("/missing"), body=f"see {self.url('/ok')}")
        out = io.StringIO()
        call_command("check_links", "--limit", "5", stdout=out)
        self.assertIn("2 link(s) added", out.getvalue())
        self.assertIn("2 link(s) checked, 1 broken", out.getvalue())
        out = io.StringIO()
        call_command("check_links", "--collect-only", stdout=out)
        self.assertNotIn("checked", out.getvalue())

    def test_the_task_checks_too(self):
        from shelf.links.tasks import check_links

        make_resource("Item", source_url=self.url("/ok"))
        result = check_links.call()
        self.assertEqual(result, {"links added": 1, "checked": 1, "broken": 0})


@time_machine.travel(datetime.datetime(2026, 6, 10, 3, tzinfo=datetime.UTC), tick=True)
class FlagTests(LinkTestCase):
    def test_it_flags_an_item_whose_only_link_is_dead_after_a_few_failures(self):
        item = make_resource("Lost guide", source_url=self.url("/missing"))
        self.run_checks(times=2)
        self.assertFalse(ReviewFlag.objects.exists(), "two failures may be a blip")
        self.assertNotIn(item, freshness.overdue(TODAY))
        report = services.check()
        self.assertEqual(report.flagged, 1)
        item.refresh_from_db()
        self.assertEqual(item.review_by, TODAY - datetime.timedelta(days=1))
        self.assertIn(item, freshness.overdue(TODAY))
        self.assertEqual(item.link_flag.link.url, self.url("/missing"))
        event = AuditEvent.objects.get(action=services.FLAGGED)
        self.assertEqual(event.target_id, str(item.pk))
        self.assertEqual(event.details["urls"], [self.url("/missing")])
        self.assertEqual(item.history.first().history_change_reason, "review: no working link")

    def test_it_flags_once_and_keeps_an_earlier_review_date(self):
        item = make_resource(
            "Lost guide", source_url=self.url("/missing"), review_by=datetime.date(2020, 1, 1)
        )
        updated = item.updated
        self.run_checks(times=5)
        item.refresh_from_db()
        self.assertEqual(item.review_by, datetime.date(2020, 1, 1))
        self.assertEqual(item.updated, updated)
        self.assertEqual(AuditEvent.objects.filter(action=services.FLAGGED).count(), 1)

    def test_it_leaves_an_item_alone_while_one_of_its_links_works(self):
        item = make_resource(
            "Guide", source_url=self.url("/missing"), body=f"Mirror: {self.url('/ok')}"
        )
        self.run_checks(times=3)
        self.assertFalse(ReviewFlag.objects.filter(resource=item).exists())

    def test_it_flags_an_item_whose_links_all_time_out(self):
        item = make_resource("Guide", body=f"{self.url('/hang')} and {self.url('/missing')}")
        self.run_checks(times=3)
        self.assertTrue(ReviewFlag.objects.filter(resource=item).exists())

    def test_it_lifts_the_flag_when_a_link_works_again(self):
        item = make_resource("Guide", source_url=self.url("/missing"))
        self.run_checks(times=3)
        self.assertTrue(ReviewFlag.objects.filter(resource=item).exists())
        Link.objects.update(url=self.url("/ok"))  # the publisher put it back
        report = services.check()
        self.assertEqual(report.unflagged, 1)
        self.assertFalse(ReviewFlag.objects.exists())
        self.assertTrue(AuditEvent.objects.filter(action=services.UNFLAGGED).exists())
        self.assertIsNotNone(Link.objects.get().last_good)
        self.assertLessEqual(Link.objects.get().last_good, timezone.now())
