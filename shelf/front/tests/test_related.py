import datetime as dt

from shelf.catalogue.factories import make_term
from shelf.catalogue.models import Resource, Status, Visibility
from shelf.test import BaseTestCase


def item(title: str, terms, **fields) -> Resource:
    fields.setdefault("status", Status.PUBLISHED)
    fields.setdefault("visibility", Visibility.PUBLIC)
    slug = title.lower().replace(" ", "-")
    resource = Resource.objects.create(key=f"t:{slug}", slug=slug, title=title, **fields)
    resource.terms.set(terms)
    return resource


class RelatedTestCase(BaseTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        topic, audience = make_term("topic", "Grooming"), make_term("audience", "Parents")
        both = [topic, audience]
        cls.guide = item("Grooming guide", both, language="en", date=dt.date(2020, 1, 1))
        cls.older = item("Grooming guide 2015", both, language="en", date=dt.date(2015, 1, 1))
        cls.newer = item("Grooming guide 2024", both, language="en", date=dt.date(2024, 1, 1))
        cls.guide.supersedes = cls.older
        cls.guide.save()
        cls.newer.supersedes = cls.guide
        cls.newer.save()
        cls.french = item("Guide sur la manipulation", both, language="fr")
        cls.guide.translations.add(cls.french)
        # The French translation of the older edition is the same work too.
        cls.older_french = item("Guide 2015 (fr)", both, language="fr")
        cls.older.translations.add(cls.older_french)
        cls.other_en = item("Talking to children", both, language="en", date=dt.date(2023, 1, 1))
        cls.other_fr = item("Parler aux enfants", both, language="fr", date=dt.date(2019, 1, 1))
        cls.loosely = item("Screen time", [audience], language="fr", date=dt.date(2025, 1, 1))

    def test_it_leaves_out_the_items_own_editions_and_translations(self):
        related = self.guide.related(None, language="en")
        for same_work in (self.older, self.newer, self.french, self.older_french):
            self.assertNotIn(same_work, related)
        self.assertEqual(set(related), {self.other_en, self.other_fr, self.loosely})

    def test_it_prefers_the_readers_language_among_equals(self):
        self.assertEqual(
            self.guide.related(None, language="en"), [self.other_en, self.other_fr, self.loosely]
        )
        self.assertEqual(
            self.guide.related(None, language="fr"), [self.other_fr, self.other_en, self.loosely]
        )

    def test_a_language_match_does_not_outweigh_many_shared_terms(self):
        # "Screen time" shares one term; in French it ties with no one sharing two.
        related = self.guide.related(None, language="fr")
        self.assertLess(related.index(self.other_en), related.index(self.loosely))

    def test_the_page_uses_the_language_being_served(self):
        r = self.client.get(f"/fr/resources/{self.guide.slug}/")
        related = r.context["links"].related
        self.assertEqual(related[0], self.other_fr)
        self.assertNotIn(self.french, related)
