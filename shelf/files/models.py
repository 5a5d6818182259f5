from __future__ import annotations

import posixpath
import uuid

from django.conf import settings
from django.db import models, transaction
from django.db.models.signals import post_delete
from django.dispatch import receiver
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from shelf.catalogue.models import Resource
from shelf.lib import filetypes

FORMAT_LABELS = {
    filetypes.PDF: _("PDF"),
    filetypes.DOCX: _("Word document"),
    filetypes.PPTX: _("PowerPoint presentation"),
    filetypes.PNG: _("PNG image"),
    filetypes.JPEG: _("JPEG image"),
}


class FileStatus(models.TextChoices):
    PENDING = "pending", _("Waiting to be read")
    PROCESSING = "processing", _("Being read")
    READY = "ready", _("Ready")
    FAILED = "failed", _("Failed")


def file_path(instance: ResourceFile, filename: str) -> str:
    # Stored names are ours, never the uploader's: no path tricks, no clashes,
    # nothing guessable. The original name is kept in a field.
    ext = filetypes.EXTENSION.get(instance.content_type, "")
    return f"files/{uuid.uuid4().hex}{ext}"


def thumbnail_path(instance: ResourceFile, filename: str) -> str:
    return f"thumbnails/{uuid.uuid4().hex}.webp"


def can_see_drafts(user) -> bool:
    """Curators see the files of drafts and items in review."""
    return bool(user and user.is_staff and user.has_perm("catalogue.change_resource"))


class ResourceFileQuerySet(models.QuerySet):
    def ready(self) -> ResourceFileQuerySet:
        return self.filter(status=FileStatus.READY)

    def visible_to(self, user) -> ResourceFileQuerySet:
        """Files ``user`` may download: ready files of the resources they may
        see; curators also every file of every resource."""
        if can_see_drafts(user):
            return self.all()
        return self.ready().filter(resource__in=Resource.objects.visible_to(user))

    def for_resource(self, resource: Resource, user) -> ResourceFileQuerySet:
        """The files of ``resource`` a detail page lists for ``user``."""
        return self.visible_to(user).ready().filter(resource=resource)


def ready_files_prefetch(to_attr: str = "ready_files") -> models.Prefetch:
    """For lists of resources the caller already filtered with
    ``Resource.objects.visible_to``: their ready files, in one extra query."""
    return models.Prefetch("files", queryset=ResourceFile.objects.ready(), to_attr=to_attr)


class ResourceFile(models.Model):
    resource = models.ForeignKey(
        Resource, on_delete=models.CASCADE, related_name="files", verbose_name=_("resource")
    )
    file = models.FileField(_("file"), upload_to=file_path, max_length=300)
    filename = models.CharField(_("file name"), max_length=255)
    content_type = models.CharField(
        _("content type"), max_length=100, help_text=_("Detected from the content.")
    )
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    size = models.PositiveBigIntegerField(_("size in bytes"))
    page_count = models.PositiveIntegerField(_("pages"), null=True, blank=True)
    thumbnail = models.FileField(
        _("thumbnail"), upload_to=thumbnail_path, max_length=300, blank=True
    )
    status = models.CharField(
        _("status"), max_length=10, choices=FileStatus.choices, default=FileStatus.PENDING
    )
    error = models.TextField(_("error"), blank=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("uploaded by"),
    )
    created = models.DateTimeField(_("uploaded"), auto_now_add=True)
    processed = models.DateTimeField(_("read"), null=True, blank=True)

    objects = ResourceFileQuerySet.as_manager()

    class Meta:
        verbose_name = _("file")
        verbose_name_plural = _("files")
        ordering = ["resource", "created", "id"]
        constraints = [
            models.UniqueConstraint(fields=["resource", "sha256"], name="file_unique_per_resource"),
        ]
        indexes = [models.Index(fields=["status"])]

    def __str__(self) -> str:
        return self.filename

    def get_absolute_url(self) -> str:
        return reverse("files:download", args=[self.pk, self.download_name])

    def get_thumbnail_url(self) -> str:
        return reverse("files:thumbnail", args=[self.pk])

    @property
    def download_name(self) -> str:
        """The uploader's name, with the right extension if it lacked one."""
        name = self.filename or "file"
        ext = filetypes.EXTENSION.get(self.content_type, "")
        if ext and filetypes.CLAIMED.get(posixpath.splitext(name.lower())[1]) != self.content_type:
            name += ext
        return name

    @property
    def error_display(self) -> str:
        """Why reading failed, in the reader's language (stored in English)."""
        from shelf.files import reasons

        return reasons.translate(self.error)

    @property
    def format_label(self) -> str:
        return str(FORMAT_LABELS.get(self.content_type, self.content_type))


class FilePage(models.Model):
    file = models.ForeignKey(ResourceFile, on_delete=models.CASCADE, related_name="pages")
    number = models.PositiveIntegerField(_("page"))
    text = models.TextField(_("text"), blank=True)

    class Meta:
        verbose_name = _("page")
        verbose_name_plural = _("pages")
        ordering = ["file", "number"]
        constraints = [
            models.UniqueConstraint(fields=["file", "number"], name="page_unique_number"),
        ]

    def __str__(self) -> str:
        return f"{self.file} p. {self.number}"


@receiver(post_delete, sender=ResourceFile)
def delete_stored_files(sender, instance: ResourceFile, **kwargs):
    # After the commit, so a rolled-back delete keeps its files.
    names = [f.name for f in (instance.file, instance.thumbnail) if f]
    storage = instance.file.storage

    def delete():
        for name in names:
            storage.delete(name)

    transaction.on_commit(delete)
