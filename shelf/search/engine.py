"""One search over a snapshot: the reader's words, the chosen facet values
and the sort in; the count, one page of ids, every facet's counts and the
words to highlight out. Plain functions of a snapshot
(:mod:`shelf.search.snapshot`); :mod:`shelf.search.replica` keeps the
snapshot current, :mod:`shelf.search.browse` is what pages and the API call.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from pyroaring import BitMap

from shelf.search import facets, matching, ranking
from shelf.search.query import ParsedQuery
from shelf.search.suggest import suggest


@dataclass
class Outcome:
    count: int
    ids: list[int]
    counts: dict[str, dict[str, int]]
    tokens: set[str] = field(default_factory=set)
    suggestion: str = ""


def search(
    snap,
    parsed: ParsedQuery | None,
    selected: dict[str, list[str]],
    user,
    sort: str,
    offset: int,
    limit: int,
) -> Outcome:
    """Selected facets are validated by the caller (browse does)."""
    visible = snap.visible_to(user)
    base = visible
    text = parsed is not None and not parsed.empty
    filters = facets.filters(snap, selected)

    def scope(within: BitMap, skip: str | None = None) -> BitMap:
        out = within
        for name, bm in sorted(filters.items(), key=lambda kv: len(kv[1])):
            if name != skip:
                out = out & bm
        return out

    relevance = text and sort == "relevance"
    if text:
        # The reader's own words first; synonyms and near misses widen
        # the match and rank after it.
        own = matching.own_words(parsed)
        exact_text = matching.text_docs(snap, own)
        widened = matching.widen(snap, parsed) or own is not parsed
        base = visible & (matching.text_docs(snap, parsed) if widened else exact_text)
    matches = scope(base)
    counts = facets.count(snap, matches, lambda skip: scope(base, skip), selected)
    if relevance:
        tag_sets = [
            [t for v in values if (t := facets.FACETS_BY_NAME[name].tag(snap, v))]
            for name, values in selected.items()
        ]
        exact = scope(visible & exact_text) if widened else matches
        tiers = [(ranking.query(snap, own, tag_sets), exact)]
        if widened:
            tiers.append((ranking.query(snap, parsed, tag_sets), matches))
        ids = ranking.ranked(snap, tiers, offset, limit)
    else:
        ids = ranking.sorted_page(
            snap, matches, "newest" if sort == "relevance" else sort, offset, limit
        )
    outcome = Outcome(len(matches), ids, counts)
    if text:
        outcome.tokens = matching.tokens(parsed)
        if not matches:
            outcome.suggestion = suggest(snap, parsed, visible)
    return outcome
