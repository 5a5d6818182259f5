"""Counts are written in batches, never one write per request, and workers
writing at the same time lose nothing: real processes and threads on a real
database (SQLite in a file, or the PostgreSQL test database)."""

import datetime
import os
import shutil
import sqlite3
import subprocess
import sys
import tempfile
from unittest import mock

import pytest
from django.db import connection
from django.test import TestCase, TransactionTestCase
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from shelf.curation.tests.base import make_resource
from shelf.stats import counter
from shelf.stats.counter import COUNTER, Counter
from shelf.stats.models import DailyCount, Kind
from shelf.stats.tests.base import BROWSER

DAY = datetime.date(2026, 3, 2)
PROCESSES, THREADS, ROUNDS, HITS, KEYS = 3, 4, 5, 100, 5

WORKER = """
import datetime, os, sys, threading, time, django
django.setup()
from django.conf import settings
from django.db import connection
from shelf.stats.counter import COUNTER, Counter

mode = sys.argv[1]
day = datetime.date(2026, 3, 2)
if mode == "concurrent":
    settings.STATS_FLUSH_SECONDS, settings.STATS_FLUSH_HITS = 0, 10**9
    rounds, hits, keys, threads = (int(a) for a in sys.argv[2:6])
    start = threading.Barrier(threads)

    def work():
        mine = Counter()
        start.wait()
        for _ in range(rounds):
            for i in range(hits):
                mine.add([("view", str(i % keys))], day)
            mine.flush()
        connection.close()

    workers = [threading.Thread(target=work) for _ in range(threads)]
    [w.start() for w in workers]
    [w.join() for w in workers]
    print("done", flush=True)
elif mode == "timer":
    # Written by the background thread after STATS_FLUSH_SECONDS, with no
    # flush() here: the process then dies without its exit handlers.
    settings.STATS_FLUSH_SECONDS, settings.STATS_FLUSH_HITS = 0.2, 10**9
    for _ in range(7):
        COUNTER.add([("view", "timer")], day)
    time.sleep(2)
    os._exit(0)
elif mode == "exit":
    # A long interval: only the exit handler can write these.
    settings.STATS_FLUSH_SECONDS, settings.STATS_FLUSH_HITS = 3600, 10**9
    for _ in range(5):
        COUNTER.add([("view", "exit")], day)
"""


class ConcurrentFlushTestCase(TransactionTestCase):
    def setUp(self):
        connection.ensure_connection()
        self.env = {**os.environ, "DJANGO_SETTINGS_MODULE": "shelf.settings"}
        if connection.vendor == "sqlite":
            # The migrated in-memory test database, copied to a file.
            self.data_dir = tempfile.mkdtemp(prefix="shelf-stats-")
            self.addCleanup(shutil.rmtree, self.data_dir, ignore_errors=True)
            target = sqlite3.connect(os.path.join(self.data_dir, "shelf.sqlite3"))
            connection.connection.backup(target)
            target.close()
            self.env.pop("DATABASE_URL", None)
            self.env["SHELF_DATA_DIR"] = self.data_dir
        else:
            s = connection.settings_dict
            self.env["DATABASE_URL"] = (
                f"postgres://{s['USER']}:{s['PASSWORD']}@{s['HOST']}:{s['PORT']}/{s['NAME']}"
            )

    def run_worker(self, *args) -> subprocess.Popen:
        return subprocess.Popen(
            [sys.executable, "-c", WORKER, *map(str, args)],
            env=self.env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )

    def counts(self) -> dict[str, int]:
        if connection.vendor == "sqlite":
            db = sqlite3.connect(os.path.join(self.data_dir, "shelf.sqlite3"))
            rows = db.execute("SELECT key, count FROM stats_dailycount").fetchall()
            db.close()
            return dict(rows)
        return dict(DailyCount.objects.values_list("key", "count"))

    def test_it_loses_no_count_when_processes_and_threads_flush_at_once(self):
        workers = [self.run_worker("concurrent", ROUNDS, HITS, KEYS, THREADS) for _ in range(3)]
        for worker in workers:
            out, err = worker.communicate(timeout=120)
            self.assertEqual(worker.returncode, 0, err)
        each = PROCESSES * THREADS * ROUNDS * HITS // KEYS
        self.assertEqual(self.counts(), {str(k): each for k in range(KEYS)})

    def test_it_writes_from_the_background_thread_and_at_exit(self):
        for mode in ("timer", "exit"):
            worker = self.run_worker(mode)
            _out, err = worker.communicate(timeout=60)
            self.assertEqual(worker.returncode, 0, err)
        self.assertEqual(self.counts(), {"timer": 7, "exit": 5})


class BatchedWritesTestCase(TestCase):
    def test_it_writes_nothing_on_the_request_path_until_a_batch_is_full(self):
        item = make_resource("Guide")
        url = f"/resources/{item.slug}/"
        self.client.get(url, HTTP_USER_AGENT=BROWSER)  # warm caches
        COUNTER.discard()
        with self.settings(STATS_ENABLED=False), CaptureQueriesContext(connection) as off:
            self.client.get(url, HTTP_USER_AGENT=BROWSER)
        with CaptureQueriesContext(connection) as on:
            self.client.get(url, HTTP_USER_AGENT=BROWSER)
        self.assertEqual(len(on), len(off))
        self.assertFalse(any("stats_" in q["sql"] for q in on.captured_queries))
        self.assertEqual(COUNTER.pending()[(timezone.localdate(), Kind.VIEW, str(item.pk))], 1)

    def test_it_writes_one_batch_when_the_hit_limit_is_reached(self):
        item = make_resource("Guide")
        # Each view is two hits: the item and the interface language.
        with self.settings(STATS_FLUSH_HITS=6):
            for _ in range(2):
                self.client.get(f"/resources/{item.slug}/", HTTP_USER_AGENT=BROWSER)
            self.assertFalse(DailyCount.objects.exists())
            self.client.get(f"/resources/{item.slug}/", HTTP_USER_AGENT=BROWSER)
        # Three views and three languages: one batch of two rows.
        self.assertEqual(
            dict(DailyCount.objects.values_list("kind", "count")),
            {Kind.VIEW: 3, Kind.LANGUAGE: 3},
        )
        self.assertEqual(COUNTER.pending(), {})

    def test_it_adds_to_what_is_stored(self):
        first, second = Counter(), Counter()
        for c, n in ((first, 2), (second, 3)):
            for _ in range(n):
                c.add([(Kind.VIEW, "1")], DAY)
        first.flush()
        second.flush()
        first.add([(Kind.VIEW, "1")], DAY)
        first.flush()
        self.assertEqual(DailyCount.objects.get(day=DAY, kind=Kind.VIEW, key="1").count, 6)

    def test_it_keeps_the_counts_when_a_write_fails(self):
        c = Counter()
        c.add([(Kind.VIEW, "1")], DAY)
        failing = mock.patch.object(counter, "upsert", side_effect=RuntimeError("database down"))
        with failing, self.assertLogs("shelf.stats.counter", "ERROR"):
            c.flush()
        self.assertEqual(c.pending(), {(DAY, Kind.VIEW, "1"): 1})
        c.flush()
        self.assertEqual(c.pending(), {})
        self.assertEqual(DailyCount.objects.get().count, 1)


@pytest.mark.parametrize("agent", ["Googlebot/2.1 (+http://www.google.com/bot.html)", "curl/8"])
def test_it_recognises_bots_from_the_maintained_list(agent):
    from shelf.stats.counting import is_bot

    assert is_bot(agent)
    assert not is_bot(BROWSER)
