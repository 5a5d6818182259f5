"""The JSON format: every field of every resource, for backups and for
moving a catalogue between Shelf sites.

One object with a ``resources`` list, one resource per line (wrapped here)::

    {"format": "shelf", "version": 1, "resources": [
    {"key": "listing:safer-virtual-school", "slug": "safer-virtual-school", ...,
     "terms": {"audience": [{"slug": "parents", "label": "Parents"}]}}
    ]}

An import also takes a bare list of resources, any indentation, and terms
written as plain strings (a slug, label or alias). Errors give the line and
column where the resource starts and its number (1 = the first resource).

Only ``key`` is required (and ``title`` for a new item): an absent field,
null or empty (``""``, ``[]``, ``{}``) leaves the resource's field as it
is, so a file may update just some fields. Types are checked: ``"review_by":
0`` or ``"terms": []`` is refused. An empty ``status`` or ``visibility`` is
an error for a new item, never a default. A vocabulary given a non-empty
list of terms replaces that vocabulary's terms; others are left alone.
"""

from __future__ import annotations

import json
import re
from typing import IO

from shelf.catalogue.models import VOCABULARY_NAMES
from shelf.ingest.records import (
    IngestError,
    Record,
    TermRef,
    combine,
    format_date,
    parse_date,
    term_ref,
    validate,
)

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
KNOWN = {*STRINGS, *DATES, "terms", "translations", "supersedes"}


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
        "translations": row.translations,
        "supersedes": row.supersedes or None,
    }


def parse(text: str, *, taxonomy=None) -> list[Record]:
    if not text.strip():
        raise IngestError("the file is empty")
    try:
        data = json.loads(text)
    except json.JSONDecodeError as e:
        raise IngestError(f"not valid JSON: {e.msg}", e.lineno, column=e.colno) from None
    except RecursionError:
        raise IngestError("not valid JSON: nested too deeply") from None
    if isinstance(data, dict):
        if data.get("version", VERSION) != VERSION:
            raise IngestError(f"version {data.get('version')!r} is not supported (only {VERSION})")
        data = data.get("resources")
    if not isinstance(data, list):
        raise IngestError('expected a list of resources or an object with a "resources" list')
    records, errors = [], []
    for number, item in enumerate(data, start=1):
        problems: list[str] = []
        record = to_record(number, item, problems)
        if problems:
            errors += [IngestError(p, number, unit="record") for p in problems]
        else:
            records.append(record)
    if errors:
        # Every error of the file at once: the good records' too.
        errors += [e for r in records for e in validate(r)]
        place(text, errors)
        raise combine(errors)
    return records


def place(text: str, errors: list[IngestError]) -> None:
    """Give errors the line and column where their resource starts. Only a
    bad file is walked again, so a good one costs one ``json.loads``."""
    starts = element_starts(text)
    if starts is None:
        return
    for e in errors:
        if e.line and e.line <= len(starts):
            offset = starts[e.line - 1]
            e.message = f"record {e.line}: {e.message}"
            e.unit = "line"
            e.line = text.count("\n", 0, offset) + 1
            e.column = offset - text.rfind("\n", 0, offset)


def element_starts(text: str) -> list[int] | None:
    """Where each resource of the ``resources`` list (or the top-level
    list) starts, as offsets into ``text``; None if it cannot tell."""
    decoder = json.JSONDecoder()
    ws = re.compile(r"[ \t\n\r]*")

    def skip(i: int) -> int:
        return ws.match(text, i).end()

    try:
        i = skip(0)
        if text[i] == "{":
            i = skip(i + 1)
            while text[i] == '"':
                name, i = decoder.raw_decode(text, i)
                i = skip(skip(i) + 1)  # the colon
                if name == "resources":
                    break
                _, i = decoder.raw_decode(text, i)
                i = skip(i)
                if text[i] == ",":
                    i = skip(i + 1)
            else:
                return None
        if text[i] != "[":
            return None
        starts = []
        i = skip(i + 1)
        while text[i] != "]":
            starts.append(i)
            _, i = decoder.raw_decode(text, i)
            i = skip(i)
            if text[i] == ",":
                i = skip(i + 1)
        return starts
    except (ValueError, IndexError):
        return None


def is_empty(value) -> bool:
    return value is None or value == "" or value == [] or value == {}


def to_record(number: int, item, problems: list[str]) -> Record | None:
    """A record, or None with what is wrong added to ``problems``.

    Uniform rule: an absent field, and one that is null or empty (``""``,
    ``[]``, ``{}``), leaves the resource's field as it is; a value of the
    wrong type is refused. Nothing empty becomes a default."""
    if not isinstance(item, dict):
        problems.append("a resource is a JSON object")
        return None
    if unknown := sorted(set(item) - KNOWN):
        problems.append(f"unknown fields: {', '.join(u[:50] for u in unknown[:10])}")
    for name in (*STRINGS, "supersedes"):
        if item.get(name) is not None and not isinstance(item[name], str):
            problems.append(f"{name} must be a string, not {type(item[name]).__name__}")
    for name in DATES:
        if item.get(name) is not None and not isinstance(item[name], str):
            problems.append(f"{name} must be a date string (YYYY-MM-DD) or null")
    if problems:
        return None
    given = {n for n, v in item.items() if not is_empty(v)}
    if "key" not in given:
        problems.append("the key is missing")
    dates = {}
    for name in DATES:
        try:
            dates[name] = parse_date(item.get(name) or "")
        except ValueError as e:
            problems.append(f"{name} {e}")
    translations = item.get("translations") or []
    if not (isinstance(translations, list) and all(isinstance(k, str) for k in translations)):
        problems.append("translations must be a list of keys")
    terms, vocabularies = parse_terms(item.get("terms"), problems)
    if problems:
        return None
    fields = [n for n in STRINGS if n in given and n not in ("key", "slug")]
    fields += [n for n in DATES if n in given]
    if "date" in given:
        fields.append("date_precision")
    if vocabularies:
        fields.append("terms")
    fields += [n for n in ("translations", "supersedes") if n in given]
    return Record(
        line=number,
        unit="record",
        key=item["key"],
        slug=item.get("slug") or "",
        title=item.get("title") or "",
        fields=tuple(fields),
        summary=item.get("summary") or "",
        body=item.get("body") or "",
        date=dates["date"][0],
        date_precision=dates["date"][1],
        language=item.get("language") or "",
        source_url=item.get("source_url") or "",
        status=item.get("status") or "",
        visibility=item.get("visibility") or "",
        last_reviewed=dates["last_reviewed"][0],
        review_by=dates["review_by"][0],
        terms=terms,
        vocabularies=vocabularies,
        translations=list(dict.fromkeys(k for k in translations if k)),
        supersedes=item.get("supersedes") or "",
        blank=tuple(n for n in ("title", "status", "visibility") if n in item and n not in given),
    )


def parse_terms(terms, problems: list[str]) -> tuple[list[TermRef], tuple[str, ...]]:
    """The terms, and the vocabularies they replace: those given a
    non-empty list. ``"terms": {}`` or ``{"audience": []}`` changes nothing
    (imports never clear terms); ``"terms": []`` is refused as the wrong type."""
    if terms is None:
        return [], ()
    if not isinstance(terms, dict):
        problems.append('terms must be an object: {"audience": [{"slug": ..., "label": ...}]}')
        return [], ()
    refs, vocabularies = [], []
    for vocabulary, values in terms.items():
        if vocabulary not in VOCABULARY_NAMES:
            problems.append(f"unknown vocabulary {vocabulary[:50]!r}")
            continue
        if values is None:
            continue
        if not isinstance(values, list):
            problems.append(f"terms.{vocabulary} must be a list")
            continue
        if values:
            vocabularies.append(vocabulary)
        for value in values:
            if isinstance(value, str) and value.strip():
                refs.append(term_ref(vocabulary, "", value.strip()))
            elif isinstance(value, dict) and isinstance(value.get("label"), str) and value["label"]:
                slug = value.get("slug") or ""
                if not isinstance(slug, str):
                    problems.append(f"terms.{vocabulary}: a slug is a string")
                    continue
                refs.append(term_ref(vocabulary, slug, value["label"]))
            else:
                problems.append(f"terms.{vocabulary}: a term is a string or {{'slug', 'label'}}")
    return refs, tuple(vocabularies)
