"""Offline packs: a listing turned into a zip of a static site.

A pack is built off the request path (``shelf.packs.tasks``); the row
records what was asked, by whom, how far the build got, and the stored zip.
"""

from __future__ import annotations

import datetime
import hashlib
import json
import uuid

from django.conf import settings
from django.db import models
from django.db.models import Max
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from shelf.search import browse

# A pack not built within this time is not handed out again: a new request
# queues a new build.
STALLED_HOURS = 1


class PackStatus(models.TextChoices):
    QUEUED = "queued", _("Waiting to be built")
    BUILDING = "building", _("Being built")
    READY = "ready", _("Ready")
    FAILED = "failed", _("Failed")


def pack_path(instance: Pack, filename: str) -> str:
    # Like attached files: our own unguessable names, never served directly.
    return f"packs/{uuid.uuid4().hex}.zip"


def catalogue_state() -> int:
    """A number that changes whenever anything search (and so a pack) would
    show changes: the last row of the search change feed."""
    from shelf.search.models import SearchChange

    return SearchChange.objects.aggregate(last=Max("id"))["last"] or 0


def request_key(params: list[tuple[str, str]], language: str, owner_id: int | None) -> str:
    """Equal requests against the same catalogue state share a key."""
    text = json.dumps([params, language, owner_id, catalogue_state()])
    return hashlib.sha256(text.encode()).hexdigest()


class PackQuerySet(models.QuerySet):
    def current(self) -> PackQuerySet:
        return self.filter(expires__gt=timezone.now())

    def expired(self) -> PackQuerySet:
        return self.filter(expires__lte=timezone.now())

    def reusable(self, key: str) -> Pack | None:
        """A recent pack for the same request and catalogue state, unless
        its build failed or has been waiting so long that its worker must
        have died."""
        stalled = timezone.now() - datetime.timedelta(hours=STALLED_HOURS)
        live = self.current().filter(key=key).exclude(status=PackStatus.FAILED)
        live = live.exclude(
            status__in=[PackStatus.QUEUED, PackStatus.BUILDING], created__lt=stalled
        )
        return live.order_by("-created").first()


class Pack(models.Model):
    token = models.UUIDField(_("token"), default=uuid.uuid4, unique=True, editable=False)
    key = models.CharField(_("request key"), max_length=64, db_index=True)
    # The listing's canonical query string pairs (shelf.search.browse.Query.params).
    params = models.JSONField(_("query"), default=list)
    language = models.CharField(_("interface language"), max_length=10)
    # Set when the pack holds what this person may see beyond public items:
    # then it is theirs alone. None: public items only, for anyone with the link.
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("owner"),
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("requested by"),
    )
    status = models.CharField(
        _("status"), max_length=10, choices=PackStatus.choices, default=PackStatus.QUEUED
    )
    progress = models.PositiveSmallIntegerField(_("progress (%)"), default=0)
    item_count = models.PositiveIntegerField(_("items"), default=0)
    file_count = models.PositiveIntegerField(_("files"), default=0)
    size = models.PositiveBigIntegerField(_("size in bytes"), default=0)
    zip_file = models.FileField(_("zip file"), upload_to=pack_path, max_length=300, blank=True)
    error = models.TextField(_("error"), blank=True)
    created = models.DateTimeField(_("requested"), default=timezone.now)
    finished = models.DateTimeField(_("built"), null=True, blank=True)
    expires = models.DateTimeField(_("expires"))

    objects = PackQuerySet.as_manager()

    class Meta:
        verbose_name = _("offline pack")
        verbose_name_plural = _("offline packs")
        ordering = ["-created"]
        indexes = [models.Index(fields=["expires"])]

    def __str__(self) -> str:
        return str(self.token)

    def save(self, *args, **kwargs):
        if self.expires is None:
            self.expires = self.created + datetime.timedelta(days=settings.SHELF_PACK_DAYS)
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        return reverse("packs:status", args=[self.token])

    def get_download_url(self) -> str:
        return reverse("packs:download", args=[self.token])

    @property
    def query(self) -> browse.Query:
        from django.http import QueryDict

        data = QueryDict(mutable=True)
        for name, value in self.params:
            data.appendlist(name, value)
        return browse.parse(data)

    @property
    def listing_url(self) -> str:
        return reverse("front:resources") + self.query.url().rstrip("?")

    def may_have(self, user) -> bool:
        """Public packs are anyone's who has the link; the others their owner's."""
        if self.owner_id is None:
            return True
        return bool(user and user.is_authenticated and user.pk == self.owner_id)

    @property
    def is_expired(self) -> bool:
        return self.expires <= timezone.now()

    @property
    def is_ready(self) -> bool:
        return self.status == PackStatus.READY and bool(self.zip_file) and not self.is_expired

    @property
    def in_progress(self) -> bool:
        return self.status in (PackStatus.QUEUED, PackStatus.BUILDING) and not self.is_expired

    def delete_zip(self) -> None:
        if self.zip_file:
            self.zip_file.storage.delete(self.zip_file.name)
