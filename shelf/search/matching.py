"""Which items match a parsed query: plain functions of a snapshot that
return roaring bitmaps (exact sets: the counts and the visibility gate are
computed on them; tantivy only orders)."""

from __future__ import annotations

import tantivy
from pyroaring import BitMap
from rapidfuzz import process
from rapidfuzz.distance import OSA

from shelf.lib.analysis import query_forms
from shelf.search import store
from shelf.search.query import Alt, Clause, ParsedQuery

MAX_NEAR = 4
MAX_PREFIXED = 6
# The last word, maybe typed half-way, stands for more of the words it begins.
MAX_AS_TYPED = 6
PHRASE_CHECK_LIMIT = 3000


def any_of(snap, forms) -> BitMap:
    sets = [snap.postings(f) for f in forms]
    if len(sets) == 1:
        return sets[0]
    return BitMap.union(*sets) if sets else BitMap()


def alt_docs(snap, alt: Alt) -> BitMap:
    """The items matching one alternative, remembered by the snapshot: a
    search asks for the same clause up to three times (its own words, with
    synonyms and near spellings, relaxed), and readers for the same words."""
    key = ("alt", alt)
    found = snap.cache.get(key)
    if found is None:
        found = _alt_docs(snap, alt)
        snap.remember(key, found)
    return found


def _alt_docs(snap, alt: Alt) -> BitMap:
    if alt.phrase:
        sets = sorted((snap.postings(t) for t in alt.phrase), key=len)
        candidates = BitMap.intersection(*sets) if len(sets) > 1 else sets[0]
        return phrase_docs(snap, alt.phrase, candidates)
    sets = sorted((any_of(snap, slot) for slot in alt.slots), key=len)
    return BitMap.intersection(*sets) if len(sets) > 1 else sets[0]


def phrase_query(snap, phrase: tuple[str, ...]) -> tantivy.Query:
    return tantivy.Query.boolean_query(
        [
            (
                tantivy.Occur.Should,
                tantivy.Query.boost_query(
                    tantivy.Query.phrase_query(snap.schema, name, list(phrase)),
                    store.BOOSTS[name],
                ),
            )
            for name in store.TEXT_FIELDS
        ]
    )


def phrase_docs(snap, phrase: tuple[str, ...], candidates: BitMap) -> BitMap:
    if not candidates or len(candidates) > PHRASE_CHECK_LIMIT:
        # Beyond the limit every candidate counts: all the words are
        # there, maybe not in a row; ranking still puts phrases first.
        return candidates
    key = ("phrase", phrase)
    found = snap.cache.get(key)
    if found is None:
        query = phrase_query(snap, phrase)
        hits = snap.searcher.search(query, limit=len(candidates) + 100, count=False).hits
        found = BitMap(snap.searcher.fast_field_values("id", [a for _s, a in hits]))
        snap.remember(key, found)
    # Items changed since the build are judged by their words.
    return (found & candidates) | (candidates & snap.dirty)


def near_words(snap, word: str, distance: int, limit: int = MAX_NEAR) -> list[str]:
    """The index's words within ``distance`` edits of ``word`` (not itself),
    fewest edits first, then the most common."""
    key = ("near", word, distance, limit)
    found = snap.cache.get(key)
    if found is not None:
        return found
    scored = []
    for length in range(len(word) - distance, len(word) + distance + 1):
        bucket = snap.vocab.of_length(length)
        if bucket:
            for cand, dist, _i in process.extract(
                word, bucket, scorer=OSA.distance, score_cutoff=distance, limit=50
            ):
                if cand != word:
                    scored.append((dist, -snap.vocab.count(cand), cand))
    found = [cand for _d, _n, cand in sorted(scored)[:limit]]
    snap.remember(key, found)
    return found


def prefixed_words(snap, word: str, limit: int = MAX_PREFIXED) -> list[str]:
    """The most common words of the index that begin with ``word``."""
    found = [w for w in snap.vocab.starting(word) if w != word]
    found.sort(key=lambda w: -snap.vocab.count(w))
    return found[:limit]


def widen(snap, parsed: ParsedQuery) -> bool:
    """Typo tolerance and prefixes: words of 5+ letters also match words
    one edit away (two from 9 letters), words of 4+ letters the words
    they begin ("safe": "safer", "safety"), and the query's last word from
    3 letters the words it begins (as typed: "law enf"), all with a lower
    weight than the words themselves."""
    widened = False
    for clause in parsed.clauses:
        if (clause.fuzzy or clause.prefix) and not any(a.weight < 0.5 for a in clause.alts):
            exact = set().union(*(s for a in clause.alts for s in a.slots))
            typed = set()
            if clause.prefix:
                for cand in prefixed_words(snap, clause.prefix, MAX_AS_TYPED):
                    typed |= query_forms(cand)
                typed -= exact
            near = prefixed_words(snap, clause.fuzzy) if clause.fuzzy and not clause.prefix else []
            if len(clause.fuzzy) >= 5:
                near += near_words(snap, clause.fuzzy, 2 if len(clause.fuzzy) >= 9 else 1)
            forms = set().union(*(query_forms(cand) for cand in near)) - exact - typed
            # Apart, so that the words as typed can be ranked first (as_typed()).
            if typed:
                clause.alts.append(Alt(slots=(frozenset(typed),), weight=0.3, typed=True))
            if forms:
                clause.alts.append(Alt(slots=(frozenset(forms),), weight=0.3))
            widened = widened or bool(typed or forms)
    return widened


def as_typed(parsed: ParsedQuery) -> ParsedQuery | None:
    """The reader's own words, the last maybe as the start of longer words
    (none of the other alternatives), or None if the query has no such
    word: "law enf" as "law" and "enforcement", before typos or synonyms."""
    if not any(a.typed for c in parsed.clauses for a in c.alts):
        return None
    clauses = [
        Clause(c.text, [a for a in c.alts if a.weight >= 1.0 or a.typed], c.fuzzy)
        for c in parsed.clauses
    ]
    return ParsedQuery(clauses, parsed.excluded, parsed.notes)


def clause_docs(snap, clause: Clause) -> BitMap:
    sets = [alt_docs(snap, a) for a in clause.alts]
    return BitMap.union(*sets) if len(sets) > 1 else sets[0]


def text_docs(snap, parsed: ParsedQuery) -> BitMap:
    sets = sorted((clause_docs(snap, c) for c in parsed.clauses), key=len)
    docs = BitMap.intersection(*sets) if len(sets) > 1 else sets[0]
    for clause in parsed.excluded:
        docs = docs - clause_docs(snap, clause)
    return docs


def own_words(parsed: ParsedQuery) -> ParsedQuery:
    """The query without synonym and typo alternatives: a copy, even when
    it has none, since :func:`widen` adds them to ``parsed`` in place."""
    clauses = [
        Clause(c.text, [a for a in c.alts if a.weight >= 1.0], c.fuzzy) for c in parsed.clauses
    ]
    return ParsedQuery(clauses, parsed.excluded, parsed.notes)


def without_phrases(parsed: ParsedQuery) -> ParsedQuery:
    """The query without its multi-word alternatives (the synonym "child
    protection" of "safeguarding"), itself if it has none, or None when a
    clause is left with no alternative (a quoted phrase)."""
    if not any(a.phrase for c in parsed.clauses for a in c.alts):
        return parsed
    clauses = [Clause(c.text, [a for a in c.alts if not a.phrase], c.fuzzy) for c in parsed.clauses]
    if not all(c.alts for c in clauses):
        return None
    return ParsedQuery(clauses, parsed.excluded, parsed.notes)


def tokens(parsed: ParsedQuery) -> set[str]:
    """Every index token the query may have matched, for highlighting."""
    out: set[str] = set()
    for clause in parsed.clauses:
        for alt in clause.alts:
            out.update(alt.phrase)
            for slot in alt.slots:
                out |= slot
    return out


# Relaxed matching: when fewer than this many items match every word...
RELAX_BELOW = 10
# ...items matching all but one word are added, then all but two, and so
# on, at most this many steps (the work is bounded by the steps times the
# number of clauses, itself capped by query.MAX_CLAUSES).
MAX_RELAX_STEPS = 6


def relaxed(snap, parsed: ParsedQuery, within: BitMap, enough) -> list[tuple[int, BitMap]]:
    """Items of ``within`` matching all words but one, all but two, ...:
    per step the number of words its items match and their bitmap, most
    words first, until ``enough(found)`` says the steps so far make a page.
    Each step's items matched fewer of the words than the step before's:
    ranked after them. Down to one word of two or three, two of more."""
    n = len(parsed.clauses)
    if n < 2:
        return []
    floor = max(1 if n <= 3 else 2, n - MAX_RELAX_STEPS)
    sets = [clause_docs(snap, c) & within for c in parsed.clauses]
    for clause in parsed.excluded:
        excluded = clause_docs(snap, clause)
        sets = [s - excluded for s in sets]
    steps, found = [], BitMap()
    at_least = _at_least(sets, n - 1)
    for m in range(n - 1, floor - 1, -1):
        if m not in at_least:
            # One more step down: counted again from the start, since the
            # lower levels (the large bitmaps) were left out before.
            at_least = _at_least(sets, m)
        step = at_least[m] - at_least[m + 1]
        if step:
            steps.append((m, step))
            found |= step
            if enough(found):
                break
    return steps


def at_least(snap, parsed: ParsedQuery, m: int, within: BitMap) -> BitMap:
    """The items of ``within`` matching at least ``m`` of the query's words
    (and none of its excluded ones)."""
    sets = [clause_docs(snap, c) & within for c in parsed.clauses]
    found = _at_least(sets, m)[m]
    for clause in parsed.excluded:
        found = found - clause_docs(snap, clause)
    return found


def _at_least(sets: list[BitMap], lowest: int) -> dict[int, BitMap]:
    """For each j from ``lowest`` to len(sets) + 1, the items in at least j
    of ``sets``. After the i-th set only the levels that can still reach
    ``lowest`` are kept (an item in fewer than lowest - (n - i) of the first
    i sets cannot), which leaves out the large low levels: cheap when few
    words are dropped, the common case."""
    n = len(sets)
    level: dict[int, BitMap | None] = {0: None}  # None: every item
    for i, s in enumerate(sets, start=1):
        keep = max(0, lowest - (n - i))
        nxt: dict[int, BitMap | None] = {0: None} if keep == 0 else {}
        for j in range(max(keep, 1), i + 1):
            below = level[j - 1]
            grown = s if below is None else below & s
            nxt[j] = level[j] | grown if j in level else grown
        level = nxt
    return {j: level.get(j) or BitMap() for j in range(lowest, n + 2)}
