"""Two nodes, each with its own index, on one PostgreSQL database: what is
changed through one is searchable on the other within a second, including a
term created by an import that commits long after later changes did."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time
from pathlib import Path
from tempfile import TemporaryDirectory
from unittest import skipUnless

from django.db import connection, connections, transaction
from django.test import TransactionTestCase

from shelf.catalogue.models import Resource, Term
from shelf.search.tests.factories import resource, term

WITHIN = 1.0


class Node:
    def __init__(self, data: Path):
        db = connection.settings_dict
        host = f"{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}"
        url = f"postgres://{db['USER']}@{host}/{db['NAME']}"
        env = {
            **os.environ,
            "DATABASE_URL": url,
            "SHELF_DATA_DIR": str(data),
            "SEARCH_INDEX_DIR": str(data / "search"),
        }
        self.process = subprocess.Popen(
            [sys.executable, "-m", "shelf.search.tests.node"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            env=env,
            text=True,
        )

    def ask(self, **command) -> dict:
        self.process.stdin.write(json.dumps(command) + "\n")
        self.process.stdin.flush()
        return json.loads(self.process.stdout.readline())

    def search(self, query: str) -> dict:
        return self.ask(op="search", query=query)

    def seconds_until(self, query: str, check) -> float:
        """How long until the node's answer passes ``check`` (fails after 10 s)."""
        started = time.monotonic()
        while time.monotonic() - started < 10:
            if check(self.search(query)):
                return time.monotonic() - started
            time.sleep(0.02)
        raise AssertionError(f"{query!r} never gave the expected answer: {self.search(query)}")

    def stop(self) -> None:
        self.process.stdin.close()
        self.process.wait(timeout=30)


@skipUnless(connection.vendor == "postgresql", "two nodes share a PostgreSQL database")
class TwoNodesTestCase(TransactionTestCase):
    def setUp(self):
        self.tmp = TemporaryDirectory()
        self.item = resource("Safer recruitment of staff", "Checks before hiring.")
        self.other = resource("Online grooming", "A guide for parents.")
        self.a = Node(Path(self.tmp.name) / "a")
        self.b = Node(Path(self.tmp.name) / "b")
        for node in (self.a, self.b):  # each builds its own index
            self.assertEqual(node.search("q=recruitment")["count"], 1)

    def tearDown(self):
        self.a.stop()
        self.b.stop()
        self.tmp.cleanup()

    def test_it_finds_on_one_node_what_was_changed_through_the_other(self):
        self.a.ask(op="retitle", pk=self.item.pk, title="Vetting volunteers")
        seconds = self.b.seconds_until("q=vetting", lambda r: r["ids"] == [self.item.pk])
        self.assertLess(seconds, WITHIN)
        self.assertEqual(self.b.search("q=recruitment")["count"], 0)

    def test_it_finds_a_term_made_by_an_import_that_committed_after_later_changes(self):
        later_seen = threading.Event()

        def later_change():
            # Another editor's save commits while the import is still running.
            Resource.objects.filter(pk=self.other.pk).update(title="Sextortion advice")
            item = Resource.objects.get(pk=self.other.pk)
            item.save()
            connections.close_all()

        with transaction.atomic():
            new = term("topic", "Sport safeguarding", slug="sport-safeguarding")
            self.item.terms.add(new)
            writer = threading.Thread(target=later_change)
            writer.start()
            writer.join()
            # Node B reads past the import's feed rows, which are not committed.
            self.b.seconds_until("q=sextortion", lambda r: r["count"] == 1)
            self.assertIn("error", self.b.search("topic=sport-safeguarding"))
            later_seen.set()
            time.sleep(0.5)  # more polls of the feed while the import runs on
        self.assertTrue(later_seen.is_set())
        found = self.b.seconds_until("topic=sport-safeguarding", lambda r: r.get("count") == 1)
        self.assertLess(found, WITHIN)
        self.assertEqual(self.b.search("q=sport+safeguarding")["ids"], [self.item.pk])
        self.assertEqual(self.a.search("topic=sport-safeguarding")["ids"], [self.item.pk])
        self.assertTrue(Term.objects.filter(slug="sport-safeguarding").exists())
