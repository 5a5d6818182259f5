"""On SQLite, pages and sign-ins keep working while another process holds a
long write transaction (an import). Real processes on a real database file:
the test database in memory cannot show locking."""

import json
import os
import sqlite3
import subprocess
import sys

import pytest
from django.contrib.auth.models import User
from django.db import connection

pytestmark = pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite locking")

# Longer than SQLite's default busy timeout (5 s), well under Shelf's.
HOLD_SECONDS = 7

WRITER = """
import sys, time, django
django.setup()
from django.db import transaction
from shelf.catalogue.models import Resource
with transaction.atomic():
    Resource.objects.create(key="test:import", slug="being-imported", title="Being imported")
    print("holding", flush=True)
    time.sleep(float(sys.argv[1]))
print(time.time(), flush=True)
"""

READER = """
import json, os, sys, time, django
django.setup()
from django.test import Client
client = Client()
client.get("/resources/")  # the search index is built before the write starts
print("ready", flush=True)
sys.stdin.readline()
signin_at = time.time()
start = time.monotonic()
page = client.get("/resources/")
api = client.get("/api/v1/resources/being-imported")
read = time.monotonic() - start
signin_at = time.time()
signin = client.post("/accounts/login/", {"username": "alice", "password": "password"})
signed_in = client.get("/accounts/password/")
print(json.dumps({
    "signin_at": signin_at, "page": page.status_code, "api": api.status_code, "read_seconds": read,
    "signin": signin.status_code, "signin_location": signin.get("Location", ""),
    "password_page": signed_in.status_code,
}), flush=True)
# The answer is out: skip the interpreter's shutdown, where the search index's
# native threads may take their time.
os._exit(0)
"""


def _env(data_dir) -> dict:
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    env.update(SHELF_DATA_DIR=str(data_dir), DJANGO_SETTINGS_MODULE="shelf.settings")
    return env


@pytest.mark.django_db(transaction=True)
def test_it_reads_and_signs_in_during_a_long_write(tmp_path):
    User.objects.create_user("alice", "alice@example.org", "password")
    # The migrated test database, copied to a file for the other processes.
    connection.ensure_connection()
    target = sqlite3.connect(tmp_path / "shelf.sqlite3")
    connection.connection.backup(target)
    target.close()

    env = _env(tmp_path)
    pipes = {"stdin": subprocess.PIPE, "stdout": subprocess.PIPE, "text": True, "env": env}
    # Its errors go to a file: a long traceback would fill a pipe nobody reads yet.
    errors = open(tmp_path / "reader.err", "w+")  # noqa: SIM115 (closed below)
    reader = subprocess.Popen([sys.executable, "-c", READER], stderr=errors, **pipes)
    writer = subprocess.Popen([sys.executable, "-c", WRITER, str(HOLD_SECONDS)], **pipes)
    try:
        assert reader.stdout.readline().strip() == "ready", (tmp_path / "reader.err").read_text()[
            -3000:
        ]
        assert writer.stdout.readline().strip() == "holding"
        reader.stdin.write("go\n")
        reader.stdin.flush()
        out, _ = reader.communicate(timeout=120)
        assert reader.returncode == 0, (tmp_path / "reader.err").read_text()[-3000:]
        result = json.loads(out.strip().splitlines()[-1])
        committed_at = float(writer.stdout.readline())
    finally:
        for process in (reader, writer):
            process.kill()
            process.wait()
        errors.close()
    # Both happened while the write transaction was open.
    assert result["signin_at"] < committed_at

    # Reads see the last committed state without waiting for the writer.
    assert result["page"] == 200
    assert result["api"] == 404
    assert result["read_seconds"] < HOLD_SECONDS
    # The sign-in waited for the write and succeeded.
    assert result["signin"] == 302, result
    assert result["signin_location"] == "/resources/"
    assert result["password_page"] == 200
