import datetime
from io import StringIO

from django.core.management import CommandError, call_command
from django.test import TestCase
from django.utils import timezone

from shelf.stats.models import DailyCount, Kind


class PurgeTestCase(TestCase):
    def setUp(self):
        today = timezone.localdate()
        for days_ago in (0, 29, 30, 200):
            day = today - datetime.timedelta(days=days_ago)
            DailyCount.objects.create(day=day, kind=Kind.ZERO, key=f"q{days_ago}", count=1)
            DailyCount.objects.create(day=day, kind=Kind.VIEW, key="1", count=1)

    def test_it_deletes_search_words_older_than_the_setting_and_keeps_other_counts(self):
        out = StringIO()
        with self.settings(STATS_QUERY_DAYS=30):
            call_command("purge_stats", stdout=out)
        words = set(DailyCount.objects.filter(kind=Kind.ZERO).values_list("key", flat=True))
        self.assertEqual(words, {"q0", "q29"})
        self.assertEqual(DailyCount.objects.filter(kind=Kind.VIEW).count(), 4)
        self.assertIn("2 search-word counts deleted.", out.getvalue())

    def test_it_takes_another_number_of_days(self):
        call_command("purge_stats", "--days", "1", stdout=StringIO())
        self.assertEqual(
            list(DailyCount.objects.filter(kind=Kind.ZERO).values_list("key", flat=True)), ["q0"]
        )

    def test_it_refuses_a_period_that_would_delete_today(self):
        with self.assertRaisesMessage(CommandError, "--days must be 1 or more."):
            call_command("purge_stats", "--days", "0")
        self.assertEqual(DailyCount.objects.filter(kind=Kind.ZERO).count(), 4)
