"""Small builders for listing files and records."""

from __future__ import annotations

from shelf.ingest.records import Record, TermRef


def item(tags: str = "Parents", title: str = "A Guide", summary: str = "Text.Read More") -> str:
    """One listing item as the website lays it out."""
    return f"{tags}\n\n{title}\n\n\n{summary}\n\n"


def listing(*items: str) -> str:
    return "".join(items) + "Filter by"


def record(key: str = "test:one", title: str = "One", line: int = 1, **fields) -> Record:
    fields.setdefault("terms", [TermRef("audience", "parents", "Parents")])
    fields.setdefault("status", "published")
    fields.setdefault("visibility", "public")
    return Record(line=line, key=key, title=title, **fields)
