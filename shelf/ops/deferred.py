"""Small writes a request can finish without: done at once when the
database takes them, else a moment later.

On SQLite one writer holds the database at a time. A long import holds it
for minutes, and every write a sign-in makes (the sign-in time, the audit
event, django-axes' bookkeeping) waited for it up to the busy timeout and
then failed the request with "database is locked". These writes record that
something happened; the person signing in does not need them to have landed.
So on SQLite each is tried with a short wait, and when another process holds
the lock it is handed to a background thread that writes it as soon as the
lock is free (retrying for up to a day). Audit
events keep the time they happened (set when the event is made, not saved).
On PostgreSQL, where writers do not block each other like this, and inside a
transaction, the write simply runs.

A worker that stops while writes are still queued tries them for a few more
seconds on the way out; writes still blocked then are logged as lost.
"""

from __future__ import annotations

import atexit
import contextlib
import logging
import queue
import threading
import time
from collections.abc import Callable

from django.conf import settings
from django.db import OperationalError, close_old_connections, connection

log = logging.getLogger(__name__)

# How long a write in a request may wait for the lock before it is deferred.
TRY_SECONDS = 0.2
# After a write found the database locked, the next ones of the same moment
# are deferred at once rather than each waiting TRY_SECONDS.
LOCKED_MEMORY = 1.0
RETRY_EVERY = 1.0
DRAIN_AT_EXIT = 5.0
RETRY_FOR_SECONDS = 24 * 3600

_queue: queue.Queue = queue.Queue()
_worker: threading.Thread | None = None
_worker_lock = threading.Lock()
_locked_at = 0.0


def soon(write: Callable[[], object], what: str) -> None:
    """Run ``write`` (a few statements that may be repeated, each in its own
    transaction) now, or later if the database is locked by another writer."""
    global _locked_at
    if connection.vendor != "sqlite" or connection.in_atomic_block:
        write()
        return
    if time.monotonic() - _locked_at < LOCKED_MEMORY:
        defer(write, what)
        return
    try:
        with busy_timeout(TRY_SECONDS):
            write()
    except OperationalError as e:
        if not is_locked(e):
            raise
        _locked_at = time.monotonic()
        defer(write, what)


def is_locked(error: OperationalError) -> bool:
    return "locked" in str(error) or "busy" in str(error)


@contextlib.contextmanager
def busy_timeout(seconds: float):
    """SQLite's busy timeout of this connection, for a moment."""
    connection.ensure_connection()
    usual = int(float(settings.DATABASES["default"].get("OPTIONS", {}).get("timeout", 5)) * 1000)
    with connection.cursor() as cursor:
        cursor.execute(f"PRAGMA busy_timeout = {int(seconds * 1000)}")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f"PRAGMA busy_timeout = {usual}")


def defer(write: Callable[[], object], what: str) -> None:
    global _worker
    log.info("database locked: %s deferred until it is free", what)
    _queue.put((write, what, time.monotonic()))
    with _worker_lock:
        if _worker is None or not _worker.is_alive():
            _worker = threading.Thread(target=_work, name="shelf-deferred-writes", daemon=True)
            _worker.start()


def pending() -> int:
    return _queue.unfinished_tasks


def wait(timeout: float) -> bool:
    """Until every deferred write is done (True) or ``timeout`` passes."""
    end = time.monotonic() + timeout
    while _queue.unfinished_tasks and time.monotonic() < end:
        time.sleep(0.05)
    return not _queue.unfinished_tasks


def _work() -> None:
    while True:
        write, what, since = _queue.get()
        try:
            _write_when_free(write, what, since)
        finally:
            _queue.task_done()
            close_old_connections()


def _write_when_free(write, what: str, since: float) -> None:
    limit = since + RETRY_FOR_SECONDS
    while True:
        try:
            # The connection's usual busy timeout: waiting is all this thread does.
            write()
            return
        except OperationalError as e:
            if not is_locked(e) or time.monotonic() > limit:
                log.exception("deferred write lost: %s", what)
                return
        except Exception:
            log.exception("deferred write failed: %s", what)
            return
        time.sleep(RETRY_EVERY)


@atexit.register
def _drain() -> None:
    if _queue.unfinished_tasks and not wait(DRAIN_AT_EXIT):
        log.error("%d deferred writes lost at exit (database still locked)", pending())
