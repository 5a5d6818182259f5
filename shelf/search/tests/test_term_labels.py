from django.utils import translation

from shelf.search.tests.factories import resource, term
from shelf.search.tests.test_engine import search
from shelf.test import BaseTestCase


class TranslatedTermLabelTestCase(BaseTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.teachers = term("audience", "Schoolstaff")
        cls.teachers.labels = {"fr": "Enseignants", "es": "Docentes"}
        cls.teachers.save()
        cls.item = resource("Classroom boundaries", terms=[cls.teachers])

    def test_it_finds_items_by_a_translated_label(self):
        self.assertEqual([r.pk for r in search("enseignants").resources], [self.item.pk])
        self.assertEqual([r.pk for r in search("docentes").resources], [self.item.pk])

    def test_it_shows_facets_in_the_readers_language(self):
        with translation.override("fr"):
            labels = {v.value: v.label for f in search("").facets for v in f.values}
        self.assertEqual(labels[self.teachers.slug], "Enseignants")
        with translation.override("en"):
            labels = {v.value: v.label for f in search("").facets for v in f.values}
        self.assertEqual(labels[self.teachers.slug], "Schoolstaff")

    def test_it_finds_a_label_added_later(self):
        self.teachers.labels = {**self.teachers.labels, "ar": "معلمون"}
        self.teachers.save()
        self.assertEqual([r.pk for r in search("معلمون").resources], [self.item.pk])

    def test_the_page_shows_translated_labels(self):
        r = self.client.get("/fr/resources/")
        self.assertContains(r, "Enseignants")
        r = self.client.get(f"/es/resources/{self.item.slug}/")
        self.assertContains(r, "Docentes")
