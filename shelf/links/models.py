from __future__ import annotations

import datetime

from django.db import models
from django.db.models import Exists, F, OuterRef
from django.utils.translation import gettext_lazy as _

from shelf.catalogue.models import Resource
from shelf.lib import linkcheck
from shelf.lib.weblinks import MAX_LENGTH


class Failure(models.TextChoices):
    """Why a check failed when no HTTP status says it."""

    TIMEOUT = linkcheck.TIMEOUT, _("No answer in time")
    CONNECT = linkcheck.CONNECT, _("Could not connect")
    TLS = linkcheck.TLS, _("Secure connection failed")
    REDIRECTS = linkcheck.REDIRECTS, _("Too many redirects")
    SCHEME = linkcheck.SCHEME, _("Redirects to an address that is not a web page")
    INVALID = linkcheck.INVALID, _("Not a valid address")
    PRIVATE = linkcheck.PRIVATE, _("Points into a private network: not checked")
    OTHER = linkcheck.OTHER, _("Failed")


class Field(models.TextChoices):
    SOURCE_URL = "source_url", _("source URL")
    SUMMARY = "summary", _("summary")
    BODY = "body", _("body")


class LinkQuerySet(models.QuerySet):
    def carried(self) -> LinkQuerySet:
        """Links some item still carries."""
        return self.filter(Exists(ItemLink.objects.filter(link=OuterRef("pk"))))

    def due(self) -> LinkQuerySet:
        """The next to check: never checked first, then the oldest checked."""
        return self.carried().order_by(F("last_checked").asc(nulls_first=True), "pk")

    def unchecked(self) -> LinkQuerySet:
        return self.filter(last_checked__isnull=True)

    def broken(self) -> LinkQuerySet:
        """Failed at the last check."""
        return self.filter(consecutive_failures__gt=0)

    def dead(self, failures: int) -> LinkQuerySet:
        """Failed at ``failures`` checks in a row or more: not one blip."""
        return self.filter(consecutive_failures__gte=failures)

    def working(self) -> LinkQuerySet:
        return self.filter(last_checked__isnull=False, consecutive_failures=0)

    def redirected(self) -> LinkQuerySet:
        """Working, but somewhere else now: the item could link there."""
        return self.working().exclude(final_url=F("url"))

    def slow(self, seconds: float) -> LinkQuerySet:
        return self.working().filter(elapsed__gte=seconds)

    def with_items(self) -> LinkQuerySet:
        return self.prefetch_related(
            models.Prefetch("resources", queryset=Resource.objects.order_by("title"))
        )


class Link(models.Model):
    """One distinct address, whichever items carry it, and its last check."""

    url = models.CharField(_("address"), max_length=MAX_LENGTH, unique=True)
    host = models.CharField(_("host"), max_length=255, db_index=True)
    resources = models.ManyToManyField(
        Resource, through="ItemLink", related_name="web_links", verbose_name=_("items")
    )
    first_seen = models.DateTimeField(_("first seen"), auto_now_add=True)
    last_checked = models.DateTimeField(_("last checked"), null=True, blank=True, db_index=True)
    status_code = models.PositiveSmallIntegerField(_("status code"), null=True, blank=True)
    final_url = models.CharField(_("final address"), max_length=MAX_LENGTH, blank=True)
    # Each response that redirected, in order: {"status": 301, "url": ...}.
    redirects = models.JSONField(_("redirects"), default=list, blank=True)
    elapsed = models.FloatField(_("seconds taken"), null=True, blank=True)
    method = models.CharField(_("method"), max_length=8, blank=True)
    error = models.CharField(_("error"), max_length=20, choices=Failure.choices, blank=True)
    # The HTTP library's own words about the error, for whoever digs deeper.
    detail = models.CharField(_("detail"), max_length=500, blank=True)
    last_good = models.DateTimeField(_("last good"), null=True, blank=True)
    failing_since = models.DateTimeField(_("failing since"), null=True, blank=True)
    consecutive_failures = models.PositiveIntegerField(_("failures in a row"), default=0)

    objects = LinkQuerySet.as_manager()

    class Meta:
        verbose_name = _("link")
        verbose_name_plural = _("links")
        ordering = ["url"]

    def __str__(self) -> str:
        return self.url

    def record(self, result: linkcheck.Result, when: datetime.datetime) -> None:
        """Take in one check's result (not saved)."""
        self.last_checked = when
        self.status_code = result.status
        self.final_url = (result.final_url or self.url)[:MAX_LENGTH]
        self.redirects = result.redirects
        self.elapsed = round(result.elapsed, 3)
        self.method = result.method
        self.error = result.error
        self.detail = result.detail[:500]
        if result.ok:
            self.last_good = when
            self.failing_since = None
            self.consecutive_failures = 0
        else:
            self.failing_since = self.failing_since or when
            self.consecutive_failures += 1

    @property
    def is_broken(self) -> bool:
        return self.consecutive_failures > 0

    @property
    def is_redirected(self) -> bool:
        return bool(self.last_checked) and not self.is_broken and self.final_url != self.url

    @property
    def outcome(self) -> str:
        """What the last check got: "404", "200", or why it failed."""
        if self.error:
            return str(self.get_error_display())
        return str(self.status_code or "")


class ItemLink(models.Model):
    """An item carries a link, in one of its fields."""

    resource = models.ForeignKey(Resource, on_delete=models.CASCADE, related_name="+")
    link = models.ForeignKey(Link, on_delete=models.CASCADE, related_name="+")
    field = models.CharField(_("where"), max_length=20, choices=Field.choices)

    class Meta:
        verbose_name = _("link of an item")
        verbose_name_plural = _("links of items")
        constraints = [
            models.UniqueConstraint(fields=["resource", "link"], name="itemlink_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.resource_id} -> {self.link_id}"


class ReviewFlag(models.Model):
    """An item sent for review because none of its links works any more.
    Removed when one works again; the review date it brought forward stays."""

    resource = models.OneToOneField(
        Resource, on_delete=models.CASCADE, related_name="link_flag", verbose_name=_("item")
    )
    # The link to show as the reason (the source URL when it is one of them).
    link = models.ForeignKey(Link, null=True, on_delete=models.SET_NULL, related_name="+")
    created = models.DateTimeField(_("flagged"), auto_now_add=True)

    class Meta:
        verbose_name = _("item flagged for dead links")
        verbose_name_plural = _("items flagged for dead links")
        ordering = ["-created"]

    def __str__(self) -> str:
        return str(self.resource)
