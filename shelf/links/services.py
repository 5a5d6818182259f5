"""Collecting items' links, checking them, and sending items whose links
are all dead for review."""

from __future__ import annotations

import datetime
import unicodedata
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone

from shelf.catalogue.models import Resource, Status
from shelf.curation import audit
from shelf.lib import linkcheck
from shelf.lib.weblinks import find_urls, host_of, is_web_url
from shelf.links.models import Field, ItemLink, Link, ReviewFlag

BATCH = 500
FLAGGED = "links dead"
UNFLAGGED = "links working"


@dataclass
class Collected:
    items: int = 0
    added: int = 0
    removed: int = 0


@dataclass
class Checked:
    checked: int = 0
    broken: int = 0
    flagged: int = 0
    unflagged: int = 0


def links_of(source_url: str, summary: str, body: str) -> dict[str, str]:
    """An item's addresses, each with the first field it is in."""
    found: dict[str, str] = {}
    if is_web_url(source_url):
        found[source_url] = Field.SOURCE_URL
    for field, text in ((Field.SUMMARY, summary), (Field.BODY, body)):
        for url in find_urls(text):
            found.setdefault(url, field)
    return found


def collect() -> Collected:
    """Bring the links of every item up to date with its fields. Archived
    items carry none: readers no longer reach them."""
    report = Collected()
    rows = Resource.objects.exclude(status=Status.ARCHIVED).order_by("pk")
    rows = rows.values_list("pk", "source_url", "summary", "body")
    last = 0
    # By ranges of ids: each batch commits on its own, no cursor stays open.
    while chunk := list(rows.filter(pk__gt=last)[:BATCH]):
        last = chunk[-1][0]
        wanted = {pk: links_of(url, summary, body) for pk, url, summary, body in chunk}
        added, removed = _sync(wanted)
        report.items += len(chunk)
        report.added += added
        report.removed += removed
    with transaction.atomic():
        archived = Resource.objects.filter(status=Status.ARCHIVED).values("pk")
        report.removed += ItemLink.objects.filter(resource__in=archived).delete()[0]
        # Nothing carries them any more; if an item takes one up again it
        # starts afresh.
        Link.objects.exclude(Exists(ItemLink.objects.filter(link=OuterRef("pk")))).delete()
    return report


@transaction.atomic
def _sync(wanted: dict[int, dict[str, str]]) -> tuple[int, int]:
    urls = {url for found in wanted.values() for url in found}
    ids = dict(Link.objects.filter(url__in=urls).values_list("url", "pk"))
    if new := urls - ids.keys():
        # ignore_conflicts: another run may have added one meanwhile.
        Link.objects.bulk_create(
            [Link(url=url, host=host_of(url)) for url in new], ignore_conflicts=True
        )
        ids.update(Link.objects.filter(url__in=new).values_list("url", "pk"))
    have = {
        (resource, link): pk
        for pk, resource, link in ItemLink.objects.filter(resource__in=wanted).values_list(
            "pk", "resource_id", "link_id"
        )
    }
    want = {
        (resource, ids[url]): field
        for resource, found in wanted.items()
        for url, field in found.items()
    }
    stale = [pk for pair, pk in have.items() if pair not in want]
    ItemLink.objects.filter(pk__in=stale).delete()
    fresh = [
        ItemLink(resource_id=resource, link_id=link, field=field)
        for (resource, link), field in want.items()
        if (resource, link) not in have
    ]
    ItemLink.objects.bulk_create(fresh)
    return len(fresh), len(stale)


def user_agent() -> str:
    """Names the site and where to find it, so a publisher seeing the
    requests knows who asks. Headers are ASCII: accents are dropped, and a
    name with no Latin letters leaves just the address."""
    name = unicodedata.normalize("NFKD", settings.SHELF_SITE_NAME)
    name = " ".join(name.encode("ascii", "ignore").decode().split())
    agent = f"link checker (+{settings.SITE_ROOT}/)"
    return f"{name} {agent}" if name else agent


def checker() -> linkcheck.Checker:
    return linkcheck.Checker(
        user_agent=user_agent(),
        connect_timeout=settings.SHELF_LINKS_CONNECT_TIMEOUT,
        read_timeout=settings.SHELF_LINKS_READ_TIMEOUT,
        max_redirects=settings.SHELF_LINKS_MAX_REDIRECTS,
        host_interval=settings.SHELF_LINKS_HOST_INTERVAL,
        workers=settings.SHELF_LINKS_WORKERS,
        allow_private=settings.SHELF_LINKS_ALLOW_PRIVATE,
    )


def check(*, limit: int | None = None, using: linkcheck.Checker | None = None) -> Checked:
    """Check the ``limit`` links checked longest ago (never checked first),
    then flag and unflag items."""
    limit = settings.SHELF_LINKS_PER_RUN if limit is None else limit
    due = {link.url: link for link in Link.objects.due()[:limit]}
    report = Checked()
    for result in (using or checker()).check_all(list(due)):
        link = due[result.url]
        link.record(result, timezone.now())
        link.save()
        report.checked += 1
        report.broken += link.is_broken
    report.flagged, report.unflagged = update_flags()
    return report


def dead_items(failures: int | None = None):
    """Items with links, none of which works: each failed ``failures``
    checks in a row or more."""
    failures = settings.SHELF_LINKS_DEAD_AFTER if failures is None else failures
    links = ItemLink.objects.filter(resource=OuterRef("pk"))
    alive = links.exclude(link__consecutive_failures__gte=failures)
    return Resource.objects.exclude(status=Status.ARCHIVED).filter(Exists(links), ~Exists(alive))


@transaction.atomic
def update_flags(today: datetime.date | None = None) -> tuple[int, int]:
    today = today or timezone.localdate()
    dead = dead_items()
    flagged = 0
    for resource in dead.filter(link_flag__isnull=True):
        flag(resource, today)
        flagged += 1
    cleared = ReviewFlag.objects.exclude(resource__in=dead.values("pk")).select_related("resource")
    unflagged = 0
    for item in cleared:
        audit.record(None, UNFLAGGED, item.resource)
        item.delete()
        unflagged += 1
    return flagged, unflagged


def flag(resource: Resource, today: datetime.date) -> ReviewFlag:
    """Put the item on the curators' list of items past their review date
    (the day before today, so it is overdue at once), with the reason."""
    links = ItemLink.objects.filter(resource=resource).select_related("link")
    # The source URL is the link that matters most; show it as the reason.
    shown = min(links, key=lambda item: item.field != Field.SOURCE_URL).link
    due = today - datetime.timedelta(days=1)
    if resource.review_by is None or resource.review_by > due:
        resource.review_by = due
        resource._change_reason = "review: no working link"
        # Not an edit readers should hear of: ``updated`` stays as it was.
        resource.save(update_fields=["review_by"])
    audit.record(
        None,
        FLAGGED,
        resource,
        urls=[item.link.url for item in links],
        failures=shown.consecutive_failures,
    )
    return ReviewFlag.objects.create(resource=resource, link=shown)
