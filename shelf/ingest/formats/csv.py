"""The CSV format: one resource per row, for spreadsheets.

Columns (any order; only ``title`` is required)::

    key, slug, title, summary, body, date, language, source_url, status,
    visibility, last_reviewed, review_by,
    topics, audiences, settings, types, languages, publishers, collections, countries

A term column lists terms by label, slug or alias, separated by ``;``:
``audiences`` = ``Parents; Teachers``. A row without a key gets
``csv:<slug of the title>``. Columns that are absent are left alone on
existing resources, so a sheet with just ``key`` and ``audiences`` retags
without touching anything else. Export writes UTF-8 with a byte order mark
(so spreadsheet programs read Arabic and Chinese right) and every column.
"""

from __future__ import annotations

import csv
import io
from typing import IO

from django.utils.text import slugify

from shelf.ingest.records import IngestError, Record, TermRef, combine, format_date, parse_date

NAME = "csv"
EXTENSIONS = (".csv",)
SCALARS = ["key", "slug", "title", "summary", "body", "date", "language", "source_url", "status",
           "visibility", "last_reviewed", "review_by"]  # fmt: skip
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
COLUMNS = SCALARS + list(TERM_COLUMNS)
SEPARATOR = ";"


def export(rows, out: IO[str]) -> int:
    out.write("\ufeff")
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(COLUMNS)
    count = 0
    for row in rows:
        r = row.resource
        writer.writerow([
            r.key, r.slug, r.title, r.summary, r.body, format_date(r.date, r.date_precision),
            r.language, r.source_url, r.status, r.visibility,
            format_date(r.last_reviewed, "day"), format_date(r.review_by, "day"),
            *(cell(row.terms.get(v, [])) for v in TERM_COLUMNS.values()),
        ])  # fmt: skip
        count += 1
    return count


def cell(terms) -> str:
    # A label that would split in two is written as its slug, which the
    # import also accepts.
    return "; ".join(t.slug if SEPARATOR in t.label else t.label for t in terms)


def parse(text: str, *, taxonomy=None) -> list[Record]:
    if not text.strip():
        raise IngestError("the file is empty")
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    try:
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
            errors.append(IngestError(f"not valid CSV: {e}", line))
            break
        try:
            if any(c.strip() for c in row):
                records.append(to_record(line, header, row))
        except IngestError as e:
            errors.append(e)
        line = reader.line_num + 1
    if errors:
        raise combine(errors)
    return records


def check_header(header: list[str]) -> None:
    if unknown := [h for h in header if h not in COLUMNS]:
        shown = ", ".join(repr(h[:40]) for h in unknown[:5])
        raise IngestError(
            f"unknown columns {shown}; the columns are: {', '.join(COLUMNS)} "
            "(is this a listing? name it .txt or use --format listing)",
            1,
        )
    if duplicated := sorted({h for h in header if header.count(h) > 1}):
        raise IngestError(f"columns appear twice: {', '.join(duplicated)}", 1)
    if "title" not in header:
        raise IngestError("the title column is missing", 1)


def to_record(line: int, header: list[str], row: list[str]) -> Record:
    if len(row) != len(header):
        raise IngestError(f"{len(row)} fields, but the header has {len(header)} columns", line)
    values = {h: v.strip() for h, v in zip(header, row, strict=True)}
    title = values["title"]
    if not title:
        raise IngestError("the title is empty", line)
    try:
        date, precision = parse_date(values.get("date", ""))
        last_reviewed = parse_date(values.get("last_reviewed", ""))[0]
        review_by = parse_date(values.get("review_by", ""))[0]
    except ValueError as e:
        raise IngestError(str(e), line) from None
    fields = [h for h in header if h in SCALARS and h not in ("key", "slug")]
    if "date" in header:
        fields.append("date_precision")
    vocabularies = tuple(TERM_COLUMNS[h] for h in header if h in TERM_COLUMNS)
    if vocabularies:
        fields.append("terms")
    terms = [
        TermRef(TERM_COLUMNS[h], "", name)
        for h in header
        if h in TERM_COLUMNS
        for name in dict.fromkeys(n.strip() for n in values[h].split(SEPARATOR))
        if name
    ]
    return Record(
        line=line,
        key=values.get("key") or "csv:" + slugify(title, allow_unicode=True)[:250],
        slug=values.get("slug", ""),
        title=title,
        fields=tuple(fields),
        summary=values.get("summary", ""),
        body=row[header.index("body")] if "body" in header else "",
        date=date,
        date_precision=precision,
        language=values.get("language", ""),
        source_url=values.get("source_url", ""),
        status=values.get("status") or "published",
        visibility=values.get("visibility") or "public",
        last_reviewed=last_reviewed,
        review_by=review_by,
        terms=terms,
        vocabularies=vocabularies,
    )
