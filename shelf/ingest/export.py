"""Reading the whole catalogue out in key order, a batch at a time."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from shelf.catalogue.models import VOCABULARY_NAMES, Resource, Term

BATCH = 1000


@dataclass
class Row:
    resource: Resource
    terms: dict[str, list[Term]]  # vocabulary -> terms sorted by slug, non-empty only


def rows(queryset=None) -> Iterator[Row]:
    """Every resource in ``queryset`` ordered by key, with its terms. Memory
    stays flat however large the catalogue: batches of BATCH, by key."""
    queryset = Resource.objects.all() if queryset is None else queryset
    terms = {t.id: t for t in Term.objects.all()}
    through = Resource.terms.through.objects
    last = None
    while True:
        qs = queryset.order_by("key")
        if last is not None:
            qs = qs.filter(key__gt=last)
        batch = list(qs[:BATCH])
        if not batch:
            return
        by_resource: dict[int, list[Term]] = {r.id: [] for r in batch}
        pairs = through.filter(resource_id__in=list(by_resource)).values_list(
            "resource_id", "term_id"
        )
        for resource_id, term_id in pairs:
            by_resource[resource_id].append(terms[term_id])
        for resource in batch:
            grouped = {name: [] for name in VOCABULARY_NAMES}
            for term in by_resource[resource.id]:
                grouped[term.vocabulary].append(term)
            yield Row(
                resource,
                {v: sorted(ts, key=lambda t: t.slug) for v, ts in grouped.items() if ts},
            )
        last = batch[-1].key
