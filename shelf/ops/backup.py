"""One-file backups of the database and the uploaded files, and their restore.

The archive is a tar file (gzipped when its name ends in .gz or .tgz):

    manifest.json      what it holds: database kind and method, every file with its SHA-256
    SHA256SUMS         the same checksums, for ``sha256sum -c``
    database/...       shelf.sqlite3 (SQLite's online backup), shelf.pgdump (pg_dump -Fc)
                       or dumpdata.json (Django's logical dump, any database)
    media/<name>       every stored file and thumbnail the database refers to

The database is copied from one consistent snapshot (SQLite's backup API
reads one transaction; pg_dump and the file list share one exported
PostgreSQL snapshot), so a backup taken during an import holds all of the
import or none of it. Stored files are never rewritten in place (names are
generated), so copying the files the snapshot names gives a matching set.
The search index is not backed up: restore rebuilds it.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from django.conf import settings
from django.core.files.storage import default_storage
from django.core.management import call_command
from django.db import connection, transaction
from django.db.models.signals import m2m_changed

FORMAT = "shelf-backup"
VERSION = 1
CHUNK = 1 << 20


class BackupError(Exception):
    pass


@dataclass
class Summary:
    path: str
    method: str
    files: int
    bytes: int
    seconds: float


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        while block := f.read(CHUNK):
            digest.update(block)
    return digest.hexdigest()


def _vendor() -> str:
    return connection.vendor


# -- backup ------------------------------------------------------------------


def backup(path: str, *, logical: bool = False) -> Summary:
    """Write the archive to ``path`` (via a temporary name, renamed at the
    end, so a failed backup never leaves a truncated archive there)."""
    started = time.monotonic()
    target = Path(path).resolve()
    target.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="shelf-backup-", dir=target.parent) as tmp:
        work = Path(tmp)
        method, db_file, stored = dump_database(work, logical=logical)
        files = copy_files(stored, work / "media")
        manifest = {
            "format": FORMAT,
            "version": VERSION,
            "created": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
            "database": {
                "vendor": _vendor(),
                "method": method,
                "name": f"database/{db_file.name}",
                "sha256": sha256_file(db_file),
                "size": db_file.stat().st_size,
            },
            "files": files,
        }
        side = db_file.parent / TERM_ORDER
        if side.exists():
            # Checked like the dump itself: restore writes what it says.
            manifest["database"]["term_order"] = {
                "name": f"database/{TERM_ORDER}",
                "sha256": sha256_file(side),
                "size": side.stat().st_size,
            }
        partial = work / "archive.partial"
        mode = "w:gz" if target.name.endswith((".gz", ".tgz")) else "w"
        with tarfile.open(partial, mode) as tar:
            _add_bytes(tar, "manifest.json", json.dumps(manifest, indent=1).encode())
            _add_bytes(tar, "SHA256SUMS", _sums(manifest).encode())
            tar.add(db_file, arcname=manifest["database"]["name"])
            if side.exists():
                tar.add(side, arcname=manifest["database"]["term_order"]["name"])
            for f in files:
                tar.add(work / "media" / f["name"], arcname=f"media/{f['name']}")
        # It holds password hashes and members-only files.
        partial.chmod(0o600)
        os.replace(partial, target)
    size = target.stat().st_size
    return Summary(str(target), method, len(files), size, time.monotonic() - started)


def _sums(manifest: dict) -> str:
    db = manifest["database"]
    lines = [f"{db['sha256']}  {db['name']}"]
    if "term_order" in db:
        lines.append(f"{db['term_order']['sha256']}  {db['term_order']['name']}")
    lines += [f"{f['sha256']}  media/{f['name']}" for f in manifest["files"]]
    return "\n".join(lines) + "\n"


def _add_bytes(tar: tarfile.TarFile, name: str, data: bytes) -> None:
    info = tarfile.TarInfo(name)
    info.size = len(data)
    info.mtime = int(time.time())
    info.mode = 0o600
    tar.addfile(info, io.BytesIO(data))


def dump_database(work: Path, *, logical: bool) -> tuple[str, Path, list[str]]:
    """The database as one file in ``work/database``, and the names of the
    stored files that this same snapshot refers to."""
    folder = work / "database"
    folder.mkdir()
    if _vendor() == "sqlite" and not logical:
        out = folder / "shelf.sqlite3"
        connection.ensure_connection()
        target = sqlite3.connect(out)
        with target:
            # One read transaction over the whole copy: a consistent
            # snapshot, while writers carry on (WAL).
            connection.connection.backup(target)
        names = [n for row in target.execute(_FILES_SQL) for n in row if n]
        target.close()
        return "sqlite-backup", out, names
    if _vendor() == "postgresql" and not logical and shutil.which("pg_dump"):
        out = folder / "shelf.pgdump"
        with _snapshot() as snapshot:
            _pg_dump(out, snapshot)
            names = _stored_names()
        return "pg_dump", out, names
    out = folder / "dumpdata.json"
    with _snapshot():
        with open(out, "w", encoding="utf-8") as f:
            call_command("dumpdata", format="json", use_base_manager=True, stdout=f, verbosity=0)
        (folder / TERM_ORDER).write_text(json.dumps(_term_order()))
        names = _stored_names()
    return "dumpdata", out, names


# A logical dump lists a resource's terms as a set; the order of its
# publishers (the first is the lead publisher) is the order of their rows.
TERM_ORDER = "term_order.json"


def _term_order() -> list[list[int]]:
    from shelf.catalogue.models import Resource

    rows = Resource.terms.through.objects.filter(term__vocabulary="publisher").order_by("id")
    return [list(pair) for pair in rows.values_list("resource_id", "term_id")]


def _restore_term_order(pairs: list[list[int]]) -> None:
    from shelf.catalogue.models import Resource

    through = Resource.terms.through
    by_resource: dict[int, list[int]] = {}
    for resource_id, term_id in pairs:
        by_resource.setdefault(resource_id, []).append(term_id)
    several = {r: terms for r, terms in by_resource.items() if len(terms) > 1}
    with transaction.atomic():
        through.objects.filter(
            resource_id__in=several, term_id__in=sum(several.values(), [])
        ).delete()
        through.objects.bulk_create(
            [through(resource_id=r, term_id=t) for r, terms in several.items() for t in terms]
        )


_FILES_SQL = "SELECT file, thumbnail FROM files_resourcefile"


def _stored_names() -> list[str]:
    with connection.cursor() as cursor:
        cursor.execute(_FILES_SQL)
        return [n for row in cursor.fetchall() for n in row if n]


@contextlib.contextmanager
def _snapshot():
    """A transaction whose reads all see one moment of the database."""
    with transaction.atomic():
        if _vendor() == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY")
                cursor.execute("SELECT pg_export_snapshot()")
                yield cursor.fetchone()[0]
        else:
            yield None


def _pg_env() -> dict:
    db = settings.DATABASES["default"]
    env = dict(os.environ)
    for key, var in (("HOST", "PGHOST"), ("PORT", "PGPORT"), ("USER", "PGUSER")):
        if db.get(key):
            env[var] = str(db[key])
    if db.get("PASSWORD"):
        env["PGPASSWORD"] = db["PASSWORD"]
    return env


def _pg_dump(out: Path, snapshot: str) -> None:
    name = settings.DATABASES["default"]["NAME"]
    command = ["pg_dump", "--format=custom", f"--snapshot={snapshot}", f"--file={out}"]
    command.append(f"--dbname={name}")
    # Arguments from settings, no shell.
    done = subprocess.run(command, env=_pg_env(), capture_output=True, text=True)  # noqa: S603
    if done.returncode:
        raise BackupError(f"pg_dump failed: {done.stderr.strip()}")


def copy_files(names: list[str], folder: Path) -> list[dict]:
    out = []
    for name in sorted(set(names)):
        safe = _safe_name(name)
        dest = folder / safe
        dest.parent.mkdir(parents=True, exist_ok=True)
        digest = hashlib.sha256()
        with default_storage.open(name, "rb") as src, open(dest, "wb") as f:
            while block := src.read(CHUNK):
                digest.update(block)
                f.write(block)
        out.append({"name": safe, "sha256": digest.hexdigest(), "size": dest.stat().st_size})
    return out


def _safe_name(name: str) -> str:
    path = PurePosixPath(name)
    if path.is_absolute() or ".." in path.parts or not path.parts:
        raise BackupError(f"refusing the stored file name {name!r}")
    return str(path)


# -- restore -----------------------------------------------------------------


def read_manifest(tar: tarfile.TarFile) -> dict:
    try:
        manifest = json.load(tar.extractfile("manifest.json"))
    except (KeyError, ValueError) as e:
        raise BackupError("not a Shelf backup (no readable manifest.json)") from e
    if manifest.get("format") != FORMAT or manifest.get("version") != VERSION:
        raise BackupError("not a Shelf backup of a version this Shelf can restore")
    return manifest


def verify(path: str) -> dict:
    """Check every member against its SHA-256 before anything is written."""
    with tarfile.open(path, "r:*") as tar:
        manifest = read_manifest(tar)
        db = manifest["database"]
        expected = {db["name"]: db["sha256"]}
        if "term_order" in db:
            expected[f"database/{TERM_ORDER}"] = db["term_order"]["sha256"]
        expected |= {f"media/{_safe_name(f['name'])}": f["sha256"] for f in manifest["files"]}
        seen = {}
        for member in tar:
            if member.name.startswith(("database/", "media/")) and member.name not in expected:
                # Restore reads the side file by name: one slipped in
                # without a checksum would be written unchecked.
                raise BackupError(f"the archive is damaged: {member.name} is not in its manifest")
            if member.name in expected and member.isfile():
                digest = hashlib.sha256()
                src = tar.extractfile(member)
                while block := src.read(CHUNK):
                    digest.update(block)
                seen[member.name] = digest.hexdigest()
    bad = sorted(name for name, sha in expected.items() if seen.get(name) != sha)
    if bad:
        raise BackupError(f"the archive is damaged: {len(bad)} member(s) fail the check: {bad[0]}")
    return manifest


def database_is_empty() -> bool:
    tables = set(connection.introspection.table_names())
    if "catalogue_resource" not in tables:
        return True
    with connection.cursor() as cursor:
        for table in ("catalogue_resource", "auth_user", "files_resourcefile"):
            if table in tables:
                quoted = connection.ops.quote_name(table)  # one of the names above
                cursor.execute(f"SELECT 1 FROM {quoted} LIMIT 1")  # noqa: S608
                if cursor.fetchone():
                    return False
    return True


def restore(path: str) -> Summary:
    started = time.monotonic()
    manifest = verify(path)
    if not database_is_empty():
        raise BackupError(
            "the database is not empty (it has resources, users or files): "
            "restore into a new database and data directory"
        )
    for f in manifest["files"]:
        if default_storage.exists(f["name"]):
            raise BackupError(f"the file storage is not empty: {f['name']} exists")
    db = manifest["database"]
    with (
        tempfile.TemporaryDirectory(prefix="shelf-restore-") as tmp,
        tarfile.open(path, "r:*") as tar,
    ):
        dump = Path(tmp) / PurePosixPath(db["name"]).name
        with tar.extractfile(db["name"]) as src, open(dump, "wb") as out:
            shutil.copyfileobj(src, out, CHUNK)
        load_database(db["method"], dump)
        if db["method"] == "dumpdata" and "term_order" in db:
            with tar.extractfile(f"database/{TERM_ORDER}") as src:
                _restore_term_order(json.load(src))
        for f in manifest["files"]:
            with tar.extractfile(f"media/{f['name']}") as src:
                saved = default_storage.save(f["name"], src)
            if saved != f["name"]:
                raise BackupError(f"the file {f['name']} was stored as {saved}")
    check_files(manifest["files"])
    from shelf.ops.db import refresh_statistics

    refresh_statistics()
    call_command("reindex", verbosity=0)
    size = Path(path).stat().st_size
    return Summary(path, db["method"], len(manifest["files"]), size, time.monotonic() - started)


def load_database(method: str, dump: Path) -> None:
    vendor = _vendor()
    if method == "sqlite-backup":
        if vendor != "sqlite":
            raise BackupError("a SQLite backup restores into SQLite (use backup --logical)")
        connection.close()
        source = sqlite3.connect(dump)
        target = sqlite3.connect(settings.DATABASES["default"]["NAME"])
        with target:
            source.backup(target)
        source.close()
        target.close()
    elif method == "pg_dump":
        if vendor != "postgresql" or not shutil.which("pg_restore"):
            raise BackupError("a pg_dump backup needs PostgreSQL and pg_restore")
        connection.close()
        name = settings.DATABASES["default"]["NAME"]
        command = [
            "pg_restore",
            "--clean",
            "--if-exists",
            "--no-owner",
            "--no-privileges",
            "--single-transaction",
            f"--dbname={name}",
            str(dump),
        ]
        done = subprocess.run(command, env=_pg_env(), capture_output=True, text=True)  # noqa: S603
        if done.returncode:
            raise BackupError(f"pg_restore failed: {done.stderr.strip()[-2000:]}")
    elif method == "dumpdata":
        call_command("migrate", interactive=False, verbosity=0)
        # migrate's own rows (content types, permissions, vocabularies) go, so
        # the dump's rows keep their ids.
        call_command("flush", interactive=False, inhibit_post_migrate=True, verbosity=0)
        with _quiet_m2m():
            call_command("loaddata", str(dump), verbosity=0)
    else:
        raise BackupError(f"unknown backup method {method!r}")
    # A backup from an older Shelf gets the newer migrations.
    call_command("migrate", interactive=False, verbosity=0)


@contextlib.contextmanager
def _quiet_m2m():
    """Loading a dump sets many-to-many fields, and m2m_changed (unlike
    post_save) does not say the data is raw: revisions and the change feed
    would write rows again that the dump already holds."""
    receivers = m2m_changed.receivers
    m2m_changed.receivers = []
    m2m_changed.sender_receivers_cache.clear()
    try:
        yield
    finally:
        m2m_changed.receivers = receivers
        m2m_changed.sender_receivers_cache.clear()


def check_files(files: list[dict]) -> None:
    for f in files:
        digest = hashlib.sha256()
        with default_storage.open(f["name"], "rb") as src:
            while block := src.read(CHUNK):
                digest.update(block)
        if digest.hexdigest() != f["sha256"]:
            raise BackupError(f"restored file {f['name']} does not match its checksum")
