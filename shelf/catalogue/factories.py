"""Small factories for tests: a term or a resource in one call.

Terms are looked up before they are created, because the taxonomy's terms
already exist after migrate.
"""

from __future__ import annotations

import datetime as dt
import itertools

from django.utils.text import slugify

from shelf.catalogue.models import DatePrecision, Resource, Term

_counter = itertools.count(1)


def make_term(vocabulary: str, label: str, slug: str | None = None, **fields) -> Term:
    slug = slug or slugify(label, allow_unicode=True)
    term, _created = Term.objects.get_or_create(
        vocabulary=vocabulary, slug=slug, defaults={"label": label, **fields}
    )
    return term


def make_resource(
    title: str = "",
    *,
    terms: dict[str, list[str]] | list[Term] | None = None,
    date: dt.date | str | None = None,
    date_precision: str = "",
    **fields,
) -> Resource:
    """A published public resource. ``terms`` maps a vocabulary to labels,
    e.g. ``{"audience": ["Parents", "Teachers"]}``, or is a list of terms."""
    n = next(_counter)
    title = title or f"Resource {n}"
    if isinstance(date, str):
        date = dt.date.fromisoformat(date)
    if date and not date_precision:
        date_precision = DatePrecision.DAY
    fields.setdefault("slug", f"{slugify(title, allow_unicode=True)[:180]}-{n}")
    fields.setdefault("key", f"test:{n}")
    fields.setdefault("language", "en")
    resource = Resource.objects.create(
        title=title, date=date, date_precision=date_precision, **fields
    )
    if isinstance(terms, dict):
        terms = [
            make_term(vocabulary, label) for vocabulary, labels in terms.items() for label in labels
        ]
    if terms:
        resource.terms.set(terms)
    return resource
