"""Property-based tests of the import parsers: whatever the input, a parser
gives records or a clear IngestError, never a traceback; and what Shelf
writes, it reads back the same.

Bounded for CI (``SHELF_FUZZ_EXAMPLES``, default 60 per property); run
deeper with e.g. ``SHELF_FUZZ_EXAMPLES=5000 pytest shelf/ingest/tests/test_fuzz.py``.
"""

import contextlib
import io
import json
import os
import string
from types import SimpleNamespace

from django.test import SimpleTestCase
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from hypothesis.extra.django import TestCase as HypothesisTestCase

from shelf.catalogue.models import Resource
from shelf.catalogue.taxonomy import Taxonomy
from shelf.ingest.formats import csv as csv_format
from shelf.ingest.formats import json as json_format
from shelf.ingest.formats import listing as listing_format
from shelf.ingest.records import IngestError, validate
from shelf.ingest.services import import_records
from shelf.lib.text import DecodeError, decode

EXAMPLES = int(os.getenv("SHELF_FUZZ_EXAMPLES", "60"))
FUZZ = settings(
    max_examples=EXAMPLES,
    deadline=None,
    database=None,  # no .hypothesis folder in the checkout
    suppress_health_check=[HealthCheck.too_slow],
)
TAXONOMY = Taxonomy.load()

# Text with what breaks parsers: brackets, separators, quotes, line breaks,
# NUL and other controls, non-Latin scripts, "Read More" and "Filter by".
hostile = st.text(
    alphabet=st.sampled_from(
        list(string.printable)
        + ["\x00", "\r", "\u00a0", "\ufeff", "\u200b", "é", "ß", "د", "ل", "指", "👍", ";", '"']
    ),
    max_size=300,
)
words = st.sampled_from(
    [
        "Parents", "Teachers", "ICMEC", "ICMEC Publications", "(ICMEC, HCCH)", "(e-Enfance)",
        "March 2020", "5 mars 2021", "Read More", "Filter by", "Guide_fr", "Child Protection",
        ",", ";", "(", ")", "\n", "\n\n", "\n\n\n", "", "=1+1", "-", "'", '"',
    ]
)  # fmt: skip
listing_like = st.lists(st.one_of(words, hostile), max_size=40).map("".join)


def parses_or_refuses(parse, text: str):
    """The parse result, or None after a clean refusal."""
    try:
        records = parse(text)
    except IngestError as e:
        assert str(e), "an error says what is wrong"
        return None
    for record in records:
        validate(record)  # nothing it finds may crash either
    return records


class ParserFuzzTestCase(SimpleTestCase):
    @FUZZ
    @given(st.one_of(hostile, listing_like))
    @example("Parents\n\nOne\n\n\n(ICMEC) Text")
    @example(",\n\n_\n\n\n()Read More\n\nFilter by")
    def test_the_listing_parser_gives_records_or_an_error(self, text):
        parses_or_refuses(lambda t: listing_format.parse(t, taxonomy=TAXONOMY), text)

    @FUZZ
    @given(
        st.one_of(
            hostile,
            st.lists(st.one_of(hostile, st.sampled_from(csv_format.COLUMNS)), max_size=12).map(
                lambda cells: ",".join(cells) + "\n" + ";".join(reversed(cells))
            ),
        )
    )
    @example("key,title\na,\x00\n")
    @example('title\n"unclosed\n')
    @example("key;title;status\nk;T;\n")
    def test_the_csv_parser_gives_records_or_an_error(self, text):
        parses_or_refuses(csv_format.parse, text)

    @FUZZ
    @given(
        st.one_of(
            hostile,
            st.recursive(
                st.none() | st.booleans() | st.integers() | st.floats() | hostile,
                lambda inner: (
                    st.lists(inner, max_size=4)
                    | st.dictionaries(st.sampled_from([*json_format.KNOWN, "x"]), inner, max_size=6)
                ),
                max_leaves=20,
            ).map(lambda value: json.dumps([value])),
        )
    )
    @example('[{"key": "a", "title": "\\u0000"}]')
    @example('[{"key": "a", "terms": []}]')
    @example('{"resources": [{"key": "a", "terms": {"topic": [{"label": "x", "slug": 1}]}}]}')
    @example("[" * 100_000)
    def test_the_json_parser_gives_records_or_an_error(self, text):
        parses_or_refuses(json_format.parse, text)

    @FUZZ
    @given(st.binary(max_size=300))
    @example(b"\xff\xfe" + "key,title\n".encode("utf-16-le") + b"\x00")
    @example(b"\xfe\xff\x00")
    def test_decoding_gives_text_or_an_error(self, data):
        try:
            text = decode(data)
        except DecodeError:
            return
        self.assertNotIn("\x00", text)
        self.assertNotIn("\r", text)


cell = st.text(
    alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"), max_size=40
)


class CsvRoundTripFuzzTestCase(SimpleTestCase):
    @FUZZ
    @given(title=cell, summary=cell, body=cell)
    @example(title="=cmd|' /C calc'!A0", summary="'+x", body="a\rb")
    def test_what_the_export_writes_reads_back_the_same(self, title, summary, body):
        # As imports store them: titles on one line, fields stripped, line
        # breaks as LF (a CRLF in a cell is read as LF; a lone CR stays).
        title = " ".join(title.split()) or "t"
        summary = summary.replace("\r\n", "\n").strip()
        resource = Resource(
            key="k:1", slug="s", title=title, summary=summary, body=body.replace("\r\n", "\n")
        )
        out = io.StringIO()
        row = SimpleNamespace(resource=resource, terms={}, translations=[], supersedes="")
        csv_format.export([row], out)
        text = out.getvalue().removeprefix("\ufeff")
        (record,) = csv_format.parse(text)
        self.assertEqual(record.title, title)
        self.assertEqual(record.summary, summary)
        self.assertEqual(record.body.strip() if record.body else "", resource.body.strip())


class ImportFuzzTestCase(HypothesisTestCase):
    """Parsed records go through the whole import (in a dry run) on the
    test database: SQLite or PostgreSQL refuse nothing the parser let by."""

    @settings(FUZZ, max_examples=max(10, EXAMPLES // 3))
    @given(st.one_of(listing_like, hostile), st.sampled_from(["listing", "csv", "json"]))
    @example("key,title,summary\nk,T,a\x00b\n", "csv")
    @example('[{"key": "k", "title": "T", "terms": {"topic": ["\\u0000"]}}]', "json")
    def test_an_import_writes_or_refuses_cleanly(self, text, name):
        parse = {
            "listing": lambda t: listing_format.parse(t, taxonomy=TAXONOMY),
            "csv": csv_format.parse,
            "json": json_format.parse,
        }[name]
        records = parses_or_refuses(parse, text)
        if not records:
            return
        with contextlib.suppress(IngestError):
            import_records(records=records, source="fuzz", origin=name, dry_run=True)
        self.assertEqual(Resource.objects.count(), 0)
