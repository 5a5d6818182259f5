"""Reading the whole catalogue out in key order, a batch at a time."""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from dataclasses import dataclass

from django.db import connection
from django.db.models import F
from django.db.models.functions import Collate

from shelf.catalogue.models import VOCABULARY_NAMES, Resource, Term

BATCH = 1000


@dataclass
class Row:
    resource: Resource
    # vocabulary -> terms, non-empty only; sorted by slug, but publishers in
    # their stored order (the first is the lead publisher)
    terms: dict[str, list[Term]]
    translations: list[str]  # keys, sorted
    supersedes: str  # key or ""


def rows(queryset=None) -> Iterator[Row]:
    """Every resource in ``queryset`` in key order, with its terms. One
    streamed query, read a batch at a time, so memory stays flat however
    large the catalogue is."""
    queryset = Resource.objects.all() if queryset is None else queryset
    terms = {t.id: t for t in Term.objects.all()}
    through = Resource.terms.through.objects
    # Code point order on every database (PostgreSQL would otherwise sort
    # by its locale), so the same catalogue exports the same bytes anywhere.
    collation = "C" if connection.vendor == "postgresql" else "BINARY"
    ordered = (
        queryset.annotate(supersedes_key=F("supersedes__key"))
        .order_by(Collate("key", collation))
        .iterator(chunk_size=BATCH)
    )
    translations = Resource.translations.through.objects
    while batch := list(itertools.islice(ordered, BATCH)):
        by_resource: dict[int, list[Term]] = {r.id: [] for r in batch}
        pairs = (
            through.filter(resource_id__in=list(by_resource))
            .order_by("id")
            .values_list("resource_id", "term_id")
        )
        for resource_id, term_id in pairs:
            by_resource[resource_id].append(terms[term_id])
        linked: dict[int, list[str]] = {r.id: [] for r in batch}
        rows = translations.filter(from_resource_id__in=list(linked))
        for resource_id, key in rows.values_list("from_resource_id", "to_resource__key"):
            linked[resource_id].append(key)
        for resource in batch:
            grouped = {name: [] for name in VOCABULARY_NAMES}
            for term in by_resource[resource.id]:
                grouped[term.vocabulary].append(term)
            yield Row(
                resource,
                {v: in_order(v, ts) for v, ts in grouped.items() if ts},
                sorted(linked[resource.id]),
                resource.supersedes_key or "",
            )


def in_order(vocabulary: str, terms: list[Term]) -> list[Term]:
    return terms if vocabulary == "publisher" else sorted(terms, key=lambda t: t.slug)
