"""What needs a curator's attention: the dashboard's lists."""

from __future__ import annotations

import datetime

from django.apps import apps
from django.db.models import Exists, OuterRef
from django.utils import timezone

from shelf.catalogue.models import Resource, Status

LIMIT = 50


def is_superseded():
    """True for an item a published edition replaces: readers are sent to
    the newer one, so the old one's review can wait."""
    return Exists(Resource.objects.filter(supersedes=OuterRef("pk"), status=Status.PUBLISHED))


def past_review(today: datetime.date | None = None):
    today = today or timezone.localdate()
    return (
        Resource.objects.exclude(status=Status.ARCHIVED)
        .filter(review_by__lt=today)
        .order_by("review_by", "title")
    )


def overdue(today: datetime.date | None = None):
    """Current items, live or not, whose "review by" date has passed."""
    return past_review(today).filter(~is_superseded())


def superseded(today: datetime.date | None = None):
    """Superseded editions past their review date, listed below the rest."""
    return past_review(today).filter(is_superseded())


def in_review():
    """Items waiting for a reviewer; approved ones show their publish date."""
    return Resource.objects.filter(status=Status.REVIEW).order_by("publish_at", "updated")


def drafts():
    return Resource.objects.filter(status=Status.DRAFT).order_by("-updated")


def failed_files() -> list:
    """Files whose reading or text extraction failed, newest first, with
    their resource. The hook for ``shelf.files``: empty until it is installed."""
    if not apps.is_installed("shelf.files"):
        return []
    ResourceFile = apps.get_model("files", "ResourceFile")
    failed = ResourceFile.objects.filter(status="failed").select_related("resource")
    return list(failed.order_by("-created")[:LIMIT])
