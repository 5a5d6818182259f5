"""What every import format parses into, and the error it raises.

A format turns a file into :class:`Record` objects and knows nothing about
the database; :func:`shelf.ingest.services.import_records` matches them to
resources and writes them.
"""

from __future__ import annotations

import datetime
import functools
import re
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.utils.text import slugify

from shelf.catalogue.models import VOCABULARY_NAMES, Status, Visibility, reserved_slug

# The resource fields a record can carry. A format lists the ones its
# source really provides, with a value, in ``Record.fields``; the others are
# left alone on existing resources (a listing says nothing about visibility,
# so an editor's "members only" survives a re-import, and an empty cell
# never clears or widens anything).
FIELDS = (
    "slug",
    "title",
    "summary",
    "body",
    "date",
    "date_precision",
    "language",
    "source_url",
    "status",
    "visibility",
    "last_reviewed",
    "review_by",
    "terms",
    "translations",
    "supersedes",
)


class IngestError(ValueError):
    """Bad input, with where it is: ``sample.txt:12: the item has no summary``.
    It may carry more errors of the same file, shown on following lines."""

    def __init__(
        self,
        message: str,
        line: int | None = None,
        source: str = "",
        unit: str = "line",
        column: int | None = None,
    ):
        super().__init__(message)
        self.message = message
        self.line = line
        self.column = column  # 1-based; a CSV cell's column, a JSON value's character
        self.source = source
        # JSON errors point at a record number rather than a line.
        self.unit = unit
        self.more: list[IngestError] = []
        self.not_shown = 0

    def where(self, source: str) -> str:
        if self.line and self.unit != "line":
            return f"{source}: {self.unit} {self.line}" if source else f"{self.unit} {self.line}"
        column = self.column if self.line else None
        return ":".join(str(p) for p in (source, self.line, column) if p)

    def __str__(self) -> str:
        lines = []
        for error in [self, *self.more]:
            where = error.where(self.source)
            lines.append(f"{where}: {error.message}" if where else error.message)
        if self.not_shown:
            lines.append(f"... and {self.not_shown} more errors")
        return "\n".join(lines)


# How many errors of one file are shown; validation goes on to count the rest.
MAX_ERRORS = 100


def combine(errors: list[IngestError], limit: int = MAX_ERRORS) -> IngestError:
    """The first error, carrying the next ones (up to ``limit`` in all), in
    the order of the file."""
    errors = sorted(errors, key=lambda e: (e.line or 0, e.column or 0))
    first = errors[0]
    first.more = errors[1:limit]
    first.not_shown = max(0, len(errors) - limit)
    return first


@dataclass(frozen=True)
class TermRef:
    """A term as a source names it. The importer finds the term by slug,
    then by label or alias within the vocabulary, and creates it if none
    matches (with ``slug``, or a slug made from the label)."""

    vocabulary: str
    slug: str
    label: str
    aliases: tuple[str, ...] = ()


@functools.lru_cache(maxsize=16384)
def term_ref(vocabulary: str, slug: str, label: str, aliases: tuple[str, ...] = ()) -> TermRef:
    """The same (immutable) ref for each mention of a term: a file names a
    few hundred terms a hundred thousand times, and a shared ref is built
    once and found in the importer's dictionaries by identity."""
    return TermRef(vocabulary, slug, label, aliases)


@dataclass
class Record:
    line: int  # where the item starts in its file (a record number for JSON)
    key: str
    title: str
    fields: tuple[str, ...] = FIELDS
    slug: str = ""  # "" = made from the title
    summary: str = ""
    body: str = ""
    date: datetime.date | None = None
    date_precision: str = ""
    language: str = ""
    source_url: str = ""
    status: str = ""  # "" with the field absent: new items get the model's default
    visibility: str = ""
    last_reviewed: datetime.date | None = None
    review_by: datetime.date | None = None
    translations: list[str] = field(
        default_factory=list
    )  # keys of the same work in other languages
    supersedes: str = ""  # key of the resource this one replaces
    terms: list[TermRef] = field(default_factory=list)
    # The vocabularies whose terms the source gives (None: all of them);
    # terms of the others are left as they are.
    vocabularies: tuple[str, ...] | None = None
    # Tags that the taxonomy did not know and that became topic terms.
    unknown_tags: list[str] = field(default_factory=list)
    unit: str = "line"  # what ``line`` counts: "line", or "record"
    # Fields present in the source but empty: left as they are on an
    # existing resource, an error for a new one when it has no safe default.
    blank: tuple[str, ...] = ()
    # Where each field is in the source (CSV: the column number), for errors.
    columns: dict[str, int] = field(default_factory=dict)

    def error(self, message: str, name: str = "") -> IngestError:
        return IngestError(message, self.line, unit=self.unit, column=self.columns.get(name))


def format_date(date: datetime.date | None, precision: str) -> str:
    """A date only as precise as it is known: ``2020``, ``2020-03``, ``2020-03-05``."""
    if date is None:
        return ""
    if precision == "year":
        return f"{date.year:04d}"
    if precision == "month":
        return f"{date.year:04d}-{date.month:02d}"
    return date.isoformat()


def parse_date(text: str) -> tuple[datetime.date | None, str]:
    """The inverse of :func:`format_date`; raises ValueError."""
    text = text.strip()
    if not text:
        return None, ""
    parts = text.split("-")
    if len(parts) > 3 or not all(p.isascii() and p.isdigit() for p in parts) or len(parts[0]) != 4:
        raise ValueError(f"{text[:40]!r} is not YYYY, YYYY-MM or YYYY-MM-DD")
    precision = ("year", "month", "day")[len(parts) - 1]
    numbers = [int(p) for p in parts] + [1] * (3 - len(parts))
    try:
        return datetime.date(*numbers), precision
    except ValueError as e:
        raise ValueError(f"{text!r}: {e}") from None


_BCP47 = re.compile(r"^[A-Za-z]{2,3}(?:-[A-Za-z0-9]{2,8})*$")
STATUSES = frozenset(Status.values)
VISIBILITIES = frozenset(Visibility.values)
VOCABULARIES = frozenset(VOCABULARY_NAMES)


def has_nul(value) -> bool:
    return isinstance(value, str) and "\x00" in value


def validate(record: Record) -> list[IngestError]:
    problems: list[tuple[str, str]] = []  # (field, message)
    given = set(record.fields)
    if not record.key or len(record.key) > 300:
        problems.append(("key", "the key must be 1 to 300 characters"))
    if "title" in given or record.title:
        if not record.title or len(record.title) > 500:
            problems.append(("title", "the title must be 1 to 500 characters"))
        elif not record.slug and not slugify(record.title, allow_unicode=True):
            problems.append(("title", "the title has no letters or digits"))
    if record.slug and (
        len(record.slug) > 200 or slugify(record.slug, allow_unicode=True) != record.slug
    ):
        problems.append(
            ("slug", f"{record.slug!r} is not a slug (lower-case letters, digits, hyphens)")
        )
    elif record.slug and (taken := reserved_slug(record.slug)):
        problems.append(("slug", f"the slug {record.slug!r} is reserved: {taken} is another page"))
    if "language" in given and record.language and not _BCP47.match(record.language):
        problems.append(
            ("language", f"{record.language!r} is not a BCP 47 language tag (en, fr, zh-Hans)")
        )
    if "status" in given and record.status not in STATUSES:
        problems.append(
            ("status", f"status {record.status!r} is not one of {', '.join(Status.values)}")
        )
    if "visibility" in given and record.visibility not in VISIBILITIES:
        problems.append(
            (
                "visibility",
                f"visibility {record.visibility!r} is not one of {', '.join(Visibility.values)}",
            )
        )
    if "date" in given and bool(record.date) != bool(record.date_precision):
        problems.append(("date", "a date needs its precision (year, month or day)"))
    if "source_url" in given and record.source_url:
        try:
            URLValidator()(record.source_url)
        except ValidationError:
            problems.append(("source_url", f"{record.source_url[:100]!r} is not a URL"))
        if len(record.source_url) > 1000:
            problems.append(("source_url", "the source URL is longer than 1000 characters"))
    if record.supersedes and record.supersedes == record.key:
        problems.append(("supersedes", "an item cannot supersede itself"))
    texts = (record.key, record.slug, record.title, record.summary, record.body)
    if "\x00" in "".join((*texts, record.source_url, record.supersedes, *record.translations)):
        for name in ("key", "slug", "title", "summary", "body", "source_url", "supersedes"):
            if has_nul(getattr(record, name)):
                problems.append((name, f"{name} holds a NUL character"))
        if any(has_nul(k) for k in record.translations):
            problems.append(("translations", "translations hold a NUL character"))
    for ref in record.terms:
        problem = term_problem(ref)
        if problem:
            problems.append((ref.vocabulary, problem))
    return [record.error(message, name) for name, message in problems]


def term_problem(ref: TermRef) -> str:
    if ref.vocabulary not in VOCABULARIES:
        return f"unknown vocabulary {ref.vocabulary!r}"
    # (Aliases come from the taxonomy file or are the label itself.)
    if "\x00" in ref.label or "\x00" in ref.slug:
        return f"{ref.vocabulary} term {ref.label[:50]!r} holds a NUL character"
    if not 0 < len(ref.label) <= 200 or len(ref.slug) > 100:
        return f"{ref.vocabulary} term {ref.label[:50]!r}: labels are 1 to 200 characters"
    if ref.slug and not is_slug(ref.slug):
        return (
            f"{ref.vocabulary} term slug {ref.slug[:50]!r} is not a slug "
            "(lower-case letters, digits, hyphens)"
        )
    if not ref.slug and not makes_slug(ref.label):
        return f"{ref.vocabulary} term {ref.label!r} has no letters or digits"
    return ""


# A file names the same few hundred terms over and over; slugify is slow.
@functools.lru_cache(maxsize=4096)
def is_slug(text: str) -> bool:
    return slugify(text, allow_unicode=True) == text


@functools.lru_cache(maxsize=4096)
def makes_slug(text: str) -> bool:
    return bool(slugify(text, allow_unicode=True))
