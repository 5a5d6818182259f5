"""Counts kept in memory per process and written in batches.

A counted request only adds to a dictionary under a lock (about a
microsecond); a background thread writes what has piled up every
``STATS_FLUSH_SECONDS``, or sooner once ``STATS_FLUSH_HITS`` hits wait,
and once more when the process exits. Each write is one transaction with
one upsert per (day, kind, key) that *adds* to the stored count, so any
number of workers on any number of nodes can write at the same time
without losing a hit. A crash loses at most the last few seconds.

With ``STATS_FLUSH_SECONDS = 0`` (tests) no thread is started: counts are
written when ``STATS_FLUSH_HITS`` wait, by the request that reached it, or
by an explicit ``flush()``.
"""

from __future__ import annotations

import atexit
import datetime
import logging
import os
import threading
from collections import Counter as Tally

from django.conf import settings
from django.db import close_old_connections, connection, transaction

log = logging.getLogger(__name__)

Key = tuple[datetime.date, str, str]


def upsert(batch: Tally[Key]) -> None:
    """Add ``batch`` to the stored counts in one transaction."""
    from shelf.stats.models import DailyCount

    if not batch:
        return
    quote = connection.ops.quote_name
    table = quote(DailyCount._meta.db_table)
    # Both SQLite and PostgreSQL: the conflict is the unique (day, kind, key)
    # and the stored count grows by the batch's, atomically in the database.
    sql = (
        f"INSERT INTO {table} ({quote('day')}, {quote('kind')}, {quote('key')}, {quote('count')}) "  # noqa: S608 (our table and columns)
        f"VALUES (%s, %s, %s, %s) ON CONFLICT ({quote('day')}, {quote('kind')}, {quote('key')}) "
        f"DO UPDATE SET {quote('count')} = {table}.{quote('count')} + excluded.{quote('count')}"
    )
    # Sorted, so two writers take the rows' locks in the same order and
    # never deadlock on PostgreSQL.
    rows = [
        (connection.ops.adapt_datefield_value(day), kind, key, n)
        for (day, kind, key), n in sorted(batch.items())
    ]
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.executemany(sql, rows)


class Counter:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._pending: Tally[Key] = Tally()
        self._hits = 0
        self._pid = os.getpid()
        self._wake = threading.Event()
        self._thread: threading.Thread | None = None

    def add(self, hits, day: datetime.date) -> None:
        """Count each (kind, key) of ``hits`` once on ``day``."""
        if not hits:
            return
        limit, interval = settings.STATS_FLUSH_HITS, settings.STATS_FLUSH_SECONDS
        with self._lock:
            self._after_fork()
            pending = self._pending
            for kind, key in hits:
                pending[(day, kind, key)] += 1
            self._hits += len(hits)
            full = self._hits >= limit
        if interval > 0:
            self._start()
            if full:
                self._wake.set()
        elif full:
            self.flush()

    def pending(self) -> dict[Key, int]:
        with self._lock:
            return dict(self._pending)

    def discard(self) -> None:
        with self._lock:
            self._pending, self._hits = Tally(), 0

    def flush(self) -> None:
        """Write what is pending. On failure the counts go back to wait
        for the next flush instead of being lost."""
        with self._lock:
            batch, self._pending, self._hits = self._pending, Tally(), 0
        try:
            upsert(batch)
        except Exception:
            log.exception("reader statistics not written; kept for the next try")
            with self._lock:
                self._pending.update(batch)
                self._hits += sum(batch.values())

    def _after_fork(self) -> None:
        # A forked worker starts with its parent's memory: neither the
        # parent's pending counts (the parent writes them) nor its thread.
        if self._pid != os.getpid():
            self._pid = os.getpid()
            self._pending, self._hits = Tally(), 0
            self._wake = threading.Event()
            self._thread = None

    def _start(self) -> None:
        if self._thread is not None:
            return
        with self._lock:
            if self._thread is not None:
                return
            self._thread = threading.Thread(target=self._run, name="stats-flush", daemon=True)
            self._thread.start()
        atexit.register(self.flush)

    def _run(self) -> None:
        while True:
            self._wake.wait(settings.STATS_FLUSH_SECONDS)
            self._wake.clear()
            close_old_connections()
            self.flush()


COUNTER = Counter()
