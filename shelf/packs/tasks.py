"""Building packs off the request path (django-tasks; ``shelf db_worker``
runs them, as it reads uploaded files)."""

from __future__ import annotations

import logging
import tempfile
from pathlib import Path

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.core.files import File
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_noop
from django_tasks import task

from shelf.packs import builder
from shelf.packs.models import Pack, PackStatus

logger = logging.getLogger(__name__)


@task()
def build_pack(pack_id: int) -> str:
    """Never raises for a pack that cannot be built: it is marked failed."""
    return run(pack_id)


def run(pack_id: int) -> str:
    pack = Pack.objects.filter(pk=pack_id, status=PackStatus.QUEUED).first()
    if pack is None:
        return "gone"
    Pack.objects.filter(pk=pack.pk).update(status=PackStatus.BUILDING, progress=0)
    # What the pack holds is decided again now, as its owner sees it now.
    user = pack.owner or AnonymousUser()

    def progress(done: int, total: int) -> None:
        Pack.objects.filter(pk=pack.pk).update(progress=int(99 * done / total))

    tmp = Path(settings.FILE_UPLOAD_TEMP_DIR)
    with tempfile.NamedTemporaryFile(dir=tmp, prefix="shelf-pack-", suffix=".zip") as out:
        try:
            built = builder.build(
                pack.query, user, Path(out.name), language=pack.language, progress=progress
            )
            out.seek(0)
            pack.zip_file.save("pack.zip", File(out), save=False)
        except (builder.PackError, builder.browse.QueryError) as problem:
            return fail(pack, str(problem))
        except Exception:
            logger.exception("building pack %s failed", pack.pk)
            return fail(pack, gettext_noop("The pack could not be built because of an error."))
    with transaction.atomic():
        Pack.objects.filter(pk=pack.pk).update(
            status=PackStatus.READY,
            progress=100,
            zip_file=pack.zip_file.name,
            item_count=built.items,
            file_count=built.files,
            size=built.size,
            finished=timezone.now(),
        )
    return PackStatus.READY


def fail(pack: Pack, message: str) -> str:
    Pack.objects.filter(pk=pack.pk).update(
        status=PackStatus.FAILED, error=message, finished=timezone.now()
    )
    return PackStatus.FAILED
