from django.http import QueryDict

from shelf.catalogue.browse import browse, parse
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

    def test_it_counts_facets_for_the_search(self):
        results = search("guide")
        audience = next(f for f in results.facets if f.name == "audience")
        self.assertEqual([(v.value, v.count) for v in audience.values], [("parents", 1)])
