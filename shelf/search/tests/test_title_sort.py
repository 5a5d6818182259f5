"""Sort by title compares whole titles (case, accents and punctuation
aside), for items indexed by the build and for items added or renamed since."""

from shelf.search.tests.factories import resource
from shelf.search.tests.test_engine import search
from shelf.test import BaseTestCase


class TitleSortTestCase(BaseTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        # Created out of order, sharing their first 8+ bytes.
        cls.families = resource("Abduction and Families")
        cls.abuse = resource("Abduction Abuse")
        cls.zebra = resource("Zebra crossings")
        cls.accent = resource("Écoles sûres")
        cls.middle = resource("Missing children")

    def titles(self) -> list[str]:
        return [r.title for r in search("", sort="title").resources]

    def test_it_sorts_the_built_index_by_whole_titles(self):
        self.assertEqual(
            self.titles(),
            [
                "Abduction Abuse",
                "Abduction and Families",
                "Écoles sûres",
                "Missing children",
                "Zebra crossings",
            ],
        )

    def test_it_sorts_items_added_since_the_build_among_the_others(self):
        self.titles()  # the index is built
        resource("Abduction across borders")
        resource("Abduction advice")
        resource("Abduction abroad")
        resource("Ethics")
        self.assertEqual(
            self.titles(),
            [
                "Abduction abroad",
                "Abduction Abuse",
                "Abduction across borders",
                "Abduction advice",
                "Abduction and Families",
                "Écoles sûres",
                "Ethics",
                "Missing children",
                "Zebra crossings",
            ],
        )

    def test_it_moves_a_renamed_item(self):
        self.titles()
        self.zebra.title = "Abduction: a checklist"
        self.zebra.save()
        self.middle.title = "Abduction; what next"
        self.middle.save()
        self.assertEqual(
            self.titles(),
            [
                "Abduction: a checklist",
                "Abduction Abuse",
                "Abduction and Families",
                "Abduction; what next",
                "Écoles sûres",
            ],
        )
