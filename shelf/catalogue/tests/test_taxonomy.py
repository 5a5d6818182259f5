from django.test import TestCase

from shelf.catalogue.models import Term
from shelf.catalogue.taxonomy import Taxonomy, sync_terms


class TaxonomyTestCase(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.taxonomy = Taxonomy.load()

    def test_it_maps_source_tags_to_facets(self):
        cases = {
            "Parents": ("audience", "parents"),
            "Teachers": ("audience", "teachers"),
            "Schools": ("setting", "schools"),
            "International Schools": ("setting", "international-schools"),
            "Virtual School": ("setting", "virtual-school"),
            "ICMEC Publications": ("collection", "icmec-publications"),
            "Chinese": ("language", "zh-hans"),
            "Corona Virus": ("topic", "covid-19"),
            "Covid19": ("topic", "covid-19"),
            "  corona   virus ": ("topic", "covid-19"),
        }
        for tag, expected in cases.items():
            with self.subTest(tag=tag):
                spec, known = self.taxonomy.map_tag(tag)
                self.assertTrue(known)
                self.assertEqual((spec.vocabulary, spec.slug), expected)

    def test_it_turns_unknown_tags_into_topics(self):
        spec, known = self.taxonomy.map_tag("Sextortion Awareness")
        self.assertFalse(known)
        self.assertEqual(
            (spec.vocabulary, spec.slug, spec.label),
            ("topic", "sextortion-awareness", "Sextortion Awareness"),
        )

    def test_it_creates_the_terms_on_migrate(self):
        covid = Term.objects.get(vocabulary="topic", slug="covid-19")
        self.assertEqual(covid.label, "COVID-19")
        self.assertIn("Corona Virus", covid.aliases)

    def test_it_keeps_curators_edits_when_synced_again(self):
        term = Term.objects.get(vocabulary="audience", slug="parents")
        term.label = "Parents and carers"
        term.aliases = [*term.aliases, "Guardians"]
        term.save()
        sync_terms(self.taxonomy)
        term.refresh_from_db()
        self.assertEqual(term.label, "Parents and carers")
        self.assertIn("Guardians", term.aliases)
        self.assertIn("Parents", term.aliases)
