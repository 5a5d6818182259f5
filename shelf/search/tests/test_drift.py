"""The drift check: a snapshot that differs from the database (a write that
went around the change feed) is found and repaired; one that matches is
left alone."""

from django.db import connection

from shelf.catalogue.models import Resource, Term
from shelf.search.browse import QueryError
from shelf.search.models import SearchChange
from shelf.search.replica import get_replica
from shelf.search.tests.factories import resource, term
from shelf.search.tests.test_engine import search
from shelf.test import BaseTestCase


class DriftTestCase(BaseTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.parents = term("audience", "Parents")
        cls.teachers = term("audience", "Teachers")
        cls.a = resource("Online grooming", "For parents.", terms=[cls.parents])
        cls.b = resource("Safer recruitment", "For schools.", terms=[cls.teachers])
        cls.c = resource("Members handbook", "Inside.", visibility="members")

    def setUp(self):
        search("")  # the index is built
        self.replica = get_replica()

    def around_the_feed(self, since: int) -> None:
        SearchChange.objects.filter(id__gt=since).delete()

    def test_it_finds_nothing_to_repair_when_in_step(self):
        self.assertFalse(self.replica.check_drift())

    def test_it_repairs_a_term_link_changed_around_the_feed(self):
        since = self.replica.snapshot.position.last
        self.b.terms.add(self.parents)
        self.around_the_feed(since)
        self.assertEqual(search("", audience="parents").count, 1)
        repair = self.replica.check_drift()
        self.assertEqual(repair.resource_ids, {self.b.pk})
        self.assertEqual(repair.facets, ["audience"])
        self.assertEqual(search("", audience="parents").count, 2)
        self.assertFalse(self.replica.check_drift())

    def test_it_repairs_visibility_and_items_changed_around_the_feed(self):
        since = self.replica.snapshot.position.last
        Resource.objects.filter(pk=self.a.pk).update(visibility="members")  # no signal
        Resource.objects.filter(pk=self.c.pk).update(visibility="public")
        new = Resource.objects.create(key="new", slug="new", title="Helpline numbers")
        self.around_the_feed(since)
        self.assertEqual(search("grooming").count, 1)
        repair = self.replica.check_drift()
        self.assertEqual(repair.resource_ids, {self.a.pk, self.c.pk, new.pk})
        self.assertEqual(search("grooming").count, 0)
        self.assertEqual(search("handbook").count, 1)
        self.assertEqual(search("helpline").count, 1)

    def test_it_reads_terms_again_when_one_was_made_around_the_feed(self):
        since = self.replica.snapshot.position.last
        Term.objects.bulk_create([Term(vocabulary="topic", slug="sport", label="Sport")])
        self.around_the_feed(since)
        with self.assertRaises(QueryError):
            search("", topic="sport")
        repair = self.replica.check_drift()
        self.assertTrue(repair.terms)
        self.assertEqual(search("", topic="sport").count, 0)  # known, with no items

    def test_it_rebuilds_when_the_feed_went_backwards(self):
        SearchChange.objects.all().delete()
        if connection.vendor == "sqlite":
            # A restored database: its feed is behind this index.
            self.replica.snapshot.position.last += 10
        repair = self.replica.check_drift()
        self.assertTrue(repair.rebuild)


class CoversTestCase(BaseTestCase):
    def test_it_sees_rows_committed_above_a_horizon_that_stayed_put(self):
        from shelf.search.feed import Position
        from shelf.search.replica import _covers

        written = Position(last=10, horizon=5, seen={9: 7})
        self.assertTrue(_covers(written, Position(10, 5, {9: 7})))
        # A transaction that started at 6 committed rows 3 and 4 since.
        self.assertFalse(_covers(written, Position(10, 5, {3: 6, 4: 6, 9: 7})))
        self.assertFalse(_covers(written, Position(11, 5, {9: 7})))
        self.assertTrue(_covers(Position(12, 8), Position(10, 5, {9: 7})))
