"""Reading uploaded files off the request path (django-tasks; the database
backend's ``shelf db_worker`` runs them)."""

from __future__ import annotations

import logging
import shutil
import tempfile
from contextlib import contextmanager
from pathlib import Path

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_noop
from django_tasks import task

from shelf.files.models import FilePage, FileStatus, ResourceFile
from shelf.lib import extract
from shelf.lib.filetypes import FileProblem

logger = logging.getLogger(__name__)


@task()
def extract_file(file_id: int) -> str:
    """Never raises for a bad file: the file is marked failed with the reason."""
    return read_file(file_id)


def read_file(file_id: int) -> str:
    item = ResourceFile.objects.filter(pk=file_id).first()
    if item is None:
        return "gone"
    ResourceFile.objects.filter(pk=item.pk).update(status=FileStatus.PROCESSING, error="")
    try:
        with local_copy(item) as path:
            result = run_extractor(path, item.content_type)
        save_result(item, result)
    except FileProblem as problem:
        return mark_failed(item, str(problem))
    except Exception:
        logger.exception("extraction of file %s failed", item.pk)
        return mark_failed(
            item, gettext_noop("The file could not be read because of an unexpected error.")
        )
    return FileStatus.READY


def run_extractor(path: Path, content_type: str) -> extract.Extracted:
    if settings.SHELF_EXTRACT_ISOLATED:
        return extract.extract_isolated(
            path,
            content_type,
            timeout=settings.SHELF_EXTRACT_TIMEOUT,
            memory_mb=settings.SHELF_EXTRACT_MEMORY_MB,
        )
    return extract.extract(path, content_type)


@contextmanager
def local_copy(item: ResourceFile):
    """A path on this machine: the stored file itself, or a temporary copy
    when the storage is remote (S3)."""
    try:
        path = item.file.path
    except NotImplementedError:
        path = None
    if path:
        yield Path(path)
        return
    with tempfile.NamedTemporaryFile(prefix="shelf-extract-") as tmp:
        with item.file.open("rb") as f:
            shutil.copyfileobj(f, tmp)
        tmp.flush()
        yield Path(tmp.name)


def save_result(item: ResourceFile, result: extract.Extracted) -> None:
    old_thumbnail = item.thumbnail.name
    if result.thumbnail:
        item.thumbnail.save("thumbnail.webp", ContentFile(result.thumbnail), save=False)
    with transaction.atomic():
        FilePage.objects.filter(file=item).delete()
        FilePage.objects.bulk_create(
            [
                FilePage(file=item, number=number, text=text)
                for number, text in enumerate(result.pages, start=1)
            ],
            batch_size=500,
        )
        item.page_count = result.page_count
        item.status = FileStatus.READY
        item.error = ""
        item.processed = timezone.now()
        item.save(update_fields=["thumbnail", "page_count", "status", "error", "processed"])
    if old_thumbnail and old_thumbnail != item.thumbnail.name:
        item.thumbnail.storage.delete(old_thumbnail)


def mark_failed(item: ResourceFile, message: str) -> str:
    with transaction.atomic():
        FilePage.objects.filter(file=item).delete()
        item.status, item.error = FileStatus.FAILED, message
        item.page_count, item.processed = None, timezone.now()
        # A save, not an update: search hears of it and drops the old text.
        item.save(update_fields=["status", "error", "page_count", "processed"])
    return FileStatus.FAILED
