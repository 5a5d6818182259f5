"""Property-based: whatever a reader types, the parser gives a bounded
query and the search an answer or a clear error, never a traceback."""

from django.http import QueryDict
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra.django import TestCase

from shelf.search.browse import QueryError, browse, parse
from shelf.search.query import MAX_CLAUSES, MAX_EXCLUDED, MAX_PHRASE_WORDS, parse_text
from shelf.search.tests.factories import resource

# Letters of every script Shelf reads, and the characters that mean
# something to a query parser or to a database.
PIECES = st.sampled_from(
    [
        "child",
        "protection",
        "-",
        '"',
        "*",
        ":",
        "(",
        ")",
        "AND",
        "OR",
        "NOT",
        "NEAR",
        "~",
        "^",
        "\x00",
        "\u200f",
        "\u202e",
        "\ufeff",
        "%",
        "_",
        "'",
        ";",
        "\\",
        "¿",
        "é",
        "حماية",
        "儿童保护",
        "如何",
        "what",
        "how",
        "the",
        " ",
        "  ",
        "\n",
        "\t",
        "🙂",
        "\ud800",
        "enf",
        "programme",
    ]
)
TEXT = st.one_of(
    st.text(max_size=300),
    st.lists(PIECES, max_size=80).map("".join),
)


class QueryFuzzTestCase(TestCase):
    @classmethod
    def setUpTestData(cls):
        resource("Child protection online", "How to keep children safe.")
        resource("حماية الأطفال", "دليل", language="ar")
        resource("儿童保护指南", "家长", language="zh-Hans")

    @settings(max_examples=300, deadline=None)
    @given(TEXT)
    def test_it_parses_anything_into_a_bounded_query(self, text):
        parsed = parse_text(text)
        self.assertLessEqual(len(parsed.clauses), MAX_CLAUSES)
        self.assertLessEqual(len(parsed.excluded), MAX_EXCLUDED)
        for clause in parsed.clauses:
            for alt in clause.alts:
                self.assertLessEqual(len(alt.phrase), MAX_PHRASE_WORDS)
                self.assertTrue(alt.slots or alt.phrase)

    @settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(TEXT, st.sampled_from(["", "relevance", "newest", "title", "bogus"]), TEXT)
    def test_it_answers_anything_or_says_what_is_wrong(self, q, sort, topic):
        params = QueryDict(mutable=True)
        params["q"] = q
        if sort:
            params["sort"] = sort
        if topic:
            params["topic"] = topic
        try:
            results = browse(parse(params), None)
        except QueryError as e:
            self.assertTrue(str(e))
        else:
            self.assertGreaterEqual(results.count, len(results.resources))
