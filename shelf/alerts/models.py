"""Saved searches followed by e-mail, and the digests sent for them.

An alert holds the listing's canonical query string (``Query.params()``
without the sort and page), who gets it, how often and in which language.
Only confirmed alerts are sent. ``since`` is where the next digest starts;
each digest records the items it held (with the ``updated`` time they had),
so a digest never repeats what an earlier one sent.
"""

from __future__ import annotations

import datetime
import secrets

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.db import IntegrityError, models, transaction
from django.db.models import Q
from django.http import QueryDict
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy as _

from shelf.search import browse as catalogue

# A daily cron job does not run at exactly the same second each day: an
# alert sent at 06:00:05 is due again at 06:00:00 the next day.
LEEWAY = datetime.timedelta(hours=1)


class Frequency(models.TextChoices):
    DAILY = "daily", _("Daily")
    WEEKLY = "weekly", _("Weekly")


PERIODS = {
    Frequency.DAILY: datetime.timedelta(days=1),
    Frequency.WEEKLY: datetime.timedelta(days=7),
}


def new_key() -> str:
    return secrets.token_urlsafe(18)


def canonical(query: catalogue.Query) -> str:
    """The stored form of a listing: its query and filters, in the order
    ``Query.params`` gives them (sort and page do not change what matches)."""
    return urlencode(query.params(sort="relevance", page=1))


class AlertQuerySet(models.QuerySet):
    def confirmed(self) -> AlertQuerySet:
        return self.filter(confirmed_at__isnull=False)

    def due(self, now: datetime.datetime) -> AlertQuerySet:
        """Confirmed alerts whose last digest is a period old (or that have
        had none yet)."""
        last_due = Q(last_sent__isnull=True)
        for frequency, period in PERIODS.items():
            last_due |= Q(frequency=frequency, last_sent__lte=now - period + LEEWAY)
        return self.confirmed().filter(last_due)

    def unconfirmed_before(self, when: datetime.datetime) -> AlertQuerySet:
        return self.filter(confirmed_at__isnull=True, created__lt=when)


class Alert(models.Model):
    email = models.EmailField(_("e-mail address"))
    # The canonical query string of the listing followed, e.g. "q=grooming&audience=parents".
    query = models.TextField(_("search"), blank=True)
    frequency = models.CharField(
        _("frequency"), max_length=10, choices=Frequency.choices, default=Frequency.WEEKLY
    )
    language = models.CharField(_("language"), max_length=10, choices=settings.LANGUAGES)
    # Set only when the follower was signed in with this very address: the
    # digest is then read as that account (members-only items included).
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="alerts",
        verbose_name=_("account"),
    )
    # Random, so links name an alert without giving away how many there are.
    key = models.CharField(max_length=32, unique=True, default=new_key, editable=False)
    created = models.DateTimeField(_("created"), auto_now_add=True)
    confirmation_sent = models.DateTimeField(_("confirmation sent"), null=True, blank=True)
    confirmed_at = models.DateTimeField(_("confirmed"), null=True, blank=True)
    # The next digest holds what changed after this (confirmation, then each digest).
    since = models.DateTimeField(_("new since"), null=True, blank=True)
    last_sent = models.DateTimeField(_("last digest"), null=True, blank=True)

    objects = AlertQuerySet.as_manager()

    class Meta:
        verbose_name = _("search alert")
        verbose_name_plural = _("search alerts")
        constraints = [
            models.UniqueConstraint(fields=["email", "query"], name="alert_email_query_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.email}: {self.query or '*'} ({self.frequency})"

    @property
    def is_confirmed(self) -> bool:
        return self.confirmed_at is not None

    def search(self) -> catalogue.Query:
        """The saved listing, newest first (a digest lists what is new)."""
        query = catalogue.parse(QueryDict(self.query))
        query.sort = "newest"
        return query

    def follow_moved_terms(self) -> bool:
        """Save the query with today's slugs of its renamed or merged terms,
        as the listing redirects to them; True when it changed."""
        from shelf.curation import terms

        moved = terms.moved(QueryDict(self.query))
        if moved is None:
            return False
        query = canonical(catalogue.parse(QueryDict(moved.removeprefix("?"))))
        try:
            with transaction.atomic():
                Alert.objects.filter(pk=self.pk).update(query=query)
        except IntegrityError:  # the address follows that search already
            return False
        self.query = query
        return True

    def reader(self):
        """Whom the digest is read as, decided again at every send: the
        account only while it is active and still has this address;
        otherwise the public."""
        user = self.user
        if user is not None and user.is_active and user.email.lower() == self.email:
            return user
        return AnonymousUser()

    def window_start(self) -> datetime.datetime:
        """Where this digest looks back to: an hour before the last one, so
        an item saved just before it and committed just after is not lost
        (what was sent already is left out by the digest's records)."""
        start = self.since or self.confirmed_at or timezone.now()
        return max(start - LEEWAY, self.confirmed_at or start)


class Digest(models.Model):
    alert = models.ForeignKey(
        Alert, on_delete=models.CASCADE, related_name="digests", verbose_name=_("alert")
    )
    sent = models.DateTimeField(_("sent"), default=timezone.now)
    # How many items were new (the message lists at most SHELF_ALERTS_MAX_ITEMS).
    count = models.PositiveIntegerField(_("new items"), default=0)

    class Meta:
        verbose_name = _("digest")
        verbose_name_plural = _("digests")
        ordering = ["-sent"]

    def __str__(self) -> str:
        return f"{self.alert_id} {self.sent:%Y-%m-%d %H:%M}: {self.count}"


class DigestItem(models.Model):
    digest = models.ForeignKey(Digest, on_delete=models.CASCADE, related_name="items")
    resource = models.ForeignKey("catalogue.Resource", on_delete=models.CASCADE, related_name="+")
    # The item's ``updated`` time when sent: a later change makes it new again.
    updated = models.DateTimeField()

    def __str__(self) -> str:
        return f"{self.digest_id}: {self.resource_id}"
