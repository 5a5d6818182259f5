"""One search over a snapshot: the reader's words, the chosen facet values
and the sort in; the count, one page of ids, every facet's counts and the
words to highlight out. Plain functions of a snapshot
(:mod:`shelf.search.snapshot`); :mod:`shelf.search.replica` keeps the
snapshot current, :mod:`shelf.search.browse` is what pages and the API call.
"""

from __future__ import annotations

import functools
import itertools
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

from pyroaring import BitMap

from shelf.catalogue.models import is_member
from shelf.search import documents, facets, matching, ranking
from shelf.search.query import ParsedQuery
from shelf.search.suggest import suggest


@dataclass
class Outcome:
    count: int
    ids: list[int]
    counts: dict[str, dict[str, int]]
    tokens: set[str] = field(default_factory=set)
    suggestion: str = ""
    # Some of the results match only some of the words.
    relaxed: bool = False


@dataclass
class Plan:
    """What a search lists, before counting or ordering: the matches and the
    tiers they are listed in (each a ranking query, its items, and how many
    of its clauses they match: None for every one)."""

    visible: BitMap
    base: BitMap
    matches: BitMap
    tiers: list[tuple[ParsedQuery | None, BitMap, int | None]]
    every_word: BitMap
    relaxed: bool
    scope: Callable[[BitMap, str | None], BitMap]


def plan(snap, parsed: ParsedQuery | None, selected: dict[str, list[str]], user) -> Plan:
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

    every_word = BitMap()
    # What is listed, in tiers: the reader's own words, then with synonyms
    # and near misses, then (relaxed) with fewer of the words. Per tier: the
    # query, its items, and how many of its clauses they match (None: every one).
    tiers: list[tuple[ParsedQuery | None, BitMap, int | None]] = []
    steps: list[tuple[int, BitMap]] = []
    if text:
        own = matching.own_words(parsed)
        exact_text = matching.text_docs(snap, own)
        synonyms = any(a.weight < 1.0 for c in parsed.clauses for a in c.alts)
        widened = matching.widen(snap, parsed) or synonyms
        base = visible & (matching.text_docs(snap, parsed) if widened else exact_text)
        matches = scope(base)
        exact = scope(visible & exact_text) if widened else matches
        tiers.append((own, exact, None))
        if typed := matching.as_typed(parsed):
            tiers.append((typed, scope(visible & matching.text_docs(snap, typed)), None))
        # Items found through a multi-word synonym come after those matching
        # each word by itself or by a one-word alternative: a looser match
        # (beyond PHRASE_CHECK_LIMIT candidates not even checked to be in a
        # row), and the phrase queries that rank them cost ten times the
        # rest of the query in tantivy.
        single = matching.without_phrases(parsed) if widened else None
        if single is parsed:
            single = None
        if widened:
            if single is not None:
                tiers.append((single, scope(visible & matching.text_docs(snap, single)), None))
            tiers.append((parsed, matches, None))
        every_word = matches
        if len(matches) < matching.RELAX_BELOW:
            steps = matching.relaxed(
                snap,
                parsed,
                visible,
                lambda found: len(matches) + len(scope(found)) >= matching.RELAX_BELOW,
            )
            for words, step in steps:
                base = base | step
                if single is not None:
                    reach = matching.at_least(snap, single, words, step)
                    tiers.append((single, scope(reach), words))
                tiers.append((parsed, scope(step), words))
        matches = scope(base) if steps else matches
    else:
        matches = scope(base)
        tiers.append((None, matches, None))
    # Current editions before those they replace, tier by tier.
    superseded = snap.superseded_for(user)
    if superseded:
        tiers = [
            (q, part, every)
            for q, docs, every in tiers
            for part in (docs - superseded, docs & superseded)
        ]
    return Plan(visible, base, matches, tiers, every_word, bool(steps), scope)


def search(
    snap,
    parsed: ParsedQuery | None,
    selected: dict[str, list[str]],
    user,
    sort: str,
    offset: int,
    limit: int,
    language: str = "",
) -> Outcome:
    """Selected facets are validated by the caller (browse does).
    ``language``: the reader's, whose items rank first among equals."""
    p = plan(snap, parsed, selected, user)
    text = parsed is not None and not parsed.empty
    key = None if text else counts_key(user, selected)
    counts = snap.cache.get(key) if key else None
    if counts is None:
        counts = facets.count(snap, p.matches, lambda skip: p.scope(p.base, skip), selected)
        if key:
            snap.remember(key, counts)
    if text and sort == "relevance":
        ranked = ranking_tiers(snap, p, selected)
        prefer = documents.language_code(language) if language else 0
        ids = ranking.ranked(snap, ranked, offset, limit, prefer)
    else:
        key = "newest" if sort == "relevance" else sort
        ids = ranking.sorted_tiers(snap, [docs for _q, docs, _e in p.tiers], key, offset, limit)
    outcome = Outcome(len(p.matches), ids, counts, relaxed=p.relaxed)
    if text:
        outcome.tokens = matching.tokens(parsed)
        if not p.every_word:
            outcome.suggestion = suggest(snap, parsed, p.visible)
    return outcome


def counts_key(user, selected: dict[str, list[str]]) -> tuple:
    """Without words, the facet counts depend only on the selection and on
    which items the reader may see: the same for every reader of a kind until
    the snapshot changes, so they are counted once per snapshot (browsing the
    whole catalogue, the most common view, costs no counting at all). What is
    remembered is shared: callers must not change it."""
    chosen = tuple(sorted((name, tuple(sorted(values))) for name, values in selected.items()))
    return ("counts", is_member(user), chosen)


def ranking_tiers(snap, p: Plan, selected: dict[str, list[str]]) -> list:
    tag_sets = [
        [t for v in values if (t := facets.FACETS_BY_NAME[name].tag(snap, v))]
        for name, values in selected.items()
    ]
    # Built when a tier is reached (most pages fill from the first), once
    # for the halves of a tier split by editions.
    built: dict = {}

    def query_of(q, at_least):
        key = (id(q), at_least)
        if key not in built:
            built[key] = ranking.query(snap, q, tag_sets, at_least)
        return built[key]

    return [(functools.partial(query_of, q, at_least), docs) for q, docs, at_least in p.tiers]


def walk(
    snap,
    parsed: ParsedQuery | None,
    selected: dict[str, list[str]],
    user,
    sort: str,
    chunk: int,
    language: str = "",
) -> tuple[int, Iterator[list[int]]]:
    """Every id :func:`search` would list, in its order, ``chunk`` ids at a
    time, for exports: no facet counts, and never the whole list in memory
    (bitmaps and the index's own arrays aside). The count and the chunks."""
    p = plan(snap, parsed, selected, user)
    if parsed is not None and not parsed.empty and sort == "relevance":
        prefer = documents.language_code(language) if language else 0
        ids = ranking.walk_ranked(snap, ranking_tiers(snap, p, selected), prefer)
    else:
        key = "newest" if sort == "relevance" else sort
        ids = ranking.walk_sorted(snap, [docs for _q, docs, _e in p.tiers], key)
    return len(p.matches), batches(ids, chunk)


def batches(ids: Iterator[int], size: int) -> Iterator[list[int]]:
    while batch := list(itertools.islice(ids, size)):
        yield batch
