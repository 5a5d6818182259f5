from django.conf import settings
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


class BundledLabelsTestCase(TestCase):
    """Every term Shelf ships reads in every interface language."""

    @classmethod
    def setUpTestData(cls):
        cls.taxonomy = Taxonomy.load()

    def test_no_bundled_term_lacks_a_label_in_any_language(self):
        missing = []
        for spec in self.taxonomy.specs:
            if spec.vocabulary == "publisher":
                continue  # proper names, shown as the publisher writes them
            for code, _name in settings.LANGUAGES:
                label = spec.labels.get(code) or (spec.label if code == "en" else "")
                if not label.strip():
                    missing.append(f"{spec.vocabulary}.{spec.slug} [{code}]")
        self.assertEqual(missing, [])

    def test_every_vocabulary_but_publishers_and_countries_ships_terms(self):
        shipped = {spec.vocabulary for spec in self.taxonomy.specs}
        expected = {"topic", "audience", "setting", "type", "language", "collection"}
        self.assertLessEqual(expected, shipped)

    def test_migrate_stores_the_translated_labels(self):
        teachers = Term.objects.get(vocabulary="audience", slug="teachers")
        self.assertEqual(teachers.label_for("fr"), "Enseignants")
        self.assertEqual(teachers.label_for("zh-Hans"), "教师")
        french = Term.objects.get(vocabulary="language", slug="fr")
        self.assertEqual(french.label_for("en"), "French")
        self.assertEqual(french.label_for("ar"), "الفرنسية")

    def test_it_adds_missing_translations_and_keeps_curators_ones(self):
        term = Term.objects.get(vocabulary="topic", slug="child-protection")
        term.labels = {"fr": "Protection des enfants"}
        term.save()
        sync_terms(self.taxonomy)
        term.refresh_from_db()
        self.assertEqual(term.labels["fr"], "Protection des enfants")
        self.assertEqual(term.labels["es"], "Protección infantil")
        self.assertEqual(term.labels["ar"], "حماية الطفل")

    def test_it_maps_translated_labels_of_source_tags(self):
        for tag, expected in {
            "Enseignants": ("audience", "teachers"),
            "Protección infantil": ("topic", "child-protection"),
            "儿童保护": ("topic", "child-protection"),
        }.items():
            with self.subTest(tag=tag):
                spec, known = self.taxonomy.map_tag(tag)
                self.assertTrue(known)
                self.assertEqual((spec.vocabulary, spec.slug), expected)
