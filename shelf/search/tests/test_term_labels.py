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


class BundledTermLabelTestCase(BaseTestCase):
    """The labels shipped in taxonomy.toml reach facets, chips, detail
    pages, the API and search."""

    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        from shelf.catalogue.models import Term

        cls.teachers = Term.objects.get(vocabulary="audience", slug="teachers")
        cls.item = resource("Classroom boundaries", terms=[cls.teachers])

    def test_facets_chips_and_detail_pages_show_them(self):
        r = self.client.get("/resources/?audience=teachers", HTTP_ACCEPT_LANGUAGE="ar", follow=True)
        self.assertContains(r, "المعلمون", count=3)  # facet, chip, result's tag
        url = f"/resources/{self.item.slug}/"
        r = self.client.get(url, HTTP_ACCEPT_LANGUAGE="zh-Hans", follow=True)
        self.assertContains(r, "教师")

    def test_the_api_labels_them_in_the_readers_language(self):
        r = self.client.get("/api/v1/resources", HTTP_ACCEPT_LANGUAGE="es")
        labels = [t["label"] for t in r.json()["results"][0]["terms"]["audience"]]
        self.assertEqual(labels, ["Docentes"])

    def test_search_finds_them_in_every_language(self):
        for word in ["enseignants", "docentes", "المعلمون", "教师"]:
            with self.subTest(word=word):
                self.assertEqual([r.pk for r in search(word).resources], [self.item.pk])


class ManyWordLabelTestCase(BaseTestCase):
    """A term's many-word label, as a synonym of its name, matches those words
    in a row, not each of them somewhere in an item."""

    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        schools = term("setting", "Schools")
        schools.labels = {"es": "Centros educativos"}
        schools.save()
        publisher = term("publisher", "Agency")
        publisher.aliases = ["Centro Internacional de Protección"]
        publisher.save()
        educators = term("audience", "Educators")
        cls.tagged = resource("Playground rules", terms=[schools])
        cls.scattered = resource("Reporting duties", terms=[publisher, educators])
        cls.spanish = resource("Guía", summary="Para centros educativos y familias.")

    def test_it_finds_the_label_and_the_phrase_but_not_scattered_words(self):
        found = {r.pk for r in search("schools").resources}
        self.assertIn(self.tagged.pk, found)
        self.assertIn(self.spanish.pk, found)
        self.assertNotIn(self.scattered.pk, found)
