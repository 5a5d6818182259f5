"""Attaching a file to a resource: validate everything, then save, then read
it off the request path."""

from __future__ import annotations

import hashlib
import os
import tempfile
import unicodedata
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files import File
from django.db import IntegrityError, transaction
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext_lazy as _

from shelf.catalogue.models import Resource
from shelf.curation import audit
from shelf.files.models import ResourceFile
from shelf.lib import filetypes

# Translations of the refusals shelf.lib.filetypes raises, by code (same
# placeholders). A code missing here falls back to the English message.
MESSAGES = {
    "unsupported": _(
        "This file is %(what)s. Shelf accepts PDF, Word (DOCX), PowerPoint (PPTX), PNG and "
        "JPEG files."
    ),
    "mismatch": _(
        "The file is named “%(name)s” but its content is %(actual)s. Rename it to %(extension)s "
        "and upload it again."
    ),
    "broken": _("This file is damaged and cannot be read."),
    "macros": _("This Office file contains macros. Save it without macros and try again."),
    "encrypted": _("This file is password protected. Remove the password and try again."),
    "zip_bomb": _(
        "This file unpacks to far more data than a document holds (a “zip bomb”). "
        "It was not accepted."
    ),
    "active_content": _(
        "This PDF contains %(what)s, which Shelf does not accept. Save it without scripts and "
        "actions (for example by printing it to PDF) and try again."
    ),
    "unchecked": _(
        "This PDF packs its objects in an unusual way that Shelf cannot check for scripts. "
        "Save it again (for example by printing it to PDF) and try again."
    ),
    "pixel_bomb": _(
        "This image is too large (%(pixels)s pixels; at most %(limit)s). Scale it down and try "
        "again."
    ),
}
CHUNK = 1024 * 1024


def max_upload_bytes() -> int:
    return settings.SHELF_MAX_UPLOAD_MB * 1024 * 1024


def attach_file(*, resource: Resource, upload, user=None) -> ResourceFile:
    """Check ``upload`` (a Django UploadedFile or any binary file with a
    ``name``) and attach it to ``resource``; extraction is queued for after
    the commit. Raises ValidationError, having written nothing, when the
    file is refused."""
    with received(upload) as file:
        if ResourceFile.objects.filter(resource=resource, sha256=file.sha256).exists():
            raise _duplicate()
        item = ResourceFile(
            resource=resource,
            filename=file.filename,
            content_type=file.content_type,
            sha256=file.sha256,
            size=file.size,
            uploaded_by=user if user and user.is_authenticated else None,
        )
        item.file.save(file.filename, File(file.tmp), save=False)
    # Storage writes are not transactional: the stored file goes if the row does not come.
    try:
        with transaction.atomic():
            item.save()
            record_upload(item, user)
            # robust: a queue that cannot be reached is logged; the file stays
            # pending and "read again" in the admin queues it later.
            transaction.on_commit(lambda: queue_extraction(item), robust=True)
    except IntegrityError as e:
        item.file.storage.delete(item.file.name)
        raise _duplicate() from e
    except BaseException:
        item.file.storage.delete(item.file.name)
        raise
    return item


def check_upload(*, resource: Resource | None, upload) -> None:
    """Raise the ValidationError ``attach_file`` would, saving nothing (for
    forms that want to show the reason next to the field). Without a saved
    resource there are no duplicates to find yet."""
    with received(upload) as file:
        if (
            resource is not None
            and resource.pk
            and ResourceFile.objects.filter(resource=resource, sha256=file.sha256).exists()
        ):
            raise _duplicate()


@dataclass
class Received:
    tmp: IO[bytes]
    filename: str
    sha256: str
    size: int
    content_type: str


@contextmanager
def received(upload):
    """The upload copied to a private temporary file, hashed, measured and
    inspected; the copy is gone when the block ends."""
    filename = clean_filename(getattr(upload, "name", "") or "")
    with tempfile.NamedTemporaryFile(
        prefix="shelf-upload-", dir=settings.FILE_UPLOAD_TEMP_DIR
    ) as tmp:
        sha256, size = copy_and_hash(upload, tmp)
        inspection = inspect(Path(tmp.name), filename)
        tmp.seek(0)
        yield Received(tmp, filename, sha256, size, inspection.content_type)


def _duplicate() -> ValidationError:
    return ValidationError(_("This file is already attached to this resource."), code="duplicate")


def record_upload(item: ResourceFile, user) -> None:
    """The one place an upload is recorded in the audit log."""
    audit.record(
        user,
        audit.UPLOAD,
        target=item.resource,
        file=item.pk,
        filename=item.filename,
        sha256=item.sha256,
        size=item.size,
    )


def queue_extraction(item: ResourceFile) -> None:
    from shelf.files.tasks import extract_file

    extract_file.enqueue(item.pk)


def copy_and_hash(upload, out) -> tuple[str, int]:
    """Copy ``upload`` into ``out`` in chunks, hashing as it goes, and stop
    as soon as it is over the limit."""
    limit = max_upload_bytes()
    digest = hashlib.sha256()
    size = 0
    if hasattr(upload, "seek"):
        upload.seek(0)
    chunks = (
        upload.chunks(CHUNK) if hasattr(upload, "chunks") else iter(lambda: upload.read(CHUNK), b"")
    )
    for chunk in chunks:
        size += len(chunk)
        if size > limit:
            raise ValidationError(
                _("This file is larger than %(limit)s, the largest file Shelf accepts."),
                code="too_big",
                params={"limit": filesizeformat(limit)},
            )
        digest.update(chunk)
        out.write(chunk)
    if size == 0:
        raise ValidationError(_("This file is empty."), code="empty")
    out.flush()
    return digest.hexdigest(), size


def inspect(path: Path, filename: str) -> filetypes.Inspection:
    try:
        return filetypes.inspect(path, filename)
    except filetypes.FileProblem as problem:
        message = MESSAGES.get(problem.code) or _(problem.message)
        raise ValidationError(message, code=problem.code, params=problem.params) from problem


def clean_filename(name: str) -> str:
    """The last path component, without control characters, at most 200 characters."""
    name = name.replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(
        c for c in unicodedata.normalize("NFC", name) if unicodedata.category(c)[0] != "C"
    )
    name = name.strip().strip(".") or "file"
    stem, ext = os.path.splitext(name)
    return stem[: 200 - len(ext)] + ext
