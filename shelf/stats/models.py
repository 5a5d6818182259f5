"""Daily counts of what readers do, and nothing about who did it.

One row per day, kind and key (an item's id, a search's text, a facet
value, a language): the counters (shelf.stats.counting) add to it in
batches. There is no column for an address, a session, a user or a time of
day, so no row can name or follow a reader.
"""

from __future__ import annotations

import datetime

from django.db import models
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Kind(models.TextChoices):
    VIEW = "view", _("item views")  # key: the resource's id
    DOWNLOAD = "download", _("file downloads")  # key: the resource's id
    SEARCH = "search", _("searches")  # key: "page" or "api"
    ZERO = "zero", _("searches with no results")  # key: the normalised query text
    FACET = "facet", _("facet values chosen")  # key: "vocabulary:slug"
    LANGUAGE = "language", _("interface languages")  # key: the language code


class DailyCountQuerySet(models.QuerySet):
    def between(self, first: datetime.date, last: datetime.date) -> DailyCountQuerySet:
        return self.filter(day__gte=first, day__lte=last)

    def per_day(self, kind: str) -> dict[datetime.date, int]:
        rows = self.filter(kind=kind).values("day").annotate(n=Sum("count"))
        return {row["day"]: row["n"] for row in rows}

    def top(self, kind: str, limit: int) -> list[tuple[str, int]]:
        """The keys of ``kind`` counted most, with their totals, most first
        (ties in key order, so the list is stable)."""
        rows = (
            self.filter(kind=kind)
            .values("key")
            .annotate(n=Sum("count"))
            .order_by("-n", "key")[:limit]
        )
        return [(row["key"], row["n"]) for row in rows]

    def totals(self, kind: str, keys: list[str]) -> dict[str, int]:
        rows = self.filter(kind=kind, key__in=keys).values("key").annotate(n=Sum("count"))
        return {row["key"]: row["n"] for row in rows}

    def total(self, kind: str) -> int:
        return self.filter(kind=kind).aggregate(n=Sum("count"))["n"] or 0

    def purge_queries(self, keep_days: int, today: datetime.date | None = None) -> int:
        """Delete search words counted before the last ``keep_days`` days
        (today included); returns how many rows went."""
        today = today or timezone.localdate()
        oldest = today - datetime.timedelta(days=keep_days - 1)
        deleted, _by_model = self.filter(kind=Kind.ZERO, day__lt=oldest).delete()
        return deleted


class DailyCount(models.Model):
    day = models.DateField(_("day"))
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    key = models.CharField(_("key"), max_length=200)
    count = models.PositiveBigIntegerField(_("count"), default=0)

    objects = DailyCountQuerySet.as_manager()

    class Meta:
        verbose_name = _("daily count")
        verbose_name_plural = _("daily counts")
        constraints = [
            # The target of the counters' upsert (INSERT ... ON CONFLICT).
            models.UniqueConstraint(fields=["day", "kind", "key"], name="stats_one_count_per_key"),
        ]
        indexes = [models.Index(fields=["kind", "day"], name="stats_kind_day")]

    def __str__(self) -> str:
        return f"{self.day} {self.kind} {self.key}: {self.count}"
