"""The CSV format: one resource per row, for spreadsheets.

Columns (any order; ``key`` or ``title``, and both for new items)::

    key, slug, title, summary, body, date, language, source_url, status,
    visibility, last_reviewed, review_by,
    topics, audiences, settings, types, languages, publishers, collections, countries,
    translations, supersedes

A term column lists terms by label, slug or alias, separated by ``;``:
``audiences`` = ``Parents; Teachers``. ``translations`` lists keys the same
way; ``supersedes`` is one key. A row without a key gets
``csv:<slug of the title>``.

A sheet may hold any subset of the columns: absent columns, and empty
cells, leave the item's field as it is, so ``key,audiences`` re-tags
without touching anything else (an import never clears a field; do that
in the admin). An empty ``title``, ``status`` or ``visibility`` cell is
an error for a row that creates an item, never a default.

Read: UTF-8 (with or without a byte order mark) or UTF-16, comma,
semicolon (Excel in comma-decimal locales) or tab separated, found from
the header. Cells written neutralised against formula injection
(``'=x``, see :mod:`shelf.lib.spreadsheet`) read back as ``=x``; a CRLF
inside a quoted cell is read as LF, a lone CR is kept. Export
writes UTF-8 with a byte order mark (so spreadsheet programs read Arabic
and Chinese right), every column, through that same safe writer.
"""

from __future__ import annotations

import csv
import io
from typing import IO

from django.utils.text import slugify

from shelf.ingest.records import (
    IngestError,
    Record,
    combine,
    format_date,
    parse_date,
    term_ref,
    validate,
)
from shelf.lib import spreadsheet
from shelf.lib.spreadsheet import restore

NAME = "csv"
EXTENSIONS = (".csv",)
# Line breaks are the csv module's to read: a CR inside a quoted cell stays.
RAW_NEWLINES = True
DELIMITERS = (",", ";", "\t")
SCALARS = ["key", "slug", "title", "summary", "body", "date", "language", "source_url", "status",
           "visibility", "last_reviewed", "review_by"]  # fmt: skip
LINKS = ["translations", "supersedes"]
TERM_COLUMNS = {
    "topics": "topic",
    "audiences": "audience",
    "settings": "setting",
    "types": "type",
    "languages": "language",
    "publishers": "publisher",
    "collections": "collection",
    "countries": "country",
}
COLUMNS = SCALARS + list(TERM_COLUMNS) + LINKS
SEPARATOR = ";"
# Bodies can be long; the csv module's default limit is 128 KiB a field.
csv.field_size_limit(max(csv.field_size_limit(), 16 * 1024 * 1024))


def export(rows, out: IO[str]) -> int:
    out.write("\ufeff")
    writer = spreadsheet.writer(out)
    writer.writerow(COLUMNS)
    count = 0
    for row in rows:
        r = row.resource
        writer.writerow([
            r.key, r.slug, r.title, r.summary, r.body, format_date(r.date, r.date_precision),
            r.language, r.source_url, r.status, r.visibility,
            format_date(r.last_reviewed, "day"), format_date(r.review_by, "day"),
            *(cell(row.terms.get(v, [])) for v in TERM_COLUMNS.values()),
            "; ".join(row.translations), row.supersedes,
        ])  # fmt: skip
        count += 1
    return count


def cell(terms) -> str:
    # A label that would split in two is written as its slug, which the
    # import also accepts.
    return "; ".join(t.slug if SEPARATOR in t.label else t.label for t in terms)


def sniff_delimiter(first_line: str) -> str:
    """``,``, or the ``;`` (or tab) a spreadsheet in a comma-decimal locale
    writes: whichever splits the header into the most known columns."""
    best, known = ",", 0
    for delimiter in DELIMITERS:
        names = {n.strip(' "').lower() for n in first_line.split(delimiter)}
        if len(names & set(COLUMNS)) > known:
            best, known = delimiter, len(names & set(COLUMNS))
    return best


def parse(text: str, *, taxonomy=None) -> list[Record]:
    if not text.strip():
        raise IngestError("the file is empty")
    first = text.split("\n", 1)[0].rstrip("\r")
    # Excel may start a file with "sep=;", naming the delimiter.
    declared = len(first) == 5 and first.lower().startswith("sep=")
    delimiter = first[4] if declared else sniff_delimiter(first)
    reader = csv.reader(io.StringIO(text, newline=""), strict=True, delimiter=delimiter)
    try:
        if declared:
            next(reader)
        header = [h.strip().lower() for h in next(reader)]
    except csv.Error as e:
        raise IngestError(f"not valid CSV: {e}", 1) from None
    check_header(header)
    records, errors = [], []
    line = reader.line_num + 1
    while True:
        try:
            row = next(reader)
        except StopIteration:
            break
        except csv.Error as e:
            # The reader cannot find the next row reliably after this.
            errors.append(IngestError(f"not valid CSV: {e}", line))
            break
        if any(c.strip() for c in row):
            errors += row_errors(line, header, row, records)
        line = reader.line_num + 1
    if errors:
        # Every error of the file at once: the good rows' too.
        raise combine(errors + [e for r in records for e in validate(r)])
    return records


def check_header(header: list[str]) -> None:
    if unknown := [h for h in header if h not in COLUMNS]:
        shown = ", ".join(repr(h[:40]) for h in unknown[:5])
        raise IngestError(
            f"unknown columns {shown}; the columns are: {', '.join(COLUMNS)} "
            "(is this a listing? name it .txt or use --format listing)",
            1,
            column=header.index(unknown[0]) + 1,
        )
    if duplicated := sorted({h for h in header if header.count(h) > 1}):
        raise IngestError(f"columns appear twice: {', '.join(duplicated)}", 1)
    if "title" not in header and "key" not in header:
        # Without either there is no telling which item a row is.
        raise IngestError("a sheet needs a key column (or a title column for new items)", 1)


def row_errors(line: int, header: list[str], row: list[str], records: list) -> list[IngestError]:
    if len(row) != len(header):
        return [IngestError(f"{len(row)} fields, but the header has {len(header)} columns", line)]
    errors: list[IngestError] = []
    record = to_record(line, header, row, errors)
    if not errors:
        records.append(record)
    return errors


def to_record(line: int, header: list[str], row: list[str], errors: list) -> Record:
    columns = {h: i for i, h in enumerate(header, start=1)}
    values = {h: restore(v.strip()).replace("\r\n", "\n") for h, v in zip(header, row, strict=True)}

    def fail(name: str, message: str) -> None:
        errors.append(IngestError(message, line, column=columns.get(name)))

    title = values.get("title", "")
    if not title and not values.get("key"):
        fail("title" if "title" in header else "key", "a row needs a key or a title")
    dates = {}
    for name in ("date", "last_reviewed", "review_by"):
        try:
            dates[name] = parse_date(values.get(name, ""))
        except ValueError as e:
            fail(name, f"{name} {e}")
            dates[name] = (None, "")
    given = {h for h, v in values.items() if v}
    blank = tuple(h for h in ("title", "status", "visibility") if h in values and h not in given)
    fields = [h for h in SCALARS if h in given and h not in ("key", "slug")]
    if "date" in given:
        fields.append("date_precision")
    # An empty term cell says nothing, as an absent column does: it leaves
    # the item's terms of that vocabulary as they are.
    vocabularies = tuple(TERM_COLUMNS[h] for h in header if h in TERM_COLUMNS and h in given)
    if vocabularies:
        fields.append("terms")
    fields += [h for h in LINKS if h in given]
    terms = [
        term_ref(TERM_COLUMNS[h], "", name)
        for h in header
        if h in TERM_COLUMNS
        for name in dict.fromkeys(n.strip() for n in values[h].split(SEPARATOR))
        if name
    ]
    body = restore(row[columns["body"] - 1]).replace("\r\n", "\n") if "body" in given else ""
    return Record(
        line=line,
        key=values.get("key") or "csv:" + slugify(title, allow_unicode=True)[:250],
        slug=values.get("slug", ""),
        title=title,
        fields=tuple(fields),
        summary=values.get("summary", ""),
        body=body,
        date=dates["date"][0],
        date_precision=dates["date"][1],
        language=values.get("language", ""),
        source_url=values.get("source_url", ""),
        status=values.get("status", ""),
        visibility=values.get("visibility", ""),
        last_reviewed=dates["last_reviewed"][0],
        review_by=dates["review_by"][0],
        terms=terms,
        vocabularies=vocabularies,
        translations=list(
            dict.fromkeys(
                k for k in (k.strip() for k in values.get("translations", "").split(SEPARATOR)) if k
            )
        ),
        supersedes=values.get("supersedes", ""),
        blank=blank,
        columns={**columns, **{v: columns[h] for h, v in TERM_COLUMNS.items() if h in columns}},
    )
