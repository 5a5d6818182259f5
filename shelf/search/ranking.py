"""In which order matches are listed: by relevance through tantivy (BM25,
title above summary above body), or by a sort key of the snapshot.

The bitmaps are the authority on what matches and who may see it; tantivy
only orders (and may be a commit behind the bitmaps for a moment)."""

from __future__ import annotations

import heapq
from collections.abc import Iterator

import numpy as np
import tantivy
from pyroaring import BitMap

from shelf.search import store
from shelf.search.matching import phrase_query
from shelf.search.query import Alt, ParsedQuery


def forms_query(snap, forms) -> tantivy.Query:
    subs = []
    for name in store.TEXT_FIELDS:
        for form in forms:
            term = tantivy.Query.term_query(snap.schema, name, form)
            subs.append((tantivy.Occur.Should, tantivy.Query.boost_query(term, store.BOOSTS[name])))
    return tantivy.Query.boolean_query(subs)


def alt_query(snap, alt: Alt) -> tantivy.Query:
    if alt.phrase:
        query = phrase_query(snap, alt.phrase)
    elif len(alt.slots) == 1:
        query = forms_query(snap, alt.slots[0])
    else:
        query = tantivy.Query.boolean_query(
            [(tantivy.Occur.Must, forms_query(snap, slot)) for slot in alt.slots]
        )
    return tantivy.Query.boost_query(query, alt.weight) if alt.weight != 1.0 else query


def clause_query(snap, clause) -> tantivy.Query:
    """Any of the clause's alternatives. Alternatives of one word each are
    merged by weight, each form once at its highest weight: synonyms in five
    languages repeat forms ("teacher" is the word and in its synonyms), and
    every term query is a pass over that term's items."""
    seen: set[str] = set()
    by_weight: dict[float, set[str]] = {}
    subs = []
    for alt in sorted(clause.alts, key=lambda a: -a.weight):
        if alt.phrase or len(alt.slots) != 1:
            subs.append(alt_query(snap, alt))
            continue
        forms = alt.slots[0] - seen
        seen |= forms
        if forms:
            by_weight.setdefault(alt.weight, set()).update(forms)
    for weight, forms in by_weight.items():
        query = forms_query(snap, sorted(forms))
        subs.append(tantivy.Query.boost_query(query, weight) if weight != 1.0 else query)
    if len(subs) == 1:
        return subs[0]
    return tantivy.Query.boolean_query([(tantivy.Occur.Should, q) for q in subs])


# Items in the reader's language score this much more: enough to come first
# among otherwise equal matches, not to outrank a better match.
LANGUAGE_BOOST = 0.75


def query(
    snap,
    parsed: ParsedQuery,
    tag_sets: list[list[str]],
    at_least: int | None = None,
) -> tantivy.Query:
    """Every clause required (or, relaxed, ``at_least`` of them: the more
    the better), each by any of its alternatives; the chosen facet values
    required too (without score), so the top of a filtered search comes
    straight from tantivy. A relaxed step's query matches no item with
    fewer of the words, so its top is not crowded out by them."""
    subs = []
    occur = tantivy.Occur.Must if at_least is None else tantivy.Occur.Should
    for clause in parsed.clauses:
        subs.append((occur, clause_query(snap, clause)))
    for clause in parsed.excluded:
        for alt in clause.alts:
            subs.append((tantivy.Occur.MustNot, alt_query(snap, alt)))
    for values in tag_sets:
        # Term queries: a term set query costs twice as much here.
        tagged = [tantivy.Query.term_query(snap.schema, "tags", v) for v in values]
        if len(tagged) > 1:
            tagged = [tantivy.Query.boolean_query([(tantivy.Occur.Should, q) for q in tagged])]
        if tagged:
            subs.append((tantivy.Occur.Must, tantivy.Query.const_score_query(tagged[0], 0.0)))
    if at_least is None:
        return tantivy.Query.boolean_query(subs)
    # The clauses are the query's only Should parts (the rest is Must or
    # MustNot): at least this many of them.
    return tantivy.Query.boolean_query(subs, minimum_number_should_match=at_least)


def hits(snap, query: tantivy.Query, offset: int, limit: int) -> list[tuple[float, int]]:
    found = snap.searcher.search(query, limit=limit, offset=offset, count=False).hits
    ids = snap.searcher.fast_field_values("id", [a for _s, a in found])
    return [(score, pk) for (score, _a), pk in zip(found, ids, strict=True)]


def allowed_hits(
    snap, query: tantivy.Query, allowed: BitMap, count: int, prefer: int = 0, skip: int = 0
) -> list[int]:
    """The first ``count`` ranked hits that are in ``allowed``. The
    visibility gate is applied here rather than in tantivy: a query with
    one more required clause loses tantivy's top-k pruning and runs about
    three times slower, while only a few percent of items are hidden.
    Items in language ``prefer`` (a snapshot language code) score a little
    more, among the hits fetched (a boost inside tantivy costs a pass over
    every item in that language). ``skip``: how many items the query
    matches that are known not to be allowed (earlier tiers' listed items),
    fetched at once rather than found out round by round."""
    fetch = count + skip + 10 + count // 4
    kept: list[tuple[float, int]] = []
    for _ in range(4):
        found = hits(snap, query, 0, fetch)
        kept = [(score, pk) for score, pk in found if pk in allowed]
        if len(kept) >= count or len(found) < fetch:
            break
        fetch *= 4
    if prefer:
        lang = snap.lang
        boosted = [
            (score + LANGUAGE_BOOST if pk < len(lang) and lang[pk] == prefer else score, -i, pk)
            for i, (score, pk) in enumerate(kept)
        ]
        boosted.sort(reverse=True)
        return [pk for _s, _i, pk in boosted[:count]]
    return [pk for _s, pk in kept[:count]]


def ranked(
    snap, tiers: list[tuple[tantivy.Query, BitMap]], offset: int, limit: int, prefer: int = 0
) -> list[int]:
    """Tier by tier (each a ranking query, or a function that builds it,
    and the matches it ranks, the reader's own words first), BM25 order
    within a tier: what a later tier adds never outranks an earlier one."""
    want = offset + limit
    out: list[int] = []
    seen: set[int] = set()
    for i, (query, matches) in enumerate(tiers):
        last = i == len(tiers) - 1
        fresh = matches - BitMap(seen) if seen else matches
        if not fresh:
            continue
        need = want - len(out) if last or len(fresh) >= want - len(out) else len(fresh)
        if callable(query):
            query = query()
        for pk in allowed_hits(snap, query, fresh, need, prefer, skip=len(seen)):
            if pk not in seen:
                seen.add(pk)
                out.append(pk)
        if len(out) >= want:
            break
    return out[offset:want]


def sorted_tiers(snap, tiers: list[BitMap], sort: str, offset: int, limit: int) -> list[int]:
    """A page in sort order, tier by tier (all of one before the next; an
    item is listed in the first tier that has it)."""
    out: list[int] = []
    earlier = BitMap()
    for tier in tiers:
        docs = tier - earlier if earlier else tier
        earlier |= tier
        if offset >= len(docs):
            offset -= len(docs)
            continue
        out += sorted_page(snap, docs, sort, offset, limit - len(out))
        offset = 0
        if len(out) >= limit:
            break
    return out


def sorted_page(snap, matches: BitMap, sort: str, offset: int, limit: int) -> list[int]:
    if not matches:
        return []
    want = offset + limit
    keys = snap.keys[sort]
    if len(matches) * 4 > len(snap.orders[sort]):
        # Most items match: walk the precomputed order until the page is
        # full (items changed since the build compete separately).
        found: list[int] = []
        order, dirty = snap.orders[sort], snap.dirty
        usable = matches - dirty if dirty else matches
        for start in range(0, len(order), 512):
            found += [pk for pk in order[start : start + 512].tolist() if pk in usable]
            if len(found) >= want:
                break
        ids = np.array(found[:want] + list(dirty & matches), dtype=np.int64)
    else:
        ids = np.frombuffer(matches.to_array(), dtype=np.uint32)
    chosen = keys[ids]
    if len(ids) > want:
        part = np.argpartition(chosen, want - 1)[:want]
        ids, chosen = ids[part], chosen[part]
    order = np.lexsort((ids, chosen))
    return [int(i) for i in ids[order][offset : offset + limit]]


# -- whole listings, a few at a time (exports) --------------------------------

# A tier this small is ordered in one go; larger ones are walked in the
# precomputed order. Either way no more than this many ids are held at once
# (plus the items changed since the index was built, which are few).
WALK_SMALL = 2048
# Hits read from tantivy per call while walking a ranked listing.
WALK_HITS = 2048


def walk_sorted(snap, tiers: list[BitMap], sort: str) -> Iterator[int]:
    """Every id of ``tiers`` in the order :func:`sorted_tiers` pages them."""
    earlier = BitMap()
    for tier in tiers:
        docs = tier - earlier if earlier else tier
        earlier |= tier
        if len(docs) <= WALK_SMALL:
            yield from sorted_page(snap, docs, sort, 0, len(docs))
        else:
            yield from _walk_order(snap, docs, sort)


def _walk_order(snap, docs: BitMap, sort: str) -> Iterator[int]:
    keys, order = snap.keys[sort], snap.orders[sort]
    dirty = docs & snap.dirty if snap.dirty else BitMap()
    usable = docs - dirty if dirty else docs

    def built() -> Iterator[tuple[float, int]]:
        for start in range(0, len(order), WALK_HITS):
            for pk in order[start : start + WALK_HITS].tolist():
                if pk in usable:
                    yield float(keys[pk]), pk

    if not dirty:
        yield from (pk for _key, pk in built())
        return
    # Changed since the build: their place in the built order is stale, so
    # they are sorted apart and merged in by key (as sorted_page does).
    changed = sorted((float(keys[pk]), pk) for pk in dirty)
    yield from (pk for _key, pk in heapq.merge(built(), changed))


def walk_ranked(snap, tiers: list[tuple[tantivy.Query, BitMap]], prefer: int = 0) -> Iterator[int]:
    """Every id of ``tiers`` in the order :func:`ranked` pages them, read
    from tantivy a few thousand hits at a time."""
    seen = BitMap()
    lang = snap.lang

    def preferred(pk: int) -> bool:
        return pk < len(lang) and lang[pk] == prefer

    for query, matches in tiers:
        fresh = matches - seen if seen else matches
        if not fresh:
            continue
        if callable(query):
            query = query()
        if prefer:
            # ranked() adds LANGUAGE_BOOST to the preferred language's hits
            # and re-sorts: the same as merging the two languages' streams
            # by boosted score (ties in tantivy's order).
            streams = [
                _scored_hits(snap, query, fresh, preferred, LANGUAGE_BOOST),
                _scored_hits(snap, query, fresh, lambda pk: not preferred(pk), 0.0),
            ]
            found = (pk for _score, _i, pk in heapq.merge(*streams))
        else:
            found = (pk for _score, _i, pk in _scored_hits(snap, query, fresh, None, 0.0))
        for pk in found:
            if pk not in seen:
                seen.add(pk)
                yield pk


def _scored_hits(snap, query, allowed: BitMap, keep, boost: float):
    """(-score, position, id) of the hits in ``allowed`` (and ``keep``), best first."""
    position = 0
    while True:
        found = hits(snap, query, position, WALK_HITS)
        for i, (score, pk) in enumerate(found, start=position):
            if pk in allowed and (keep is None or keep(pk)):
                yield -(score + boost), i, pk
        if len(found) < WALK_HITS:
            return
        position += len(found)
