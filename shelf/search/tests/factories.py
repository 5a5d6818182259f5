"""Small hand-written factories for search tests."""

from __future__ import annotations

import datetime
import itertools

from shelf.catalogue.models import Resource, Term

_seq = itertools.count(1)


def term(vocabulary: str, label: str, aliases=(), slug: str | None = None) -> Term:
    slug = slug or label.lower().replace(" ", "-")
    found, _ = Term.objects.get_or_create(
        vocabulary=vocabulary, slug=slug, defaults={"label": label, "aliases": list(aliases)}
    )
    return found


def resource(title: str, summary: str = "", body: str = "", language: str = "en", terms=(), **kw):
    n = next(_seq)
    kw.setdefault("date", datetime.date(2020, 1, 1) + datetime.timedelta(days=n))
    item = Resource.objects.create(
        key=f"test-{n}-{title[:40]}",
        slug=f"item-{n}",
        title=title,
        summary=summary,
        body=body,
        language=language,
        **kw,
    )
    if terms:
        item.terms.set(terms)
    return item
