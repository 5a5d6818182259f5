from django.test import SimpleTestCase

from shelf.front.listing import href, page_numbers
from shelf.search.browse import Query


class PageNumberTests(SimpleTestCase):
    def test_it_keeps_first_last_and_a_window_with_gaps(self):
        cases = [
            ((1, 1), [1]),
            ((1, 2), [1, 2]),
            ((1, 10), [1, 2, 3, None, 10]),
            ((4, 10), [1, 2, 3, 4, 5, 6, None, 10]),
            ((5, 10), [1, None, 3, 4, 5, 6, 7, None, 10]),
            ((10, 10), [1, None, 8, 9, 10]),
        ]
        for (page, pages), expected in cases:
            with self.subTest(page=page, pages=pages):
                self.assertEqual(page_numbers(page, pages), expected)


class HrefTests(SimpleTestCase):
    def test_it_gives_the_bare_path_for_the_unfiltered_listing(self):
        self.assertEqual(href("/resources/", Query().url()), "/resources/")

    def test_it_orders_parameters_canonically(self):
        query = Query(q="safe", selected={"setting": ["schools"], "audience": ["b", "a"]})
        self.assertEqual(
            href("/resources/", query.url(page=2)),
            "/resources/?q=safe&audience=a&audience=b&setting=schools&page=2",
        )
