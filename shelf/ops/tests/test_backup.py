"""Backup -> restore into an empty database and data directory -> the same
catalogue, byte for byte, and the same files; a backup taken in the middle
of an import holds none of it. On the database the suite runs on (SQLite or
PostgreSQL); restores run as separate processes, as an operator runs them."""

import hashlib
import io
import json
import os
import sqlite3
import subprocess
import sys
import tarfile
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db import connection

from shelf.catalogue.factories import make_catalogue
from shelf.files import services, tasks
from shelf.files.models import ResourceFile
from shelf.files.tests import samples
from shelf.ingest import demo
from shelf.ops import backup

pytestmark = pytest.mark.django_db(transaction=True)


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def shelf_unchecked(env: dict, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "shelf", *args], env=env, capture_output=True, text=True
    )


def shelf(env: dict, *args: str) -> subprocess.CompletedProcess:
    done = shelf_unchecked(env, *args)
    assert done.returncode == 0, done.stderr[-3000:]
    return done


def pg_admin(sql: str) -> None:
    import psycopg

    db = connection.settings_dict
    with psycopg.connect(
        host=db["HOST"] or None,
        port=db["PORT"] or None,
        user=db["USER"] or None,
        password=db["PASSWORD"] or None,
        dbname="postgres",
        autocommit=True,
    ) as admin:
        admin.execute(sql)


def pg_url(name: str) -> str:
    db = connection.settings_dict
    auth = db["USER"] + (f":{db['PASSWORD']}" if db["PASSWORD"] else "")
    return f"postgres://{auth}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{name}"


@pytest.fixture
def empty_site(tmp_path):
    """The environment of a new, empty Shelf: data directory and database."""
    made = []

    def make(name: str) -> dict:
        env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
        env["SHELF_DATA_DIR"] = str(tmp_path / name)
        env.pop("SEARCH_INDEX_DIR", None)
        if connection.vendor == "postgresql":
            db = f"{connection.settings_dict['NAME']}_{name}"
            pg_admin(f'DROP DATABASE IF EXISTS "{db}"')
            pg_admin(f'CREATE DATABASE "{db}"')
            made.append(db)
            env["DATABASE_URL"] = pg_url(db)
        return env

    yield make
    for db in made:
        pg_admin(f'DROP DATABASE IF EXISTS "{db}" WITH (FORCE)')


@pytest.fixture
def media(tmp_path, settings):
    folder = tmp_path / "source-media"
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(folder)},
        },
    }
    return folder


def catalogue_with_files() -> list[ResourceFile]:
    items = make_catalogue()
    demo.generate(40, seed=3)
    attached = []
    for resource, (name, data) in zip(
        [items["guide"], items["guide"], items["survey"]],
        [
            ("Guide é.pdf", samples.pdf(["A guide", "Page two"])),
            ("poster.png", samples.image("PNG")),
            ("notes.docx", samples.docx([["Notes"]])),
        ],
        strict=True,
    ):
        item = services.attach_file(resource=resource, upload=samples.upload(name, data))
        tasks.read_file(item.pk)
        item.refresh_from_db()
        attached.append(item)
    return attached


def export(tmp_path: Path, env: dict | None, fmt: str, name: str) -> bytes:
    out = tmp_path / f"{name}.{fmt}"
    if env is None:
        call_command("export", format=fmt, output=str(out), verbosity=0)
    else:
        shelf(env, "export", "--format", fmt, "-o", str(out))
    return out.read_bytes()


COUNT = """
import json, django
django.setup()
from django.contrib.auth.models import AnonymousUser
from django.http import QueryDict
from shelf.search.browse import browse, parse
from shelf.catalogue.models import Resource
found = browse(parse(QueryDict("q=guide")), AnonymousUser())
print(json.dumps({"resources": Resource.objects.count(), "search": found.count}))
"""


def test_it_restores_the_catalogue_and_files_exactly(tmp_path, media, empty_site):
    files = catalogue_with_files()
    before = {fmt: export(tmp_path, None, fmt, f"before-{fmt}") for fmt in ("json", "csv")}
    archive = tmp_path / "shelf.tar.gz"
    call_command("backup", output=str(archive), verbosity=0)

    with tarfile.open(archive) as tar:
        manifest = json.load(tar.extractfile("manifest.json"))
    expected_method = {"sqlite": "sqlite-backup", "postgresql": "pg_dump"}[connection.vendor]
    assert manifest["database"]["method"] == expected_method
    names = {f.file.name for f in files} | {f.thumbnail.name for f in files if f.thumbnail}
    assert {f["name"] for f in manifest["files"]} == names

    site = empty_site("restored")
    shelf(site, "restore", str(archive))
    for fmt in ("json", "csv"):
        assert export(tmp_path, site, fmt, f"after-{fmt}") == before[fmt]
    restored = Path(site["SHELF_DATA_DIR"]) / "media"
    for item in files:
        assert sha256(restored / item.file.name) == item.sha256
        if item.thumbnail:
            thumbnail = item.thumbnail.name
            assert sha256(restored / thumbnail) == sha256(media / thumbnail)
    assert any(item.thumbnail for item in files)
    # The search index was rebuilt from the restored database.
    counts = json.loads(
        subprocess.run(
            [sys.executable, "-c", COUNT], env=site, capture_output=True, text=True, check=True
        ).stdout
    )
    from django.contrib.auth.models import AnonymousUser
    from django.http import QueryDict

    from shelf.catalogue.models import Resource
    from shelf.search.browse import browse, parse

    here = browse(parse(QueryDict("q=guide")), AnonymousUser()).count
    assert counts == {"resources": Resource.objects.count(), "search": here}
    assert here > 0


def test_a_logical_backup_restores_too(tmp_path, media, empty_site):
    files = catalogue_with_files()
    before = export(tmp_path, None, "json", "before")
    archive = tmp_path / "logical.tar"
    call_command("backup", output=str(archive), logical=True, verbosity=0)
    site = empty_site("logical")
    shelf(site, "restore", str(archive))
    assert export(tmp_path, site, "json", "after") == before
    restored = Path(site["SHELF_DATA_DIR"]) / "media"
    assert all(sha256(restored / f.file.name) == f.sha256 for f in files)


def test_it_refuses_a_damaged_archive_and_a_database_in_use(tmp_path, media, empty_site):
    catalogue_with_files()
    archive = tmp_path / "shelf.tar"
    call_command("backup", output=str(archive), verbosity=0)
    # A flipped byte in the middle of the archive (inside the database copy).
    damaged = tmp_path / "damaged.tar"
    data = bytearray(archive.read_bytes())
    with tarfile.open(archive) as tar:
        member = tar.getmember(json.load(tar.extractfile("manifest.json"))["database"]["name"])
    data[member.offset_data + member.size // 2] ^= 0xFF
    damaged.write_bytes(bytes(data))
    with pytest.raises(backup.BackupError, match="damaged"):
        backup.verify(str(damaged))
    # This database has a catalogue: restoring over it is refused.
    with pytest.raises(backup.BackupError, match="not empty"):
        backup.restore(str(archive))


def rewritten(archive: Path, out: Path, change) -> Path:
    """A copy of ``archive`` with ``change(name, data)`` applied to each member
    (None drops the member)."""
    with tarfile.open(archive) as src, tarfile.open(out, "w") as dst:
        for member in src:
            data = change(member.name, src.extractfile(member).read())
            if data is not None:
                member.size = len(data)
                dst.addfile(member, io.BytesIO(data))
    return out


def test_it_checks_the_term_order_of_a_logical_backup(tmp_path, media, empty_site):
    catalogue_with_files()
    archive = tmp_path / "logical.tar"
    call_command("backup", output=str(archive), logical=True, verbosity=0)
    with tarfile.open(archive) as tar:
        manifest = json.load(tar.extractfile("manifest.json"))
        sums = tar.extractfile("SHA256SUMS").read().decode()
        side = tar.extractfile("database/term_order.json").read()
    listed = manifest["database"]["term_order"]
    assert listed["name"] == "database/term_order.json"
    assert listed["sha256"] == hashlib.sha256(side).hexdigest()
    assert f"{listed['sha256']}  database/term_order.json" in sums.splitlines()
    backup.verify(str(archive))

    # Publishers' order swapped: refused before anything is restored.
    def swap(name, data):
        if name != "database/term_order.json":
            return data
        return json.dumps(list(reversed(json.loads(data)))).encode()

    tampered = rewritten(archive, tmp_path / "tampered.tar", swap)
    site = empty_site("tampered")
    result = shelf_unchecked(site, "restore", str(tampered))
    assert result.returncode != 0
    assert "damaged" in result.stderr and "term_order.json" in result.stderr
    assert "Traceback" not in result.stderr

    # A side file the manifest does not list is refused too.
    def unlist(name, data):
        if name != "manifest.json":
            return data
        found = json.loads(data)
        del found["database"]["term_order"]
        return json.dumps(found).encode()

    unlisted = rewritten(archive, tmp_path / "unlisted.tar", unlist)
    with pytest.raises(backup.BackupError, match="term_order.json is not in its manifest"):
        backup.verify(str(unlisted))


WRITER = """
import sys, django
django.setup()
from django.core.management import call_command
from django.db import transaction
with transaction.atomic():
    call_command("import", sys.argv[1], verbosity=0, stdout=sys.stderr)
    print("imported", flush=True)
    sys.stdin.readline()
print("committed", flush=True)
"""


def test_a_backup_during_an_import_holds_none_of_it(tmp_path, media, empty_site):
    catalogue_with_files()
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    env["SHELF_DATA_DIR"] = str(tmp_path / "source")
    os.makedirs(env["SHELF_DATA_DIR"])
    (Path(env["SHELF_DATA_DIR"]) / "media").symlink_to(media)
    if connection.vendor == "sqlite":
        # The test database, copied to a file that other processes can open.
        connection.ensure_connection()
        target = sqlite3.connect(Path(env["SHELF_DATA_DIR"]) / "shelf.sqlite3")
        connection.connection.backup(target)
        target.close()
    else:
        env["DATABASE_URL"] = pg_url(connection.settings_dict["NAME"])
    before = export(tmp_path, env, "json", "before")

    listing = tmp_path / "big.csv"
    rows = [f"load:{n},Imported item {n},Written in one transaction" for n in range(1500)]
    listing.write_text("key,title,summary\n" + "\n".join(rows) + "\n", encoding="utf-8")
    writer = subprocess.Popen(
        [sys.executable, "-c", WRITER, str(listing)],
        env=env,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert writer.stdout.readline().strip() == "imported"
        # The import has written everything and not committed yet.
        during = tmp_path / "during.tar"
        shelf(env, "backup", "-o", str(during))
        writer.stdin.write("commit\n")
        writer.stdin.flush()
        assert writer.stdout.readline().strip() == "committed"
    finally:
        writer.kill()
        writer.wait()
    after = export(tmp_path, env, "json", "after")
    assert after.count(b'"load:') == 1500

    site = empty_site("during")
    shelf(site, "restore", str(during))
    assert export(tmp_path, site, "json", "restored") == before
