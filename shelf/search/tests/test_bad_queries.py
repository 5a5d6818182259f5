import time

from django.http import QueryDict

from shelf.search.browse import browse, parse
from shelf.search.tests.factories import resource
from shelf.test import BaseTestCase

BAD = {
    "only stop words": "the of and",
    "ten thousand characters": "protection " * 910,
    "unbalanced quotes": '"child protection',
    "a lone quote": '"',
    "fts operators": 'child* NEAR(abuse) AND title:grooming OR (x) +y ^2 ~3 "" -',
    "emoji": "🙂👶🏽 protection 🔒",
    "right-to-left marks": "\u200fحماية\u200e \u202eabc\u202c",
    "nul bytes": "pro\x00tection\x00",
    "only punctuation": "!!! ??? ...",
    "only a minus": "-",
    "many exclusions": " ".join(f"-word{i}" for i in range(50)),
    "many long words": " ".join(f"protectionist{i}" for i in range(200)),
    "lone surrogate-like text": "\ud800abc",
    "control characters": "\x01\x02\x1b[31mchild\x7f",
}


class BadQueryTestCase(BaseTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        resource("Child protection basics", "The first steps of protection for children.")

    def search(self, q):
        params = QueryDict(mutable=True)
        params["q"] = q
        return browse(parse(params), None)

    def test_it_answers_every_bad_query_quickly(self):
        for name, q in BAD.items():
            with self.subTest(name):
                started = time.monotonic()
                results = self.search(q)
                self.assertLess(time.monotonic() - started, 1.0)
                self.assertGreaterEqual(results.count, 0)

    def test_it_finds_items_with_only_stop_words(self):
        self.assertEqual(self.search("the of").count, 1)

    def test_it_reads_an_unbalanced_quote_as_words(self):
        self.assertEqual(self.search('"child protection').count, 1)

    def test_it_ignores_operators(self):
        self.assertEqual(self.search("child* AND protection:").count, 1)

    def test_it_ignores_emoji_and_direction_marks(self):
        self.assertEqual(self.search("🙂 \u200fprotection\u200e").count, 1)

    def test_it_says_why_when_nothing_searchable_is_left(self):
        results = self.search("🙂 !!!")
        self.assertEqual(results.count, 1)
        self.assertIn("no words", results.notice)

    def test_it_says_when_words_were_dropped(self):
        results = self.search(" ".join(f"protection{i}" for i in range(20)))
        self.assertIn("first", results.notice)
