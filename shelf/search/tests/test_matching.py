"""Queries as people type them: questions, spelling variants, words typed
half-way, relaxed matching, editions and the reader's language."""

from django.test import override_settings
from django.urls import reverse
from django.utils import translation

from shelf.search.query import parse_text
from shelf.search.tests.factories import resource, term
from shelf.search.tests.test_engine import search
from shelf.test import BaseTestCase


def words_left(q: str) -> list[str]:
    return [c.text for c in parse_text(q).clauses]


class QuestionWordsTestCase(BaseTestCase):
    def test_it_drops_question_words_in_every_language(self):
        self.assertEqual(
            words_left("what should I do if a child tells me they are being abused"),
            ["child", "abused"],
        )
        self.assertEqual(
            words_left("comment signaler la maltraitance ?"), ["signaler", "maltraitance"]
        )
        self.assertEqual(words_left("¿Cómo puedo proteger a mi hijo?"), ["proteger", "hijo"])
        self.assertEqual(words_left("كيف أحمي طفلي"), ["أحمي", "طفلي"])
        self.assertEqual(words_left("如何预防欺凌"), ["预防欺凌"])

    def test_it_drops_prepositions_that_say_nothing_of_the_subject(self):
        self.assertEqual(
            words_left("how do I check new staff before hiring them"),
            ["check", "new", "staff", "hiring"],
        )
        self.assertEqual(words_left("que faire chez un ami avec un enfant"), ["ami", "enfant"])

    def test_it_keeps_question_words_when_there_is_nothing_else(self):
        self.assertEqual(words_left("how"), ["how"])


class MatchingTestCase(BaseTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.parents = term("audience", "Parents")
        cls.teachers = term("audience", "Teachers")
        cls.sport = resource("Safeguarding programmes in sport", "For clubs.", terms=[cls.parents])
        cls.behavior = resource("Understanding behavior", "Toddlers and tantrums.")
        cls.law = resource("Trafficking law enforcement", "Police and prosecutors.")
        cls.enfant = resource("Trafficking law and the enfant terrible", "A review.")
        cls.lawyers = resource("Trafficking lawyers", "Who acts for victims.", terms=[cls.teachers])
        cls.whole = resource("Enf: trafficking law", "Enf is a network.")

    def ids(self, q: str, **params) -> list[int]:
        return [r.pk for r in search(q, **params).resources]

    def test_it_matches_british_and_american_spellings_both_ways(self):
        self.assertEqual(self.ids("sport programs"), [self.sport.pk])
        self.assertEqual(self.ids("behaviour"), [self.behavior.pk])

    def test_it_matches_the_last_word_as_a_prefix_below_whole_words(self):
        ranked = self.ids("trafficking law enf")
        self.assertEqual(ranked[0], self.whole.pk)  # "enf" as a whole word first
        self.assertEqual(set(ranked[1:3]), {self.law.pk, self.enfant.pk})

    def test_it_lists_the_words_as_typed_before_near_spellings(self):
        # "policy" as typed and "enf" the start of "enforcement"...
        typed = resource("Annual review", "A policy on trafficking and its enforcement.")
        # ...before "police", one letter from "policy", however often it says the rest.
        near = resource(
            "Trafficking police enforcement",
            "Trafficking police enforcement, trafficking police enforcement.",
        )
        ranked = self.ids("trafficking policy enf")
        self.assertEqual(ranked[:1], [typed.pk])
        self.assertIn(near.pk, ranked)

    def test_it_lists_items_found_through_a_multi_word_synonym_last(self):
        from shelf.search.models import Synonym

        Synonym.objects.create(alternatives="safeguarding\nwelfare\nchild protection")
        phrase = resource("Child protection for clubs", "Child protection for clubs, again.")
        word = resource("Notes for clubs", "A word on welfare.")
        ranked = self.ids("safeguarding clubs")
        self.assertLess(ranked.index(word.pk), ranked.index(phrase.pk))

    def test_it_ranks_the_own_words_tier_by_the_own_words_alone(self):
        from django.contrib.auth.models import AnonymousUser

        from shelf.search import engine, replica

        resource("Police checks", "Before hiring.")
        resource("Policy on checks", "Before hiring.")
        parsed = parse_text("police checks")
        plan = engine.plan(replica.current(), parsed, {}, AnonymousUser())
        own = plan.tiers[0][0]
        # The query itself was widened (police: policy)...
        self.assertTrue(any(a.weight < 1.0 for c in parsed.clauses for a in c.alts))
        # ...the first tier, the items with the reader's own words, is ranked without that.
        self.assertTrue(all(a.weight >= 1.0 for c in own.clauses for a in c.alts))

    def test_it_matches_only_the_last_word_as_a_prefix(self):
        clauses = parse_text("enf trafficking law").clauses
        self.assertEqual([c.prefix for c in clauses], ["", "", "law"])
        self.assertEqual(parse_text('trafficking "law"').clauses[-1].prefix, "")

    def test_it_relaxes_a_query_that_few_items_match_and_says_so(self):
        results = search("trafficking lawyers for sport clubs")
        self.assertIn("some of your words", results.notice)
        ranked = [r.pk for r in results.resources]
        self.assertEqual(ranked[0], self.lawyers.pk)  # two words of five, the most
        self.assertIn(self.sport.pk, ranked)

    def test_it_lists_every_word_matches_above_relaxed_ones(self):
        results = search("trafficking lawyers")
        self.assertEqual(results.notice, "Showing results for some of your words.")
        ranked = [r.pk for r in results.resources]
        self.assertEqual(ranked[0], self.lawyers.pk)
        self.assertEqual(len(ranked), 4)  # and the other "trafficking" items after it

    def test_it_counts_facets_over_the_results_shown(self):
        results = search("trafficking lawyers sport")
        audience = {
            v.value: v.count for v in next(f for f in results.facets if f.name == "audience").values
        }
        self.assertEqual(results.count, len(results.resources))
        self.assertEqual(audience, {"teachers": 1, "parents": 1})

    @override_settings(SHELF_PAGE_SIZE=2)
    def test_it_pages_through_relaxed_results(self):
        first = search("trafficking lawyers")
        second = search("trafficking lawyers", page="2")
        pages = [r.pk for r in first.resources + second.resources]
        self.assertEqual(len(set(pages)), 4)
        self.assertEqual(pages[0], self.lawyers.pk)

    def test_it_does_not_relax_when_every_word_matches_enough(self):
        for i in range(10):
            resource(f"Trafficking lawyers {i}")
        self.assertEqual(search("trafficking lawyers").notice, "")


class EditionsTestCase(BaseTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.old = resource("Helplines report", "Calls to helplines, helplines everywhere.")
        cls.new = resource("Helplines report", "Calls.", supersedes=cls.old)
        cls.draft_old = resource("Grooming leaflet", "Grooming grooming.")
        cls.draft_new = resource(
            "Grooming leaflet", "Draft.", status="draft", supersedes=cls.draft_old
        )

    def test_it_lists_the_current_edition_first(self):
        self.assertEqual([r.pk for r in search("helplines").resources], [self.new.pk, self.old.pk])
        ranked = search("helplines", sort="oldest").resources
        self.assertEqual([r.pk for r in ranked], [self.new.pk, self.old.pk])

    def test_it_marks_superseded_items_in_the_listing(self):
        html = self.client.get(reverse("front:resources") + "?q=helplines").content.decode()
        self.assertEqual(html.count("Superseded"), 1)
        self.assertLess(html.index(f"/{self.new.slug}/"), html.index(f"/{self.old.slug}/"))

    def test_it_keeps_an_item_current_while_its_new_edition_is_unpublished(self):
        results = search("grooming")
        self.assertEqual([r.pk for r in results.resources], [self.draft_old.pk])
        self.assertFalse(results.resources[0].superseded)

    def test_it_follows_an_edition_made_after_the_build(self):
        search("")
        newer = resource("Helplines report", "Calls.", supersedes=self.new)
        ranked = [r.pk for r in search("helplines report").resources]
        self.assertEqual(ranked[0], newer.pk)


class LanguageTestCase(BaseTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.es = resource("Informe UNICEF", "Niños.", language="es")
        cls.en = resource("UNICEF report", "Children.", language="en")
        cls.fr = resource("Rapport UNICEF", "Enfants.", language="fr")

    def first(self, q: str) -> int:
        return search(q).resources[0].pk

    def test_it_prefers_the_language_of_the_query(self):
        with translation.override("fr"):
            self.assertEqual(self.first("what does UNICEF do"), self.en.pk)
            self.assertEqual(self.first("¿UNICEF?"), self.es.pk)
        with translation.override("en"):
            self.assertEqual(self.first("UNICEF à Genève"), self.fr.pk)

    def test_it_prefers_the_reader_interface_language_when_the_query_says_nothing(self):
        with translation.override("fr"):
            self.assertEqual(self.first("UNICEF"), self.fr.pk)
        with translation.override("es"):
            self.assertEqual(self.first("UNICEF"), self.es.pk)
        with translation.override("en"):
            self.assertEqual(self.first("UNICEF"), self.en.pk)


class SortedTiersTestCase(BaseTestCase):
    def test_it_lists_an_item_once_when_sorted_by_date(self):
        item = resource("Child protection online", "How to keep children safe.")
        for sort in ("newest", "oldest", "title"):
            results = search("CHILD", sort=sort)  # "child" as typed, and as "children"
            self.assertEqual([r.pk for r in results.resources], [item.pk], sort)
            self.assertEqual(results.count, 1)
