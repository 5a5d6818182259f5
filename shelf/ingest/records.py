"""What every import format parses into, and the error it raises.

A format turns a file into :class:`Record` objects and knows nothing about
the database; :func:`shelf.ingest.services.import_records` matches them to
resources and writes them.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

# The resource fields a record can carry. A format lists the ones its
# source really provides in ``Record.fields``; the others are left alone on
# existing resources (a listing says nothing about visibility, so an
# editor's "members only" survives a re-import).
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
)


class IngestError(ValueError):
    """Bad input, with where it is: ``sample.txt:12: the item has no summary``."""

    def __init__(self, message: str, line: int | None = None, source: str = "", unit: str = "line"):
        super().__init__(message)
        self.message = message
        self.line = line
        self.source = source
        # JSON errors point at a record number rather than a line.
        self.unit = unit

    def __str__(self) -> str:
        if self.line and self.unit != "line":
            where = (
                f"{self.source}: {self.unit} {self.line}"
                if self.source
                else f"{self.unit} {self.line}"
            )
        else:
            where = ":".join(str(p) for p in (self.source, self.line) if p)
        return f"{where}: {self.message}" if where else self.message


def combine(errors: list[IngestError], source: str = "", limit: int = 20) -> IngestError:
    """One error that lists several, each on its own line with its place."""
    for e in errors:
        e.source = source or e.source
    lines = [str(e) for e in errors[:limit]]
    if len(errors) > limit:
        lines.append(f"... and {len(errors) - limit} more errors")
    first = errors[0]
    combined = IngestError(first.message, first.line, first.source, first.unit)
    combined.message = "\n".join([first.message, *lines[1:]])
    return combined


@dataclass(frozen=True)
class TermRef:
    """A term as a source names it. The importer finds the term by slug,
    then by label or alias within the vocabulary, and creates it if none
    matches (with ``slug``, or a slug made from the label)."""

    vocabulary: str
    slug: str
    label: str
    aliases: tuple[str, ...] = ()


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
    status: str = "published"
    visibility: str = "public"
    last_reviewed: datetime.date | None = None
    review_by: datetime.date | None = None
    terms: list[TermRef] = field(default_factory=list)
    # The vocabularies whose terms the source gives (None: all of them);
    # terms of the others are left as they are.
    vocabularies: tuple[str, ...] | None = None
    # Tags that the taxonomy did not know and that became topic terms.
    unknown_tags: list[str] = field(default_factory=list)
    unit: str = "line"  # what ``line`` counts: "line", or "record" in JSON

    def error(self, message: str) -> IngestError:
        return IngestError(message, self.line, unit=self.unit)


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
        raise ValueError(f"date {text!r} is not YYYY, YYYY-MM or YYYY-MM-DD")
    precision = ("year", "month", "day")[len(parts) - 1]
    numbers = [int(p) for p in parts] + [1] * (3 - len(parts))
    try:
        return datetime.date(*numbers), precision
    except ValueError as e:
        raise ValueError(f"date {text!r}: {e}") from None
