"""Suggestions of resources from outside the team: a submission is what a
partner or reader sent, never a resource; curators turn it into one."""

from __future__ import annotations

import datetime
import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from shelf.catalogue.models import Resource, Term
from shelf.lib import filetypes, languages


class State(models.TextChoices):
    UNCONFIRMED = "unconfirmed", _("E-mail not confirmed")
    PENDING = "pending", _("Waiting for a curator")
    ACCEPTED = "accepted", _("Accepted as a draft")
    MERGED = "merged", _("Added to an existing item")
    REJECTED = "rejected", _("Rejected")


# Languages a suggestion may be in: the ones Shelf knows by name.
LANGUAGE_CHOICES = [(code, label) for code, label in languages.LABELS.items()]


def submission_path(instance: Submission, filename: str) -> str:
    # Our own name, never the sender's (kept in ``filename``).
    ext = filetypes.EXTENSION.get(instance.content_type, "")
    return f"submissions/{uuid.uuid4().hex}{ext}"


class SubmissionQuerySet(models.QuerySet):
    def queue(self) -> SubmissionQuerySet:
        """Confirmed suggestions no curator has decided on yet."""
        return self.filter(state=State.PENDING)

    def stale(self, days: int, now: datetime.datetime | None = None) -> SubmissionQuerySet:
        """Unconfirmed suggestions sent more than ``days`` days ago."""
        cutoff = (now or timezone.now()) - datetime.timedelta(days=days)
        return self.filter(state=State.UNCONFIRMED, created__lt=cutoff)


class Submission(models.Model):
    title = models.CharField(_("title"), max_length=500)
    summary = models.TextField(_("summary"))
    publisher = models.CharField(_("publisher"), max_length=200, blank=True)
    language = models.CharField(_("language"), max_length=35, choices=LANGUAGE_CHOICES)
    url = models.URLField(_("link"), max_length=1000, blank=True)
    file = models.FileField(_("file"), upload_to=submission_path, max_length=300, blank=True)
    filename = models.CharField(_("file name"), max_length=255, blank=True)
    content_type = models.CharField(_("content type"), max_length=100, blank=True)
    size = models.PositiveBigIntegerField(_("size in bytes"), null=True, blank=True)
    sha256 = models.CharField(_("SHA-256"), max_length=64, blank=True)
    email = models.EmailField(_("contact e-mail"))
    # The interface language the sender used: every e-mail to them is in it.
    interface_language = models.CharField(_("sender's language"), max_length=10)
    terms = models.ManyToManyField(
        Term, blank=True, related_name="+", verbose_name=_("suggested terms")
    )
    state = models.CharField(
        _("state"), max_length=12, choices=State.choices, default=State.UNCONFIRMED
    )
    reason = models.TextField(_("reason for rejecting"), blank=True)
    # The draft it became, or the item it was added to.
    resource = models.ForeignKey(
        Resource,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="submissions",
        verbose_name=_("resource"),
    )
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("sent by"),
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("decided by"),
    )
    created = models.DateTimeField(_("sent"), auto_now_add=True)
    confirmed = models.DateTimeField(_("confirmed"), null=True, blank=True)
    decided = models.DateTimeField(_("decided"), null=True, blank=True)

    objects = SubmissionQuerySet.as_manager()

    class Meta:
        verbose_name = _("suggestion")
        verbose_name_plural = _("suggestions")
        ordering = ["-created"]
        indexes = [models.Index(fields=["state", "created"])]
        permissions = [
            ("submit_directly", _("Can suggest resources that become drafts without moderation")),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_open(self) -> bool:
        return self.state == State.PENDING

    def confirm(self) -> bool:
        """Put a confirmed suggestion in the queue; False if it was already."""
        if self.state != State.UNCONFIRMED:
            return False
        self.state = State.PENDING
        self.confirmed = timezone.now()
        self.save(update_fields=["state", "confirmed"])
        return True

    def delete_stored_file(self) -> None:
        """Remove the sent file from storage, after the commit (a rolled-back
        decision keeps it)."""
        from django.db import transaction

        if not self.file:
            return
        name, storage = self.file.name, self.file.storage
        transaction.on_commit(lambda: storage.delete(name))
