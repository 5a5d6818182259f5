"""A whole listing for an export: the same items in the same order as the
listing's pages, for the same person, walked a chunk at a time without
counting facets or holding the list."""

from unittest import mock

from django.http import QueryDict

from shelf.catalogue.models import Visibility
from shelf.curation.tests.base import CurationTestCase, make_resource, term
from shelf.exports import stream
from shelf.search import browse as catalogue
from shelf.search import facets, ranking, replica

QUERIES = [
    "",
    "sort=title",
    "sort=oldest",
    "sort=newest&audience=parents",
    "q=safeguarding",
    "q=safeguarding&sort=title",
    "q=safeguarding+schools",
    "q=protection",
    "q=zzzz",
]


class StreamTestCase(CurationTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        parents = term("audience", "parents", "Parents")
        for n in range(14):
            make_resource(
                f"Safeguarding in schools, part {n % 5}" if n % 3 else f"Child protection {n}",
                summary="safeguarding " * (n % 4 + 1),
                date=f"{2000 + n % 7}-01-01",
                date_precision="year",
                language=["en", "fr", "es"][n % 3],
                visibility=Visibility.MEMBERS if n % 5 == 0 else Visibility.PUBLIC,
                terms=[parents] if n % 2 else [],
            )
        old = make_resource("Safeguarding policy 2010", date="2010-01-01", date_precision="year")
        make_resource(
            "Safeguarding policy 2020", date="2020-01-01", date_precision="year", supersedes=old
        )

    def setUp(self):
        replica.current()  # the index is built with the items above
        # Changed since the build: merged into the built order by key.
        make_resource("Safeguarding late addition", date="2005-06-01", date_precision="month")

    def paged(self, query: str, user) -> list[str]:
        results = catalogue.browse(catalogue.parse(QueryDict(query)), user, per_page=500)
        return [r.slug for r in results.resources]

    def walked(self, query: str, user, chunk: int = 4) -> tuple[int, list[list[str]]]:
        listing = stream.listing(catalogue.parse(QueryDict(query)), user, chunk=chunk)
        return listing.count, [[r.slug for r in c] for c in listing.chunks]

    def check_same_as_pages(self) -> None:
        for user in (None, self.member):
            for query in QUERIES:
                with self.subTest(query=query, member=bool(user)):
                    count, chunks = self.walked(query, user)
                    expected = self.paged(query, user)
                    self.assertEqual(sum(chunks, []), expected)
                    self.assertEqual(count, len(expected))
                    self.assertTrue(all(len(c) <= 4 for c in chunks))


class StreamTests(StreamTestCase):
    def test_it_lists_what_the_pages_list_in_their_order(self):
        self.check_same_as_pages()

    def test_it_walks_large_tiers_in_the_built_order_and_tantivy_in_pages(self):
        # Every tier "large" and three hits per tantivy call: the walking
        # paths the small catalogue would not otherwise reach.
        with (
            mock.patch.object(ranking, "WALK_SMALL", 0),
            mock.patch.object(ranking, "WALK_HITS", 3),
        ):
            self.check_same_as_pages()

    def test_it_keeps_members_only_items_from_readers(self):
        _count, chunks = self.walked("", None)
        reader = set(sum(chunks, []))
        _count, chunks = self.walked("", self.member)
        member = set(sum(chunks, []))
        self.assertEqual(len(member - reader), 3)
        hidden = {r.slug for r in stream.Resource.objects.filter(visibility=Visibility.MEMBERS)}
        self.assertFalse(reader & hidden)

    def test_it_counts_no_facets(self):
        with mock.patch.object(facets, "count", side_effect=AssertionError("facets counted")):
            for query in QUERIES:
                with self.subTest(query=query):
                    count, chunks = self.walked(query, self.member)
                    self.assertEqual(len(sum(chunks, [])), count)

    def test_it_reads_the_index_as_the_chunks_are_asked_for(self):
        with (
            mock.patch.object(ranking, "WALK_HITS", 3),
            mock.patch.object(ranking, "hits", wraps=ranking.hits) as hits,
        ):
            listing = stream.listing(catalogue.parse(QueryDict("q=safeguarding")), None, chunk=2)
            self.assertEqual(hits.call_count, 0)
            first = next(listing.chunks)
            self.assertEqual(len(first), 2)
            # A page of three hits from each language's stream was enough.
            early = hits.call_count
            self.assertLessEqual(early, 4)
            rest = list(listing.chunks)
        self.assertGreater(hits.call_count, early)
        self.assertEqual(len(first) + sum(map(len, rest)), listing.count)

    def test_it_refuses_a_bad_query_before_streaming(self):
        with self.assertRaises(catalogue.QueryError):
            stream.listing(catalogue.parse(QueryDict("audience=nobody")), None)
