from unittest import skipUnless

from django.db import connection
from django.http import QueryDict

from shelf.search.browse import browse, parse
from shelf.search.tests.factories import resource, term
from shelf.test import BaseTestCase


def search(q: str, user=None, **params):
    query = QueryDict(mutable=True)
    query["q"] = q
    for key, value in params.items():
        query.setlist(key, value if isinstance(value, list) else [value])
    return browse(parse(query), user)


class EngineTestCase(BaseTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.covid = term("topic", "COVID-19", ["Corona Virus", "Covid19"], slug="covid-19")
        cls.parents = term("audience", "Parents")
        cls.guide = resource(
            "Keeping children safe online",
            "A guide for parents about online grooming.",
            "Grooming happens when an adult builds trust with a child.",
            terms=[cls.parents],
        )
        cls.fr = resource(
            "Enlèvement international d'enfants",
            "Un guide sur l'enlèvement parental.",
            language="fr",
        )
        cls.virus = resource(
            "Schools during the pandemic", "Advice for teachers.", terms=[cls.covid]
        )

    def test_it_finds_a_word_in_the_title(self):
        results = search("children")
        self.assertEqual([r.pk for r in results.resources], [self.guide.pk])

    def test_it_folds_accents(self):
        results = search("enlevement")
        self.assertEqual([r.pk for r in results.resources], [self.fr.pk])

    def test_it_finds_items_by_term_alias(self):
        results = search("corona virus")
        self.assertEqual([r.pk for r in results.resources], [self.virus.pk])

    def test_it_tolerates_a_typo(self):
        results = search("groomng")
        self.assertEqual([r.pk for r in results.resources], [self.guide.pk])

    def test_it_marks_the_words_in_a_snippet(self):
        results = search("grooming")
        self.assertIn("<mark>grooming</mark>", results.snippets[self.guide.pk])

    def test_it_sees_an_item_saved_after_the_index_was_built(self):
        search("children")
        new = resource("Bullying at school", "What teachers can do about bullying.")
        results = search("bullying")
        self.assertEqual([r.pk for r in results.resources], [new.pk])

    def test_it_counts_the_whole_catalogue_again_after_a_change(self):
        from django.contrib.auth.models import AnonymousUser

        def parents(**params) -> int:
            facets = search("", AnonymousUser(), **params).facets
            audience = next(f for f in facets if f.name == "audience")
            return next((v.count for v in audience.values if v.value == "parents"), 0)

        self.assertEqual(parents(), 1)
        self.assertEqual(parents(), 1)  # remembered
        self.assertEqual(parents(audience="parents"), 1)
        resource("Talking with teenagers", "For parents.", terms=[self.parents])
        self.assertEqual(parents(), 2)
        self.assertEqual(parents(audience="parents"), 2)

    def test_it_counts_members_only_items_for_members_alone(self):
        from django.contrib.auth.models import AnonymousUser

        from shelf.curation.roles import MEMBER
        from shelf.curation.tests.base import person

        resource("Members' briefing", "For parents.", terms=[self.parents], visibility="members")
        member = person("mia", MEMBER)

        def parents(user) -> int:
            audience = next(f for f in search("", user).facets if f.name == "audience")
            return next((v.count for v in audience.values if v.value == "parents"), 0)

        # Each asks twice, the second answered from what the first counted.
        for _ in range(2):
            self.assertEqual(parents(AnonymousUser()), 1)
            self.assertEqual(parents(member), 2)

    def test_it_counts_facets_for_the_search(self):
        results = search("guide")
        audience = next(f for f in results.facets if f.name == "audience")
        self.assertEqual([(v.value, v.count) for v in audience.values], [("parents", 1)])


class QuerySyntaxTestCase(BaseTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.a = resource("Sexual abuse of children", "Prevention in schools.")
        cls.b = resource("Children and abuse online", "Sexual content and grooming.")
        cls.c = resource("<script>alert(1)</script> School safety", "Use <b>bold</b> & care.")

    def ids(self, q, **params):
        return {r.pk for r in search(q, **params).resources}

    def test_it_matches_a_quoted_phrase_only_in_order(self):
        self.assertEqual(self.ids('"sexual abuse"'), {self.a.pk})

    def test_it_excludes_words_after_a_minus(self):
        self.assertEqual(self.ids("abuse -grooming"), {self.a.pk})

    def test_it_escapes_item_text_in_snippets(self):
        results = search("care")
        snippet = results.snippets[self.c.pk]
        self.assertIn("&lt;b&gt;bold&lt;/b&gt; &amp; <mark>care</mark>", snippet)
        self.assertNotIn("<b>", snippet)

    def test_it_suggests_a_spelling_when_nothing_matches_every_word(self):
        results = search("skool safety")
        # Relaxed: what matches "safety" alone, and a better query offered.
        self.assertEqual([r.pk for r in results.resources], [self.c.pk])
        self.assertIn("some of your words", results.notice)
        self.assertEqual(results.suggestion, "school safety")

    def test_it_tolerates_two_typos_in_a_long_word(self):
        self.assertEqual(self.ids("prevnetoin"), {self.a.pk})

    def test_it_suggests_nothing_when_words_are_unknown(self):
        self.assertEqual(search("zzzzqqq").suggestion, "")

    def test_it_sorts_by_title(self):
        results = search("", sort="title")
        # Punctuation aside: "<script>alert(1)..." files under "script".
        self.assertEqual([r.pk for r in results.resources], [self.b.pk, self.c.pk, self.a.pk])

    def test_it_sorts_by_date_without_a_query(self):
        results = search("")
        self.assertEqual([r.pk for r in results.resources], [self.c.pk, self.b.pk, self.a.pk])
        results = search("", sort="oldest")
        self.assertEqual([r.pk for r in results.resources], [self.a.pk, self.b.pk, self.c.pk])


class StayingCurrentTestCase(BaseTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.item = resource("Safer recruitment", "Checks before hiring.")

    def test_it_forgets_a_deleted_item(self):
        self.assertEqual(search("recruitment").count, 1)
        self.item.delete()
        self.assertEqual(search("recruitment").count, 0)

    def test_it_lists_an_item_saved_again_once(self):
        search("recruitment")
        for summary in ("Checks before hiring staff.", "Checks before hiring volunteers."):
            self.item.summary = summary
            self.item.save()
            results = search("recruitment")
            self.assertEqual([r.pk for r in results.resources], [self.item.pk])

    def test_it_hides_an_item_made_members_only(self):
        search("recruitment")
        self.item.visibility = "members"
        self.item.save()
        self.assertEqual(search("recruitment").count, 0)
        self.assertEqual(search("recruitment", user=self.alice).count, 1)

    def test_it_hides_an_unpublished_item_from_everyone(self):
        search("recruitment")
        self.item.status = "draft"
        self.item.save()
        self.assertEqual(search("recruitment", user=self.alice).count, 0)
        self.assertEqual(search("").count, 0)

    def test_it_finds_an_item_by_a_term_added_later(self):
        search("recruitment")
        self.item.terms.add(term("topic", "Vetting", ["Background checks"]))
        self.assertEqual(search("vetting").count, 1)
        self.assertEqual(search("", topic="vetting").count, 1)

    def test_it_finds_a_new_alias_of_a_term(self):
        vetting = term("topic", "Vetting")
        self.item.terms.add(vetting)
        search("recruitment")
        vetting.aliases = ["Criminal record checks"]
        vetting.save()
        self.assertEqual(search("criminal record").count, 1)

    def test_it_uses_synonyms_a_curator_adds(self):
        from shelf.search.models import Synonym

        self.assertEqual(search("onboarding").count, 0)
        Synonym.objects.create(alternatives="recruitment\nonboarding")
        self.assertEqual(search("onboarding").count, 1)

    def test_it_indexes_items_from_a_bulk_import(self):
        from shelf.catalogue.models import Resource
        from shelf.ingest.signals import bulk_imported

        search("recruitment")
        created = Resource.objects.bulk_create(
            [Resource(key="bulk-1", slug="bulk-1", title="Bulk loaded toolkit")]
        )
        bulk_imported([r.pk for r in created])
        self.assertEqual(search("toolkit").count, 1)

    def test_it_rebuilds_the_index_with_reindex(self):
        import io

        from django.core.management import call_command

        out = io.StringIO()
        call_command("reindex", stdout=out)
        self.assertIn("Indexed 1 items", out.getvalue())
        self.assertEqual(search("recruitment").count, 1)


class ResultTermsTestCase(BaseTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.parents = term("audience", "Parents")
        cls.topic = term("topic", "Grooming")
        cls.item = resource("Online safety", "For families.", terms=[cls.topic, cls.parents])

    def test_it_gives_each_result_its_terms_without_a_query_per_result(self):
        search("")  # the index is built on first use
        with self.assertNumQueries(2):  # the change feed, the page of resources
            results = search("")
            terms = list(results.resources[0].terms.all())
        self.assertEqual(terms, [self.parents, self.topic])
        self.assertEqual(results.resources[0].publishers, [])


class ChangeFeedGapTestCase(BaseTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.item = resource("Safer recruitment", "Checks before hiring.")

    @skipUnless(connection.vendor == "postgresql", "SQLite ids come in commit order")
    def test_it_applies_a_change_that_commits_after_a_later_one(self):
        from shelf.catalogue.models import Resource
        from shelf.search.models import SearchChange
        from shelf.search.replica import get_replica

        search("")
        last = get_replica().snapshot.position.last
        late = Resource.objects.create(key="late", slug="late", title="Late arrival")
        # A transaction took id last+1, another took last+2 and committed first.
        SearchChange.objects.filter(resource_id=late.pk).delete()
        SearchChange.objects.create(id=last + 2, resource_id=self.item.pk)
        self.assertEqual(search("arrival").count, 0)
        SearchChange.objects.create(id=last - 1, resource_id=late.pk)
        self.assertEqual(search("arrival").count, 1)


class FacetCountingTestCase(BaseTestCase):
    """Facets are counted item by item for small sets and value by value for
    large ones; both must give the same numbers, before and after changes."""

    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.parents = term("audience", "Parents")
        cls.teachers = term("audience", "Teachers")
        cls.schools = term("setting", "Schools")
        cls.a = resource("Safety at school", terms=[cls.parents, cls.schools])
        cls.b = resource("Safety at home", terms=[cls.parents])
        cls.c = resource("Safety online", terms=[cls.teachers, cls.schools])

    def counts(self, **params):
        results = search("safety", **params)
        return {f.name: {v.value: v.count for v in f.values} for f in results.facets}

    def both_ways(self, **params):
        from shelf.search import facets

        small = self.counts(**params)
        original = facets.SMALL_SCOPE
        facets.SMALL_SCOPE = -1
        try:
            large = self.counts(**params)
        finally:
            facets.SMALL_SCOPE = original
        self.assertEqual(small, large)
        return small

    def test_it_counts_the_same_both_ways(self):
        counts = self.both_ways(audience="parents")
        self.assertEqual(counts["audience"], {"parents": 2, "teachers": 1})
        self.assertEqual(counts["setting"], {"schools": 1})
        self.assertEqual(counts["year"], {"2020": 2})

    def test_it_counts_the_same_both_ways_after_changes(self):
        self.counts()
        self.b.terms.set([self.teachers, self.schools])
        resource("Safety in sport", terms=[self.parents])
        counts = self.both_ways(setting="schools")
        self.assertEqual(counts["audience"], {"parents": 1, "teachers": 2})
        self.assertEqual(counts["setting"], {"schools": 3})


class PrunedFeedTestCase(BaseTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.item = resource("Safer recruitment", "Checks before hiring.")

    def test_it_rebuilds_when_the_feed_was_pruned_past_its_index(self):
        from shelf.catalogue.models import Resource
        from shelf.search.models import SearchChange
        from shelf.search.replica import forget

        search("")
        forget()  # a worker starting later, from the same index
        new = Resource.objects.create(key="new", slug="new", title="Onboarding volunteers")
        SearchChange.objects.filter(resource_id=new.pk).delete()
        SearchChange.objects.create(resource_id=self.item.pk)
        SearchChange.objects.filter(id__lt=SearchChange.objects.latest("id").id).delete()
        self.assertEqual(search("onboarding").count, 1)

    def test_it_prunes_the_feed_with_reindex(self):
        import io

        from django.core.management import call_command

        from shelf.search.models import SearchChange

        out = io.StringIO()
        call_command("reindex", prune_feed_days=0, stdout=out)
        self.assertIn("Deleted", out.getvalue())
        self.assertFalse(SearchChange.objects.exists())


class OldFormatTestCase(BaseTestCase):
    def test_it_rebuilds_an_index_of_an_older_format(self):
        import json

        from shelf.search import store
        from shelf.search.replica import forget

        item = resource("Safer recruitment", "Checks before hiring.")
        search("")
        old = store.index_dir() / (store.index_dir() / "current").read_text().strip()
        manifest = json.loads((old / "manifest.json").read_text())
        del manifest["format"]
        (old / "manifest.json").write_text(json.dumps(manifest))
        forget()  # a worker of the new version starting on the old index
        self.assertEqual([r.pk for r in search("recruitment").resources], [item.pk])
        self.assertNotEqual(store.current_generation(), old)
