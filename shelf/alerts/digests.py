"""The digests ``shelf send_alerts`` sends.

Each due alert's search runs through ``shelf.search.browse`` (the one call
that applies permissions) as the alert's reader, decided again now: the
public, or the follower's account while it is active and has the alert's
address. A digest lists the items new or changed since the last one,
newest change first, leaves out what an earlier digest already sent, and
is recorded in the same transaction that sends it: if the mail server
refuses it, nothing is recorded and the next run tries again; once it is
recorded no run sends it again.
"""

from __future__ import annotations

import datetime
import logging
from dataclasses import dataclass, field

import numpy as np
from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation

from shelf.alerts import services, tokens
from shelf.alerts.describe import describe
from shelf.alerts.models import Alert, Digest, DigestItem
from shelf.catalogue.models import Resource
from shelf.front import listing
from shelf.search import browse as catalogue

log = logging.getLogger(__name__)


@dataclass
class Found:
    """What is new for one alert: every new item's (id, updated) and the
    first SHELF_ALERTS_MAX_ITEMS of them, to show."""

    changes: list[tuple[int, datetime.datetime]]
    shown: list[Resource]
    # The ids among them no earlier digest sent (the others were updated since).
    new: set[int] = field(default_factory=set)

    @property
    def count(self) -> int:
        return len(self.changes)


@dataclass
class Report:
    sent: int = 0
    checked: int = 0
    failed: list[str] = field(default_factory=list)
    purged: int = 0


def new_items(alert: Alert, reader, now: datetime.datetime) -> Found:
    """The items of ``alert``'s search that ``reader`` may see and that
    changed in the digest's window, newest change first."""
    changed = dict(
        Resource.objects.visible_to(reader)
        .filter(updated__gt=alert.window_start(), updated__lte=now)
        .values_list("id", "updated")
    )
    if not changed:
        return Found([], [])
    ids = catalogue.listing_ids(alert.search(), reader)
    matching = [int(i) for i in ids[np.isin(ids, np.fromiter(changed, dtype=np.int64))]]
    sent = sent_before(alert, matching)
    changes = [(i, changed[i]) for i in matching if (i, changed[i]) not in sent]
    changes.sort(key=lambda change: (change[1], change[0]), reverse=True)
    cap = settings.SHELF_ALERTS_MAX_ITEMS
    shown = catalogue.resources_of([i for i, _updated in changes[:cap]], reader)
    earlier = {i for i, _updated in sent}
    return Found(changes, shown, {i for i, _updated in changes if i not in earlier})


def sent_before(
    alert: Alert, ids: list[int], chunk: int = 500
) -> set[tuple[int, datetime.datetime]]:
    """(id, updated) of what earlier digests of ``alert`` sent among ``ids``."""
    found = set()
    for n in range(0, len(ids), chunk):
        found |= set(
            DigestItem.objects.filter(
                digest__alert=alert, resource_id__in=ids[n : n + chunk]
            ).values_list("resource_id", "updated")
        )
    return found


def absolute(path: str) -> str:
    return settings.SITE_ROOT + path


def listing_url(alert: Alert) -> str:
    """The whole listing of the alert's search, newest first."""
    query = alert.search()
    return absolute(listing.href(reverse("front:resources"), query.url(page=1)))


def unsubscribe_url(alert: Alert) -> str:
    return absolute(reverse("alerts-unsubscribe", args=[tokens.unsubscribe(alert.key)]))


def message(alert: Alert, found: Found, reader) -> EmailMultiAlternatives:
    """The digest, in the subscriber's language (the caller's override)."""
    path = reverse("front:resources")
    rows = listing.rows(catalogue.Results(alert.search(), 0, 1, 1, found.shown, []), path)
    ctx = {
        "site_name": settings.SHELF_SITE_NAME,
        "site_root": settings.SITE_ROOT,
        "what": describe(alert.search(), reader),
        "count": found.count,
        "more": found.count - len(found.shown),
        "items": [
            {
                "resource": row.resource,
                "url": absolute(row.url),
                "publishers": ", ".join(p.label for p in row.publishers),
                "new": row.resource.pk in found.new,
            }
            for row in rows
        ],
        "listing_url": listing_url(alert),
        "unsubscribe_url": unsubscribe_url(alert),
        "frequency": alert.get_frequency_display(),
        "language": alert.language,
        "bidi": translation.get_language_bidi(),
    }
    subject = " ".join(render_to_string("alerts/email/digest_subject.txt", ctx).split())
    text = render_to_string("alerts/email/digest.txt", ctx)
    html = render_to_string("alerts/email/digest.html", ctx)
    email = EmailMultiAlternatives(
        subject,
        text,
        to=[alert.email],
        headers={
            # RFC 2369 and RFC 8058: mail programs offer "unsubscribe" and
            # POST to this address, without cookies, to do it in one click.
            "List-Unsubscribe": f"<{ctx['unsubscribe_url']}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
            "Auto-Submitted": "auto-generated",
        },
    )
    email.attach_alternative(html, "text/html")
    return email


def send_digest(alert: Alert, now: datetime.datetime, connection) -> bool:
    """Send ``alert``'s digest if anything is new; True when one was sent."""
    reader = alert.reader()
    with translation.override(alert.language):
        found = new_items(alert, reader, now)
        if not found.count:
            return False
        email = message(alert, found, reader)
    with transaction.atomic():
        # Claim the alert: a second run at the same time finds ``since``
        # moved on and sends nothing.
        claimed = Alert.objects.filter(pk=alert.pk, since=alert.since).update(
            since=now, last_sent=now
        )
        if not claimed:
            return False
        digest = Digest.objects.create(alert=alert, sent=now, count=found.count)
        DigestItem.objects.bulk_create(
            [DigestItem(digest=digest, resource_id=i, updated=u) for i, u in found.changes],
            batch_size=1000,
        )
        # Inside the transaction: a refusal rolls the record back.
        connection.send_messages([email])
    return True


def send_or_follow_terms(alert: Alert, now: datetime.datetime, connection) -> bool:
    try:
        return send_digest(alert, now, connection)
    except catalogue.QueryError:
        if not alert.follow_moved_terms():
            raise
        return send_digest(alert, now, connection)


def send_due(now: datetime.datetime | None = None) -> Report:
    now = now or timezone.now()
    report = Report(purged=services.purge_unconfirmed(now))
    connection = get_connection()
    for alert in Alert.objects.due(now).select_related("user").order_by("pk").iterator():
        report.checked += 1
        try:
            report.sent += send_or_follow_terms(alert, now, connection)
        except catalogue.QueryError as e:
            # A term of the saved search is gone: the alert stays, and says so.
            report.failed.append(f"alert {alert.pk}: {e}")
        except Exception as e:  # one alert's trouble must not stop the others
            log.exception("Could not send the digest of alert %s", alert.pk)
            report.failed.append(f"alert {alert.pk}: {e}")
    return report
