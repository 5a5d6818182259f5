"""Shared helpers for the statistics tests."""

from django.utils import timezone

from shelf.stats.counter import COUNTER
from shelf.stats.models import DailyCount

BROWSER = (
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 "
    "(KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36"
)
GOOGLEBOT = "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)"


def stored() -> dict[tuple[str, str], int]:
    """What has been written, after writing what is pending: (kind, key) -> count."""
    COUNTER.flush()
    return {(c.kind, c.key): c.count for c in DailyCount.objects.filter(day=timezone.localdate())}
