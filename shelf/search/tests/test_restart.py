"""A worker that starts after many changes replays only the changes since
the last generation, which its node builds when many items changed."""

from unittest import mock

from django.test import TransactionTestCase, override_settings

from shelf.search import documents, replica, store
from shelf.search.tests.factories import resource
from shelf.search.tests.test_engine import search


class RestartTestCase(TransactionTestCase):
    """Committed changes (a transaction still open when a generation is
    built is, rightly, replayed after it)."""

    def setUp(self):
        self.item = resource("Safer recruitment", "Checks before hiring.")

    def changed_after_start(self) -> list[int]:
        """The ids a worker starting now reads again from the database."""
        replica.forget()
        loaded: list[int] = []
        real = documents.load

        def load(ids, terms):
            ids = list(ids)
            loaded.extend(ids)
            return real(ids, terms)

        with mock.patch.object(documents, "load", load):
            self.assertEqual(search("volunteers").count, 3)
        return loaded

    def make_changes(self) -> None:
        for n in range(3):
            resource(f"Onboarding volunteers {n}", "Checks before they start.")

    @override_settings(SEARCH_COMPACT_AFTER=2)
    def test_it_builds_a_new_generation_after_many_changes(self):
        search("")
        old = store.current_generation()
        self.make_changes()
        # The build runs in a thread; here in the test's own (patched).
        with mock.patch.object(replica.Replica, "_compact_in_background", replica.Replica._compact):
            self.assertEqual(search("volunteers").count, 3)
        self.assertNotEqual(store.current_generation(), old)
        self.assertEqual(self.changed_after_start(), [])

    @override_settings(SEARCH_COMPACT_AFTER=5)
    def test_it_replays_the_feed_below_the_threshold(self):
        search("")
        old = store.current_generation()
        self.make_changes()
        search("volunteers")
        self.assertEqual(store.current_generation(), old)
        self.assertGreaterEqual(len(self.changed_after_start()), 3)

    @override_settings(SEARCH_COMPACT_AFTER=2)
    def test_it_leaves_the_build_to_the_worker_that_holds_the_lock(self):
        search("")
        old = store.current_generation()
        self.make_changes()
        with mock.patch.object(replica.Replica, "_compact_in_background") as started:
            search("volunteers")
        started.assert_called_once()
        with store.locked(store.index_dir() / "build.lock"):
            replica.get_replica()._compact()
        self.assertEqual(store.current_generation(), old)
