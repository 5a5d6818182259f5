"""On SQLite, pages and sign-ins keep working while another process holds a
long write transaction (an import). Real processes on a real database file:
the test database in memory cannot show locking."""

import json
import os
import sqlite3
import subprocess
import sys
import time

import pytest
from django.contrib.auth.models import User
from django.db import connection

pytestmark = pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite locking")

# Longer than SQLite's default busy timeout (5 s), well under Shelf's.
HOLD_SECONDS = 7

# Holds the write lock until told to commit: however slow the machine, the
# sign-ins happen inside the write, and it lasts longer than the busy timeout.
HOLDING_WRITER = """
import sys, time, django
django.setup()
from django.db import transaction
from shelf.catalogue.models import Resource
with transaction.atomic():
    Resource.objects.create(key="test:import", slug="being-imported", title="Being imported")
    print("holding", flush=True)
    began = time.monotonic()
    sys.stdin.readline()
    held = time.monotonic() - began
print(held, flush=True)
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
    writer = subprocess.Popen([sys.executable, "-c", HOLDING_WRITER], **pipes)
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
        writer.stdin.write("commit\n")
        writer.stdin.flush()
        assert float(writer.stdout.readline()) > 0
    finally:
        for process in (reader, writer):
            process.kill()
            process.wait()
        errors.close()
    # Both happened while the write transaction was open (it waited for them).
    # Reads see the last committed state without waiting for the writer.
    assert result["page"] == 200
    assert result["api"] == 404
    assert result["read_seconds"] < HOLD_SECONDS
    # The sign-in succeeded (what it records is written after the commit).
    assert result["signin"] == 302, result
    assert result["signin_location"] == "/resources/"
    assert result["password_page"] == 200


# An import that holds the write lock longer than the busy timeout (cut to
# 2 s here; 30 s by default): signing in, failing to sign in and signing out
# still work and take no longer than usual, and what they record is written
# once the import commits.
SHORT_TIMEOUT = 2


LONG_READER = """
import json, os, sys, time, django
django.setup()
from django.test import Client
from django.contrib.auth.models import User
from shelf.curation.models import AuditEvent
from shelf.ops import deferred
client, other = Client(), Client()
client.get("/resources/")  # the search index is built before the write starts
print("ready", flush=True)
sys.stdin.readline()
out = {}
started = time.monotonic()
for name, url in [
    ("listing", "/resources/"), ("search", "/resources/?q=guide"),
    ("detail", "/resources/a-public-guide/"), ("api_list", "/api/v1/resources"),
    ("api_detail", "/api/v1/resources/a-public-guide"), ("feed", "/resources/feed/"),
]:
    out[name] = client.get(url).status_code
out["read_seconds"] = time.monotonic() - started
started = time.monotonic()
signin = client.post("/accounts/login/", {"username": "alice", "password": "password"})
out["signin"], out["signin_location"] = signin.status_code, signin.get("Location", "")
out["password_page"] = client.get("/accounts/password/").status_code
wrong = other.post("/accounts/login/", {"username": "alice", "password": "wrong"})
out["wrong_signin"] = wrong.status_code
out["signin_seconds"] = time.monotonic() - started
out["pending"] = deferred.pending()
out["last_login_during"] = User.objects.get(username="alice").last_login is not None
print(json.dumps(out), flush=True)
sys.stdin.readline()  # the import has committed
out["drained"] = deferred.wait(60)
out["last_login_after"] = User.objects.get(username="alice").last_login is not None
out["events"] = sorted(AuditEvent.objects.values_list("action", flat=True))
out["attempts"] = __import__("axes.models").models.AccessAttempt.objects.count()
print(json.dumps(out), flush=True)
os._exit(0)
"""


@pytest.mark.django_db(transaction=True)
def test_it_signs_in_during_a_write_longer_than_the_busy_timeout(tmp_path):
    from shelf.catalogue.factories import make_resource

    User.objects.create_user("alice", "alice@example.org", "password")
    make_resource("A public guide", slug="a-public-guide")
    connection.ensure_connection()
    target = sqlite3.connect(tmp_path / "shelf.sqlite3")
    connection.connection.backup(target)
    target.close()

    env = _env(tmp_path) | {"SQLITE_BUSY_TIMEOUT": str(SHORT_TIMEOUT)}
    pipes = {"stdin": subprocess.PIPE, "stdout": subprocess.PIPE, "text": True, "env": env}
    errors = open(tmp_path / "reader.err", "w+")  # noqa: SIM115 (closed below)
    reader = subprocess.Popen([sys.executable, "-c", LONG_READER], stderr=errors, **pipes)
    writer = subprocess.Popen([sys.executable, "-c", HOLDING_WRITER], **pipes)

    def stderr() -> str:
        return (tmp_path / "reader.err").read_text()[-3000:]

    try:
        assert reader.stdout.readline().strip() == "ready", stderr()
        assert writer.stdout.readline().strip() == "holding"
        holding = time.monotonic()
        reader.stdin.write("go\n")
        reader.stdin.flush()
        line = reader.stdout.readline()
        assert line, stderr()
        during = json.loads(line)
        # On a fast machine the reader is done before the busy timeout ran
        # out: hold on past it, so the writes it left pending outlast it too.
        time.sleep(max(0.0, SHORT_TIMEOUT + 1.5 - (time.monotonic() - holding)))
        writer.stdin.write("commit\n")
        writer.stdin.flush()
        held = float(writer.stdout.readline())
        reader.stdin.write("committed\n")
        reader.stdin.flush()
        out, _ = reader.communicate(timeout=120)
        assert reader.returncode == 0, stderr()
        after = json.loads(out.strip().splitlines()[-1])
    finally:
        for process in (reader, writer):
            process.kill()
            process.wait()
        errors.close()
    assert held > SHORT_TIMEOUT + 1, held
    # Reads never wait for the writer.
    for name in ("listing", "search", "detail", "api_list", "api_detail", "feed"):
        assert during[name] == 200, (name, during)
    # Sign-in went through without waiting out the lock, and so did a failed one.
    assert during["signin"] == 302, (during, stderr())
    assert during["signin_location"] == "/resources/"
    assert during["password_page"] == 200
    assert during["wrong_signin"] == 200
    assert "database is locked" not in stderr()
    # What they record waited for the import, and then was written.
    assert during["pending"] > 0
    assert not during["last_login_during"]
    assert after["drained"], after
    assert after["last_login_after"]
    assert after["events"].count("sign-in") == 1, after
    assert after["events"].count("sign-in failed") == 1, after
    assert after["attempts"] == 1, after
