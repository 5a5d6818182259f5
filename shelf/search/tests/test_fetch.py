"""The page fetch adapter gives what the public queryset API gives."""

from django.contrib.auth.models import AnonymousUser
from django.db.models.functions import Substr

from shelf.catalogue.models import Resource
from shelf.search import fetch
from shelf.search.tests.factories import resource, term
from shelf.test import BaseTestCase


class FetchTestCase(BaseTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.parents = term("audience", "Parents")
        cls.topic = term("topic", "Grooming")
        cls.a = resource("Alpha", "First summary", "Body of alpha " * 50, terms=[cls.parents])
        cls.b = resource("Beta", "Second", "Body of beta", language="fr", terms=[cls.topic])
        cls.hidden = resource("Gamma", "Members only", visibility="members")
        cls.draft = resource("Delta", "Draft", status="draft")

    def ids(self, resources):
        return [r.pk for r in resources]

    def test_it_keeps_the_order_of_the_ids(self):
        got = fetch.page([self.b.pk, self.a.pk], AnonymousUser())
        self.assertEqual(self.ids(got), [self.b.pk, self.a.pk])

    def test_it_applies_the_visibility_gate(self):
        every = [self.a.pk, self.hidden.pk, self.draft.pk]
        self.assertEqual(self.ids(fetch.page(every, AnonymousUser())), [self.a.pk])
        self.assertEqual(self.ids(fetch.page(every, self.alice)), [self.a.pk, self.hidden.pk])

    def test_it_reads_the_fields_the_public_queryset_reads(self):
        got = fetch.page([self.a.pk, self.b.pk], None, body_chars=30)
        public = Resource.objects.visible_to(None).only(*fetch.PAGE_FIELDS)
        public = public.annotate(body_start=Substr("body", 1, 30)).in_bulk([self.a.pk, self.b.pk])
        for item in got:
            expected = public[item.pk]
            for name in (*fetch.PAGE_FIELDS, "body_start"):
                self.assertEqual(getattr(item, name), getattr(expected, name), name)
        self.assertEqual(len(got[0].body_start), 30)

    def test_it_attaches_terms_so_reading_them_runs_no_query(self):
        got = fetch.page([self.a.pk, self.b.pk], None)
        links = {self.a.pk: [self.parents.pk], self.b.pk: [self.topic.pk]}
        by_id = {self.parents.pk: self.parents, self.topic.pk: self.topic}
        fetch.attach_terms(got, by_id, links.__getitem__)
        with self.assertNumQueries(0):
            terms = [list(r.terms.all()) for r in got]
        self.assertEqual(terms, [list(self.a.terms.all()), list(self.b.terms.all())])


class PublisherOrderTestCase(BaseTestCase):
    def test_it_lists_publishers_in_their_stored_order_without_a_query(self):
        from django.http import QueryDict

        from shelf.search.browse import browse, parse
        from shelf.search.replica import current

        zeta, alpha = term("publisher", "Zeta Trust"), term("publisher", "Alpha Fund")

        def published_by_zeta_then_alpha(title):
            item = resource(title)
            item.terms.add(zeta)  # one at a time: add() of several keeps no order
            item.terms.add(alpha)
            return item

        built = published_by_zeta_then_alpha("Built with the index")
        current()  # the index is built; the next item comes through the feed
        later = published_by_zeta_then_alpha("Saved after the build")
        results = browse(parse(QueryDict("sort=title")), None)
        snap = current()
        with self.assertNumQueries(0):
            fetch.attach_terms(results.resources, snap.term_set.by_id, snap.term_ids)
        by_pk = {r.pk: r for r in results.resources}
        for item in (built, later):
            with self.subTest(item.title):
                self.assertEqual(
                    [t.label for t in by_pk[item.pk].publishers], ["Zeta Trust", "Alpha Fund"]
                )
