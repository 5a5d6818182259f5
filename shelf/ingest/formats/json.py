"""The JSON format: every field of every resource, for backups and for
moving a catalogue between Shelf sites.

One object with a ``resources`` list, one resource per line (wrapped here)::

    {"format": "shelf", "version": 1, "resources": [
    {"key": "listing:safer-virtual-school", "slug": "safer-virtual-school", ...,
     "terms": {"audience": [{"slug": "parents", "label": "Parents"}]}}
    ]}

An import also takes a bare list of resources, any indentation, and terms
written as plain strings (a slug, label or alias). Errors name the record
number (1 = the first resource).
"""

from __future__ import annotations

import json
from typing import IO

from shelf.catalogue.models import VOCABULARY_NAMES
from shelf.ingest.records import IngestError, Record, TermRef, combine, format_date, parse_date

NAME = "json"
EXTENSIONS = (".json",)
VERSION = 1
STRINGS = (
    "key",
    "slug",
    "title",
    "summary",
    "body",
    "language",
    "source_url",
    "status",
    "visibility",
)
DATES = ("date", "last_reviewed", "review_by")
KNOWN = {*STRINGS, *DATES, "terms"}


def export(rows, out: IO[str]) -> int:
    out.write(f'{{"format": "shelf", "version": {VERSION}, "resources": [\n')
    count = 0
    for row in rows:
        if count:
            out.write(",\n")
        out.write(json.dumps(to_dict(row), ensure_ascii=False))
        count += 1
    out.write("\n]}\n")
    return count


def to_dict(row) -> dict:
    r = row.resource
    return {
        "key": r.key,
        "slug": r.slug,
        "title": r.title,
        "summary": r.summary,
        "body": r.body,
        "date": format_date(r.date, r.date_precision) or None,
        "language": r.language,
        "source_url": r.source_url,
        "status": r.status,
        "visibility": r.visibility,
        "last_reviewed": format_date(r.last_reviewed, "day") or None,
        "review_by": format_date(r.review_by, "day") or None,
        "terms": {
            v: [{"slug": t.slug, "label": t.label} for t in ts] for v, ts in row.terms.items()
        },
    }


def parse(text: str, *, taxonomy=None) -> list[Record]:
    if not text.strip():
        raise IngestError("the file is empty")
    try:
        data = json.loads(text)
    except json.JSONDecodeError as e:
        raise IngestError(f"not valid JSON: {e.msg} (column {e.colno})", e.lineno) from None
    if isinstance(data, dict):
        if data.get("version", VERSION) != VERSION:
            raise IngestError(f"version {data.get('version')!r} is not supported (only {VERSION})")
        data = data.get("resources")
    if not isinstance(data, list):
        raise IngestError('expected a list of resources or an object with a "resources" list')
    records, errors = [], []
    for number, item in enumerate(data, start=1):
        try:
            records.append(to_record(number, item))
        except IngestError as e:
            errors.append(e)
    if errors:
        raise combine(errors)
    return records


def to_record(number: int, item) -> Record:
    def fail(message: str) -> IngestError:
        return IngestError(message, number, unit="record")

    if not isinstance(item, dict):
        raise fail("a resource is a JSON object")
    if unknown := sorted(set(item) - KNOWN):
        raise fail(f"unknown fields: {', '.join(unknown)}")
    for name in STRINGS:
        if item.get(name) is not None and not isinstance(item[name], str):
            raise fail(f"{name} must be a string")
    if not item.get("title"):
        raise fail("the title is missing")
    if not item.get("key"):
        raise fail("the key is missing")
    try:
        date, precision = parse_date(item.get("date") or "")
        last_reviewed = parse_date(item.get("last_reviewed") or "")[0]
        review_by = parse_date(item.get("review_by") or "")[0]
    except (ValueError, AttributeError) as e:
        raise fail(str(e)) from None
    fields = [n for n in STRINGS if n in item and n not in ("key", "slug")]
    fields += [n for n in DATES if n in item]
    if "date" in item:
        fields.append("date_precision")
    if "terms" in item:
        fields.append("terms")
    return Record(
        line=number,
        unit="record",
        key=item["key"],
        slug=item.get("slug") or "",
        title=item["title"],
        fields=tuple(fields),
        summary=item.get("summary") or "",
        body=item.get("body") or "",
        date=date,
        date_precision=precision,
        language=item.get("language") or "",
        source_url=item.get("source_url") or "",
        status=item.get("status") or "published",
        visibility=item.get("visibility") or "public",
        last_reviewed=last_reviewed,
        review_by=review_by,
        terms=parse_terms(item.get("terms") or {}, fail),
    )


def parse_terms(terms, fail) -> list[TermRef]:
    if not isinstance(terms, dict):
        raise fail('terms must be an object: {"audience": [{"slug": ..., "label": ...}]}')
    refs = []
    for vocabulary, values in terms.items():
        if vocabulary not in VOCABULARY_NAMES:
            raise fail(f"unknown vocabulary {vocabulary!r}")
        if not isinstance(values, list):
            raise fail(f"terms.{vocabulary} must be a list")
        for value in values:
            if isinstance(value, str) and value.strip():
                refs.append(TermRef(vocabulary, "", value.strip()))
            elif isinstance(value, dict) and isinstance(value.get("label"), str) and value["label"]:
                slug = value.get("slug") or ""
                if not isinstance(slug, str):
                    raise fail(f"terms.{vocabulary}: a slug is a string")
                refs.append(TermRef(vocabulary, slug, value["label"]))
            else:
                raise fail(f"terms.{vocabulary}: a term is a string or {{'slug', 'label'}}")
    return refs
