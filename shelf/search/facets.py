"""Facets: each one a small class that owns its query parameter, how its
values are checked, the bitmap of the items having a value, the tantivy tag
ranking can require, how its values are counted and how they are labelled.

Adding a facet is one class here, listed in :data:`FACETS`, plus its tests.
The index must hold what it looks up: a term facet needs nothing more (every
vocabulary is indexed); a facet on another field needs its bitmaps built in
:mod:`shelf.search.store` and kept in :meth:`Snapshot.changed`.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

import numpy as np
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from pyroaring import BitMap

from shelf.catalogue.models import VOCABULARIES

# Below this many items, facets are counted item by item (numpy), above it
# value by value (bitmap intersections).
SMALL_SCOPE = 3000
EMPTY = BitMap()


class QueryError(ValueError):
    """A parameter the reader can fix; the message says how."""


@dataclass
class FacetValue:
    value: str
    label: str
    count: int
    selected: bool


@dataclass
class Facet:
    """A facet as a page shows it: its values with their counts."""

    name: str
    label: str
    values: list[FacetValue]


class Tally:
    """Counts over one set of items, shared by the facets counted over it:
    item by item for small sets (each item's term ids in one numpy pass),
    value by value for large ones (one bitmap intersection per value)."""

    def __init__(self, snap, docs: BitMap):
        self.snap = snap
        self.docs = docs
        self.small = len(docs) <= SMALL_SCOPE
        self._by_item: dict[int, int] | None = None

    def intersections(self, bitmaps: dict) -> dict:
        out = {}
        for key, bm in bitmaps.items():
            if bm:
                n = self.docs.intersection_cardinality(bm)
                if n:
                    out[key] = n
        return out

    def terms(self) -> dict[int, int]:
        """Term id -> count, for small sets."""
        if self._by_item is None:
            self._by_item = _term_counts_by_item(self.snap, self.docs)
        return self._by_item

    def years(self) -> dict[int, int]:
        if not self.small:
            return self.intersections(self.snap.years)
        ids = np.frombuffer(self.docs.to_array(), dtype=np.uint32).astype(np.int64)
        year_of = self.snap.year[ids[ids < len(self.snap.year)]]
        per_year = np.bincount(year_of[year_of > 0].astype(np.int64))
        present = np.flatnonzero(per_year)
        return dict(zip(present.tolist(), per_year[present].tolist(), strict=True))


def _term_counts_by_item(snap, docs: BitMap) -> dict[int, int]:
    ids = np.frombuffer(docs.to_array(), dtype=np.uint32).astype(np.int64)
    known = ids[ids < len(snap.term_start)]
    starts = snap.term_start[known]
    lens = snap.term_end[known] - starts
    total = int(lens.sum())
    counts: dict[int, int] = defaultdict(int)
    if total:
        offsets = np.repeat(starts - (np.cumsum(lens) - lens), lens)
        flat = snap.term_ids_flat[offsets + np.arange(total)]
        per_term = np.bincount(flat)
        present = np.flatnonzero(per_term)
        counts.update(zip(present.tolist(), per_term[present].tolist(), strict=True))
    for pk in docs & snap.dirty if snap.dirty else ():
        # Changed since the build: its old terms out, its new terms in.
        if pk < len(snap.term_start):
            for tid in snap.term_ids_flat[snap.term_start[pk] : snap.term_end[pk]].tolist():
                counts[tid] -= 1
        for tid in snap.changed_terms.get(pk, ()):
            counts[tid] += 1
    return {int(t): int(n) for t, n in counts.items() if n > 0}


class TermFacet:
    """A facet whose values are the terms of one vocabulary (by slug)."""

    def __init__(self, vocabulary: str, label):
        self.name = vocabulary
        self.label = label

    def validate(self, values: list[str], snap) -> None:
        for value in values:
            if snap.term_set.get(self.name, value) is None:
                raise QueryError(
                    _("Unknown %(facet)s: %(value)s") % {"facet": self.name, "value": value[:50]}
                )

    def bitmap(self, snap, value: str) -> BitMap:
        term = snap.term_set.get(self.name, value)
        return snap.terms.get(term.id, EMPTY) if term else EMPTY

    def tag(self, snap, value: str) -> str | None:
        term = snap.term_set.get(self.name, value)
        return f"t{term.id}" if term else None

    def count(self, tally: Tally) -> dict[str, int]:
        snap = tally.snap
        mine = snap.term_set.by_vocabulary.get(self.name, [])
        if tally.small:
            counts = tally.terms()
            return {t.slug: counts[t.id] for t in mine if t.id in counts}
        found = {}
        docs, bitmaps = tally.docs, snap.terms
        for t in mine:
            bm = bitmaps.get(t.id)
            if bm:
                n = docs.intersection_cardinality(bm)
                if n:
                    found[t.slug] = n
        return found

    def values(self, counts: dict[str, int], chosen: list[str], snap, language) -> list[FacetValue]:
        def label(slug: str) -> str:
            return snap.term_set.label(self.name, slug, language)

        values = [FacetValue(s, label(s), n, s in chosen) for s, n in counts.items()]
        values += [FacetValue(s, label(s), 0, True) for s in chosen if s not in counts]
        values.sort(key=lambda v: (-v.count, v.label.casefold()))
        return values


class YearFacet:
    name = "year"
    label = gettext_lazy("Year")

    def validate(self, values: list[str], snap) -> None:
        for value in values:
            if not (value.isascii() and value.isdigit() and len(value) == 4):
                raise QueryError(
                    _("Year must be four digits, not %(value)s") % {"value": value[:20]}
                )

    def bitmap(self, snap, value: str) -> BitMap:
        return snap.years.get(int(value), EMPTY)

    def tag(self, snap, value: str) -> str | None:
        return f"y{int(value)}"

    def count(self, tally: Tally) -> dict[str, int]:
        return {str(y): n for y, n in tally.years().items()}

    def values(self, counts: dict[str, int], chosen: list[str], snap, language) -> list[FacetValue]:
        values = [FacetValue(y, y, n, y in chosen) for y, n in counts.items()]
        values += [FacetValue(y, y, 0, True) for y in chosen if y not in counts]
        values.sort(key=lambda v: v.value, reverse=True)
        return values


FACETS: list[TermFacet | YearFacet] = [TermFacet(name, label) for name, label in VOCABULARIES]
FACETS.append(YearFacet())
FACETS_BY_NAME = {f.name: f for f in FACETS}


def filters(snap, selected: dict[str, list[str]]) -> dict[str, BitMap]:
    """Per selected facet, the items having any of its chosen values."""
    out = {}
    for name, values in selected.items():
        facet = FACETS_BY_NAME[name]
        out[name] = BitMap.union(*(facet.bitmap(snap, v) for v in values))
    return out


def count(snap, matches: BitMap, scope, selected) -> dict[str, dict[str, int]]:
    """Every facet value's count; a facet with a selection is counted over
    the matches of the *other* facets' selections only (``scope(name)``)."""
    shared = Tally(snap, matches)
    out = {}
    for facet in FACETS:
        tally = Tally(snap, scope(facet.name)) if facet.name in selected else shared
        if tally.docs:
            out[facet.name] = facet.count(tally)
    return out


def facet_list(snap, selected: dict[str, list[str]], counts, language) -> list[Facet]:
    facets = []
    for facet in FACETS:
        chosen = selected.get(facet.name, [])
        values = facet.values(counts.get(facet.name, {}), chosen, snap, language)
        facets.append(Facet(facet.name, facet.label, values))
    return facets
