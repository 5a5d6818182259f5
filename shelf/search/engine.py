"""The search engine one web worker uses.

Reading: each worker opens the node's current index generation (tantivy
mmap'd, token bitmaps read lazily from an mmap'd file, facet bitmaps and
sort keys in memory). Match sets are roaring bitmaps, so the visibility gate,
facet filters and every disjunctive facet count are bitmap operations;
tantivy ranks (BM25, title above summary above body) and checks phrases.

Staying current: before answering, a worker looks at the change feed (at
most every ``SEARCH_REFRESH_INTERVAL`` seconds, 0.25 by default). Changed
resources are re-read from the database and applied to the worker's
in-memory overlay at once; one worker per node (whichever takes tantivy's
writer lock) also writes them to the node's tantivy index, and every worker
reloads its tantivy reader when that index advances.
"""

from __future__ import annotations

import bisect
import datetime
import gc
import json
import logging
import mmap
import pickle
import threading
import time
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import tantivy
from django.conf import settings
from pyroaring import BitMap
from rapidfuzz import process
from rapidfuzz.distance import OSA

from shelf.catalogue.models import VOCABULARY_NAMES
from shelf.lib.analysis import query_forms
from shelf.search import documents, store
from shelf.search.models import SearchChange, Synonym
from shelf.search.query import Alt, Clause, ParsedQuery, synonym_map

log = logging.getLogger(__name__)

SORT_KEYS = ("newest", "oldest", "title")
EPOCH_ORDINAL = datetime.date(1970, 1, 1).toordinal()
# Below this many items, facets are counted item by item (numpy), above it
# value by value (bitmap intersections).
SMALL_SCOPE = 3000
MAX_FUZZY = 4
MAX_PREFIXED = 6
PHRASE_CHECK_LIMIT = 3000
CACHE_SIZE = 1024
# Change ids not seen yet below the highest seen are looked for again for
# this long (a transaction open that long is not a web request).
GAP_SECONDS = 60
MAX_GAPS = 1000


@dataclass
class Outcome:
    count: int
    ids: list[int]
    counts: dict[str, dict[str, int]]
    tokens: set[str] = field(default_factory=set)
    suggestion: str = ""


class Engine:
    def __init__(self, root: Path):
        self.root = root
        self.lock = threading.RLock()
        self.gen: Path | None = None
        self.checked = 0.0
        self.last_refresh = time.monotonic()
        self._open(self._ensure_generation())
        if self._pruned_past_base():
            self._open(self._rebuild())

    # -- opening and staying current ------------------------------------

    def _ensure_generation(self) -> Path:
        gen = store.current_generation(self.root)
        if gen is None:
            # First use on a fresh node: build from the database, once, while
            # other workers wait on the lock and then open what was built.
            with store.locked(self.root / "build.lock"):
                gen = store.current_generation(self.root) or store.build(self.root)
        return gen

    def _open(self, gen: Path) -> None:
        manifest = json.loads((gen / "manifest.json").read_text())
        self.gen = gen
        self.feed = manifest["feed"]
        self.tindex = store.open_tantivy(gen / "tantivy")
        self.schema = self.tindex.schema
        self.searcher = self.tindex.searcher()
        self.tantivy_seen = self._tantivy_applied()
        with open(gen / "postings.idx", "rb") as handle:
            self.offsets: dict[str, tuple[int, int]] = pickle.load(handle)  # noqa: S301 (our own files)
        with open(gen / "postings.bin", "rb") as handle:
            size = handle.seek(0, 2)
            self.mm = mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ) if size else b""
        with open(gen / "facets.pkl", "rb") as handle:
            facets = pickle.load(handle)  # noqa: S301 (our own files)
        self.facet_terms = defaultdict(
            BitMap, {t: BitMap.deserialize(b) for t, b in facets["terms"].items()}
        )
        self.years = defaultdict(
            BitMap, {y: BitMap.deserialize(b) for y, b in facets["years"].items()}
        )
        self.published = BitMap.deserialize(facets["published"])
        self.public = BitMap.deserialize(facets["public"])
        sort = np.load(gen / "sort.npz")
        pks = sort["pk"]
        size = int(pks.max()) + 1 if len(pks) else 1
        self.title_sorted = sort["title_sorted"]
        counts = sort["term_counts"].astype(np.int64)
        self.term_start = np.zeros(size + 1, dtype=np.int64)
        self.term_end = np.zeros(size + 1, dtype=np.int64)
        ends = np.cumsum(counts)
        self.term_start[pks], self.term_end[pks] = ends - counts, ends
        self.term_ids_flat = sort["term_ids"]
        self.changed_terms: dict[int, list[int]] = {}
        self.keys = {name: np.zeros(size, dtype=np.float64) for name in SORT_KEYS}
        self.year = np.zeros(size, dtype=np.int16)
        self._set_keys(pks, sort["date"], sort["title_rank"])
        # Every resource in each order, for pages of large match sets.
        self.orders = {name: pks[np.lexsort((pks, keys[pks]))] for name, keys in self.keys.items()}
        with open(gen / "vocab.pkl", "rb") as handle:
            self.vocab: dict[str, int] = pickle.load(handle)  # noqa: S301 (our own files)
        self._bucket_vocab()
        self.overlay: dict[str, BitMap] = {}
        self.dirty = BitMap()
        self.cache: dict = {}
        self._pending_docs: dict[int, documents.Doc] = {}
        self._tantivy_late: set[int] = set()
        self.gaps: dict[int, float] = {}
        self._load_terms()

    def _bucket_vocab(self) -> None:
        buckets: dict[int, list[str]] = defaultdict(list)
        for word in self.vocab:
            buckets[len(word)].append(word)
        self.buckets = buckets
        self.sorted_vocab = sorted(self.vocab)

    def _load_terms(self) -> None:
        from shelf.catalogue.models import Term

        self.terms = {(t.vocabulary, t.slug): t for t in Term.objects.all()}
        self.terms_by_id = {t.id: t for t in self.terms.values()}
        self.term_table = documents.term_table(self.terms.values())
        groups = [s.phrases() for s in Synonym.objects.all()]
        groups += [[label, *names] for _v, label, names in self.term_table.values() if names]
        self.synonyms = synonym_map(groups)

    def _tantivy_applied(self) -> int:
        try:
            return int((self.gen / "tantivy.applied").read_text() or 0)
        except (FileNotFoundError, ValueError):
            return 0

    def refresh(self, force: bool = False) -> None:
        interval = getattr(settings, "SEARCH_REFRESH_INTERVAL", 0.25)
        now = time.monotonic()
        if not force and now - self.checked < interval:
            return
        with self.lock:
            self.checked = now
            gen = store.current_generation(self.root)
            if gen is None or gen != self.gen:
                self._open(gen or self._ensure_generation())
                gc.freeze()
            latest = store.feed_position()
            idle = now - self.last_refresh > 3600
            self.last_refresh = now
            if latest < self.feed or (idle and self._pruned_past_base()):
                # The feed went backwards: a restored or replaced database.
                self._open(self._rebuild())
                return
            late, late_global = self._fill_gaps() if self.gaps else ([], False)
            if latest > self.feed or late or late_global:
                self._apply(self.feed, max(latest, self.feed), late, late_global)
            self._sync_tantivy(late)

    def _pruned_past_base(self) -> bool:
        """Rows this index has not applied were deleted (the feed was pruned
        past an old index, or past a worker idle for days): only a rebuild
        can catch up. Checked on opening and after an idle hour."""
        first = SearchChange.objects.order_by("id").values_list("id", flat=True).first()
        return first is not None and first > self.feed + 1

    def _rebuild(self) -> Path:
        with store.locked(self.root / "build.lock"):
            return store.build(self.root)

    def _changes(self, after: int, upto: int, track_gaps: bool = False) -> tuple[list[int], bool]:
        rows = SearchChange.objects.filter(id__gt=after, id__lte=upto).values_list(
            "id", "resource_id"
        )
        ids, seen, global_change = [], set(), False
        for change_id, rid in rows.iterator(chunk_size=5000):
            seen.add(change_id)
            if rid is None:
                global_change = True
            else:
                ids.append(rid)
        if track_gaps and 0 < upto - after - len(seen) <= MAX_GAPS:
            # On PostgreSQL ids are taken before commit: a transaction that
            # commits later may still add a row below what we have seen.
            now = time.monotonic()
            for missing in set(range(after + 1, upto + 1)) - seen:
                self.gaps[missing] = now
        return list(dict.fromkeys(ids)), global_change

    def _fill_gaps(self) -> tuple[list[int], bool]:
        rows = SearchChange.objects.filter(id__in=list(self.gaps)).values_list("id", "resource_id")
        ids, global_change = [], False
        for change_id, rid in rows:
            del self.gaps[change_id]
            if rid is None:
                global_change = True
            else:
                ids.append(rid)
        expired = time.monotonic() - GAP_SECONDS
        self.gaps = {i: t for i, t in self.gaps.items() if t > expired}
        return ids, global_change

    def _apply(self, after: int, upto: int, late=(), late_global: bool = False) -> None:
        ids, global_change = self._changes(after, upto, track_gaps=True)
        ids = list(dict.fromkeys([*ids, *late]))
        global_change = global_change or late_global
        if len(ids) > getattr(settings, "SEARCH_REBUILD_AFTER", 20000):
            # A bulk import: rebuilding once per node beats every worker
            # re-analysing the same items.
            self._open(self._rebuild())
            return
        if global_change:
            self._load_terms()
        docs = documents.load(ids, self.term_table)
        changed = BitMap(ids)
        self.dirty |= changed
        for bitmaps in (self.facet_terms.values(), self.years.values(), self.overlay.values()):
            for bm in bitmaps:
                bm.difference_update(changed)
        self.published.difference_update(changed)
        self.public.difference_update(changed)
        if docs and max(d.pk for d in docs) >= len(self.keys["title"]):
            grow = max(d.pk for d in docs) + 1024
            for name, keys in self.keys.items():
                self.keys[name] = _grown(keys, grow)
            self.year = _grown(self.year, grow)
        analysed = {}
        for doc in docs:
            fields, surface = analysed[doc.pk] = store.analyse(doc)
            for token in {t for tokens in fields.values() for t in tokens}:
                self.overlay.setdefault(token, BitMap()).add(doc.pk)
            for tid in doc.term_ids:
                self.facet_terms[tid].add(doc.pk)
            self.changed_terms[doc.pk] = doc.term_ids
            if doc.date_ord:
                self.years[datetime.date.fromordinal(doc.date_ord).year].add(doc.pk)
            if doc.published:
                self.published.add(doc.pk)
            if doc.public:
                self.public.add(doc.pk)
            rank = np.searchsorted(self.title_sorted, np.uint64(store.title_key(doc.title)))
            self._set_keys(np.array([doc.pk]), np.array([doc.date_ord]), np.array([rank - 0.5]))
            for word in [w for w in surface if len(w) >= store.MIN_VOCAB_WORD and not w.isdigit()]:
                if word not in self.vocab:
                    self.buckets[len(word)].append(word)
                    bisect.insort(self.sorted_vocab, word)
                self.vocab[word] = self.vocab.get(word, 0) + 1
        # Kept for _sync_tantivy, which would otherwise analyse them again.
        self._pending_docs = {d.pk: d for d in docs}
        self._pending_analysed = analysed
        self.feed = upto
        self.cache.clear()

    def _sync_tantivy(self, late=()) -> None:
        applied = self._tantivy_applied()
        self._tantivy_late.update(late)
        if applied < self.feed or self._tantivy_late:
            try:
                writer = self.tindex.writer(heap_size=15_000_000, num_threads=1)
            except ValueError:
                writer = None  # another worker on this node is writing
            if writer is not None:
                try:
                    applied = self._tantivy_applied()
                    ids, _global = self._changes(applied, self.feed)
                    ids = list(dict.fromkeys([*ids, *self._tantivy_late]))
                    pending = getattr(self, "_pending_docs", {})
                    missing = [i for i in ids if i not in pending]
                    docs = [pending[i] for i in ids if i in pending] + documents.load(
                        missing, self.term_table
                    )
                    if ids:
                        # By query: delete_documents_by_term makes an i64 term
                        # of a Python int, which never matches the u64 "id".
                        writer.delete_documents_by_query(
                            tantivy.Query.term_set_query(self.schema, "id", ids)
                        )
                    analysed = getattr(self, "_pending_analysed", {})
                    for doc in docs:  # deleted resources are not loaded
                        fields = (analysed.get(doc.pk) or store.analyse(doc))[0]
                        writer.add_document(store.tantivy_doc(doc, fields))
                    writer.commit()
                    writer.wait_merging_threads()
                    (self.gen / "tantivy.applied").write_text(str(self.feed))
                    self._tantivy_late.clear()
                finally:
                    del writer
                applied = self.feed
        self._pending_docs = {}
        self._pending_analysed = {}
        if applied != self.tantivy_seen:
            self.tindex.reload()
            self.searcher = self.tindex.searcher()
            self.tantivy_seen = applied
            self.cache.clear()

    # -- matching --------------------------------------------------------

    def postings(self, token: str) -> BitMap:
        key = ("p", token)
        found = self.cache.get(key)
        if found is not None:
            return found
        where = self.offsets.get(token)
        bm = BitMap.deserialize(self.mm[where[0] : where[0] + where[1]]) if where else BitMap()
        if self.dirty:
            bm.difference_update(self.dirty)
        extra = self.overlay.get(token)
        if extra:
            bm |= extra
        self._remember(key, bm)
        return bm

    def _remember(self, key, value) -> None:
        if len(self.cache) > CACHE_SIZE:
            self.cache.clear()
        self.cache[key] = value

    def any_of(self, forms) -> BitMap:
        sets = [self.postings(f) for f in forms]
        if len(sets) == 1:
            return sets[0]
        return BitMap.union(*sets) if sets else BitMap()

    def alt_docs(self, alt: Alt) -> BitMap:
        if alt.phrase:
            sets = sorted((self.postings(t) for t in alt.phrase), key=len)
            candidates = BitMap.intersection(*sets) if len(sets) > 1 else sets[0]
            return self._phrase_docs(alt.phrase, candidates)
        sets = sorted((self.any_of(slot) for slot in alt.slots), key=len)
        return BitMap.intersection(*sets) if len(sets) > 1 else sets[0]

    def _phrase_docs(self, phrase: tuple[str, ...], candidates: BitMap) -> BitMap:
        if not candidates or len(candidates) > PHRASE_CHECK_LIMIT:
            # Beyond the limit every candidate counts: all the words are
            # there, maybe not in a row; ranking still puts phrases first.
            return candidates
        key = ("phrase", phrase)
        found = self.cache.get(key)
        if found is None:
            query = self._phrase_query(phrase)
            hits = self.searcher.search(query, limit=len(candidates) + 100, count=False).hits
            found = BitMap(self.searcher.fast_field_values("id", [a for _s, a in hits]))
            self._remember(key, found)
        # Items changed since tantivy's last commit are judged by their words.
        return (found & candidates) | (candidates & self.dirty)

    def fuzzy_words(self, word: str) -> list[str]:
        key = ("fuzzy", word)
        found = self.cache.get(key)
        if found is not None:
            return found
        distance = 2 if len(word) >= 9 else 1
        scored = []
        for length in range(len(word) - distance, len(word) + distance + 1):
            bucket = self.buckets.get(length)
            if bucket:
                for cand, dist, _i in process.extract(
                    word, bucket, scorer=OSA.distance, score_cutoff=distance, limit=50
                ):
                    if cand != word:
                        scored.append((dist, -self.vocab.get(cand, 0), cand))
        found = [cand for _d, _n, cand in sorted(scored)[:MAX_FUZZY]]
        self._remember(key, found)
        return found

    def prefixed_words(self, word: str) -> list[str]:
        """The most common words of the index that begin with ``word``."""
        start = bisect.bisect_right(self.sorted_vocab, word)
        found = []
        for cand in self.sorted_vocab[start : start + 200]:
            if not cand.startswith(word):
                break
            found.append(cand)
        found.sort(key=lambda w: -self.vocab.get(w, 0))
        return found[:MAX_PREFIXED]

    def widen(self, parsed: ParsedQuery) -> bool:
        """Typo tolerance and prefixes: words of 5+ letters also match words
        one edit away (two from 9 letters), words of 4+ letters the words
        they begin ("safe": "safer", "safety"), with a lower weight."""
        widened = False
        for clause in parsed.clauses:
            if clause.fuzzy and not any(a.weight < 0.5 for a in clause.alts):
                exact = set().union(*(s for a in clause.alts for s in a.slots))
                forms = set()
                near = self.prefixed_words(clause.fuzzy)
                if len(clause.fuzzy) >= 5:
                    near += self.fuzzy_words(clause.fuzzy)
                for cand in near:
                    forms |= query_forms(cand)
                forms -= exact
                if forms:
                    clause.alts.append(Alt(slots=(frozenset(forms),), weight=0.3))
                    widened = True
        return widened

    def clause_docs(self, clause: Clause) -> BitMap:
        sets = [self.alt_docs(a) for a in clause.alts]
        return BitMap.union(*sets) if len(sets) > 1 else sets[0]

    def text_docs(self, parsed: ParsedQuery) -> BitMap:
        sets = sorted((self.clause_docs(c) for c in parsed.clauses), key=len)
        docs = BitMap.intersection(*sets) if len(sets) > 1 else sets[0]
        for clause in parsed.excluded:
            docs = docs - self.clause_docs(clause)
        return docs

    # -- ranking ---------------------------------------------------------

    def _phrase_query(self, phrase: tuple[str, ...]) -> tantivy.Query:
        return tantivy.Query.boolean_query(
            [
                (
                    tantivy.Occur.Should,
                    tantivy.Query.boost_query(
                        tantivy.Query.phrase_query(self.schema, name, list(phrase)),
                        store.BOOSTS[name],
                    ),
                )
                for name in store.TEXT_FIELDS
            ]
        )

    def _forms_query(self, forms) -> tantivy.Query:
        subs = []
        for name in store.TEXT_FIELDS:
            for form in forms:
                term = tantivy.Query.term_query(self.schema, name, form)
                subs.append(
                    (tantivy.Occur.Should, tantivy.Query.boost_query(term, store.BOOSTS[name]))
                )
        return tantivy.Query.boolean_query(subs)

    def _alt_query(self, alt: Alt) -> tantivy.Query:
        if alt.phrase:
            query = self._phrase_query(alt.phrase)
        elif len(alt.slots) == 1:
            query = self._forms_query(alt.slots[0])
        else:
            query = tantivy.Query.boolean_query(
                [(tantivy.Occur.Must, self._forms_query(slot)) for slot in alt.slots]
            )
        return tantivy.Query.boost_query(query, alt.weight) if alt.weight != 1.0 else query

    def ranking_query(self, parsed: ParsedQuery, tag_sets: list[list[str]]) -> tantivy.Query:
        subs = []
        for clause in parsed.clauses:
            alts = [(tantivy.Occur.Should, self._alt_query(a)) for a in clause.alts]
            subs.append((tantivy.Occur.Must, tantivy.Query.boolean_query(alts)))
        for clause in parsed.excluded:
            for alt in clause.alts:
                subs.append((tantivy.Occur.MustNot, self._alt_query(alt)))
        for values in tag_sets:
            # Term queries: a term set query costs twice as much here.
            tagged = [tantivy.Query.term_query(self.schema, "tags", v) for v in values]
            if len(tagged) > 1:
                tagged = [tantivy.Query.boolean_query([(tantivy.Occur.Should, q) for q in tagged])]
            if tagged:
                subs.append((tantivy.Occur.Must, tantivy.Query.const_score_query(tagged[0], 0.0)))
        return tantivy.Query.boolean_query(subs)

    def _hits(self, query: tantivy.Query, offset: int, limit: int) -> list[int]:
        hits = self.searcher.search(query, limit=limit, offset=offset, count=False).hits
        return self.searcher.fast_field_values("id", [a for _s, a in hits])

    def _allowed_hits(self, query: tantivy.Query, allowed: BitMap, count: int) -> list[int]:
        """The first ``count`` ranked hits that are in ``allowed``. The
        visibility gate is applied here rather than in tantivy: a query with
        one more required clause loses tantivy's top-k pruning and runs about
        three times slower, while only a few percent of items are hidden."""
        fetch = count + 10 + count // 4
        for _ in range(4):
            ids = self._hits(query, 0, fetch)
            kept = [i for i in ids if i in allowed]
            if len(kept) >= count or len(ids) < fetch:
                break
            fetch *= 4
        return kept[:count]

    def ranked(self, exact_query, full_query, matches, exact, offset, limit) -> list[int]:
        """Matches of the reader's own words by BM25 first, then those found
        only through synonyms or typo tolerance, so neither outranks what the
        reader typed.
        The bitmaps are the authority on what matches and who may see it;
        tantivy only orders (and may be a commit behind for a moment)."""
        want = offset + limit
        if full_query is None or len(exact) >= want:
            return self._allowed_hits(exact_query, exact, want)[offset:]
        first = self._allowed_hits(exact_query, exact, len(exact)) if exact else []
        seen = set(first)
        rest = [i for i in self._allowed_hits(full_query, matches, want) if i not in seen]
        return (first + rest)[offset:want]

    def term_ids(self, pk: int) -> list[int]:
        if pk in self.changed_terms:
            return self.changed_terms[pk]
        if pk >= len(self.term_start):
            return []
        return self.term_ids_flat[self.term_start[pk] : self.term_end[pk]].tolist()

    def _set_keys(self, pks, dates, title_ranks) -> None:
        """Sort keys as floats: the date in days, ties broken by title; and
        the year of each item for counting."""
        days = np.asarray(dates, dtype=np.int64) - EPOCH_ORDINAL
        years = days.astype("datetime64[D]").astype("datetime64[Y]").astype(np.int64) + 1970
        self.year[pks] = np.where(np.asarray(dates) > 0, years, 0)
        title = title_ranks.astype(np.float64)
        tie = title / (len(self.title_sorted) + 2.0)
        dates = dates.astype(np.float64)
        self.keys["title"][pks] = title
        self.keys["newest"][pks] = np.where(dates > 0, -dates, np.inf) + tie
        self.keys["oldest"][pks] = np.where(dates > 0, dates, np.inf) + tie

    def sorted_page(self, matches: BitMap, sort: str, offset: int, limit: int) -> list[int]:
        if not matches:
            return []
        want = offset + limit
        keys = self.keys[sort]
        if len(matches) * 4 > len(self.orders[sort]):
            # Most items match: walk the precomputed order until the page is
            # full (items changed since the build compete separately).
            found: list[int] = []
            order, dirty = self.orders[sort], self.dirty
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

    # -- the whole call --------------------------------------------------

    def visible(self, user) -> BitMap:
        if user is not None and user.is_authenticated:
            return self.published
        return self.published & self.public

    def related(self, pk: int, term_ids: list[int], user, limit: int) -> list[int]:
        """Ids of the items ``user`` may see that share the most of
        ``term_ids`` with item ``pk``, newest first among equals: counted
        over the terms' bitmaps (a GROUP BY over the join table takes
        seconds at 100k items)."""
        with self.lock:
            visible = self.visible(user)
            arrays = [
                np.frombuffer((self.facet_terms[t] & visible).to_array(), dtype=np.uint32)
                for t in term_ids
                if t in self.facet_terms
            ]
            if not arrays:
                return []
            # Counted by id (linear), then only the best few are sorted.
            counts = np.bincount(np.concatenate(arrays))
            if pk < len(counts):
                counts[pk] = 0
            ids = np.flatnonzero(counts)
            if not len(ids):
                return []
            if len(ids) > limit:
                kth = np.partition(counts[ids], len(ids) - limit)[len(ids) - limit]
                ids = ids[counts[ids] >= kth]
            shared = counts[ids]
            order = np.lexsort((ids, self.keys["newest"][ids], -shared))[:limit]
            return [int(i) for i in ids[order]]

    def facet_bitmap(self, facet: str, value: str) -> BitMap:
        if facet == "year":
            return self.years.get(int(value), BitMap())
        term = self.terms.get((facet, value))
        return self.facet_terms.get(term.id, BitMap()) if term else BitMap()

    def search(
        self,
        parsed: ParsedQuery | None,
        selected: dict[str, list[str]],
        user,
        sort: str,
        offset: int,
        limit: int,
    ) -> Outcome:
        """Callers refresh first (browse does, before validating facets)."""
        with self.lock:
            return self._search(parsed, selected, user, sort, offset, limit)

    def _search(self, parsed, selected, user, sort, offset, limit) -> Outcome:
        visible = self.visible(user)
        base = visible
        text = parsed is not None and not parsed.empty
        filters = {
            name: BitMap.union(*(self.facet_bitmap(name, v) for v in values))
            for name, values in selected.items()
        }

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
            own = own_words(parsed)
            exact_text = self.text_docs(own)
            if relevance:
                tag_sets = [self._tags(name, values) for name, values in selected.items()]
                exact_query = self.ranking_query(own, tag_sets)
            widened = self.widen(parsed) or own is not parsed
            base = visible & (self.text_docs(parsed) if widened else exact_text)
        matches = scope(base)
        counts = self.count_facets(matches, lambda skip: scope(base, skip), selected)
        if relevance:
            full_query = self.ranking_query(parsed, tag_sets) if widened else None
            exact = scope(visible & exact_text) if widened else matches
            ids = self.ranked(exact_query, full_query, matches, exact, offset, limit)
        else:
            ids = self.sorted_page(
                matches, "newest" if sort == "relevance" else sort, offset, limit
            )
        outcome = Outcome(len(matches), ids, counts)
        if text:
            outcome.tokens = self.tokens(parsed)
            if not matches:
                outcome.suggestion = self.suggest(parsed, visible)
        return outcome

    def _tags(self, name: str, values: list[str]) -> list[str]:
        if name == "year":
            return [f"y{int(v)}" for v in values]
        return [f"t{self.terms[(name, v)].id}" for v in values if (name, v) in self.terms]

    def count_facets(self, matches: BitMap, scope, selected) -> dict[str, dict[str, int]]:
        """Every facet value's count; a facet with a selection is counted
        over the matches of the *other* facets' selections only."""
        groups: list[tuple[BitMap, list[str]]] = [(matches, [])]
        for name in VOCABULARY_NAMES + ["year"]:
            if name in selected:
                groups.append((scope(name), [name]))
            else:
                groups[0][1].append(name)
        by_facet: dict[str, dict[str, int]] = defaultdict(dict)
        for docs, names in groups:
            if not names or not docs:
                continue
            if len(docs) <= SMALL_SCOPE:
                terms, years = self._counts_by_item(docs)
            else:
                terms, years = self._counts_by_value(docs, names)
            wanted = set(names)
            for tid, n in terms.items():
                term = self.terms_by_id.get(tid)
                if term is not None and term.vocabulary in wanted:
                    by_facet[term.vocabulary][term.slug] = n
            if "year" in wanted:
                by_facet["year"] = {str(y): n for y, n in years.items()}
        return by_facet

    def _counts_by_value(self, docs: BitMap, names: list[str]):
        """Large sets: one bitmap intersection count per facet value."""
        wanted = set(names)
        terms = {}
        for term in self.terms.values():
            if term.vocabulary in wanted:
                bm = self.facet_terms.get(term.id)
                if bm:
                    n = docs.intersection_cardinality(bm)
                    if n:
                        terms[term.id] = n
        years = {}
        if "year" in wanted:
            for year, bm in self.years.items():
                n = docs.intersection_cardinality(bm)
                if n:
                    years[year] = n
        return terms, years

    def _counts_by_item(self, docs: BitMap):
        """Small sets: gather each item's term ids and year and count them."""
        ids = np.frombuffer(docs.to_array(), dtype=np.uint32).astype(np.int64)
        known = ids[ids < len(self.term_start)]
        starts = self.term_start[known]
        lens = self.term_end[known] - starts
        total = int(lens.sum())
        flat = np.empty(0, dtype=np.int64)
        if total:
            offsets = np.repeat(starts - (np.cumsum(lens) - lens), lens)
            flat = self.term_ids_flat[offsets + np.arange(total)]
        per_term = np.bincount(flat) if total else np.zeros(0, dtype=np.int64)
        present = np.flatnonzero(per_term)
        counts = defaultdict(int, zip(present.tolist(), per_term[present].tolist(), strict=True))
        for pk in docs & self.dirty if self.dirty else ():
            # Changed since the build: its old terms out, its new terms in.
            if pk < len(self.term_start):
                for tid in self.term_ids_flat[self.term_start[pk] : self.term_end[pk]].tolist():
                    counts[tid] -= 1
            for tid in self.changed_terms.get(pk, ()):
                counts[tid] += 1
        terms = {int(t): int(n) for t, n in counts.items() if n > 0}
        year_of = self.year[ids[ids < len(self.year)]]
        per_year = np.bincount(year_of[year_of > 0].astype(np.int64))
        present = np.flatnonzero(per_year)
        years = dict(zip(present.tolist(), per_year[present].tolist(), strict=True))
        return terms, years

    def tokens(self, parsed: ParsedQuery) -> set[str]:
        out: set[str] = set()
        for clause in parsed.clauses:
            for alt in clause.alts:
                out.update(alt.phrase)
                for slot in alt.slots:
                    out |= slot
        return out

    def suggest(self, parsed: ParsedQuery, visible: BitMap) -> str:
        """The reader's words with each unknown one replaced by the most
        common word one or two edits away, if that finds something the reader
        may see."""
        changed = False
        words_out = []
        for clause in parsed.clauses:
            text = clause.text
            word = clause.fuzzy or (text.casefold() if text.isalpha() and len(text) >= 4 else "")
            if word and not (self.clause_docs(clause) & visible):
                best = self._closest(word)
                if best:
                    text, changed = best, True
            words_out.append(text)
        if not changed:
            return ""
        suggestion = " ".join(words_out)
        from shelf.search.query import parse_text

        candidate = parse_text(suggestion, self.synonyms)
        if candidate.empty or not (self.text_docs(candidate) & visible):
            return ""
        return suggestion

    def _closest(self, word: str) -> str:
        distance = 1 if len(word) < 5 else 2
        scored = []
        for length in range(len(word) - distance, len(word) + distance + 1):
            for cand, dist, _i in process.extract(
                word,
                self.buckets.get(length, []),
                scorer=OSA.distance,
                score_cutoff=distance,
                limit=50,
            ):
                if cand != word:
                    scored.append((dist, -self.vocab.get(cand, 0), cand))
        return min(scored)[2] if scored else ""


def _grown(array: np.ndarray, size: int) -> np.ndarray:
    return np.concatenate([array, np.zeros(size - len(array), dtype=array.dtype)])


def own_words(parsed: ParsedQuery) -> ParsedQuery:
    """The query without synonym and typo alternatives (itself if it has none)."""
    if all(a.weight >= 1.0 for c in parsed.clauses for a in c.alts):
        return parsed
    clauses = [
        Clause(c.text, [a for a in c.alts if a.weight >= 1.0], c.fuzzy) for c in parsed.clauses
    ]
    return ParsedQuery(clauses, parsed.excluded, parsed.notes)


_engines: dict[Path, Engine] = {}
_engines_lock = threading.Lock()


def get_engine() -> Engine:
    root = store.index_dir()
    engine = _engines.get(root)
    if engine is None:
        with _engines_lock:
            engine = _engines.get(root)
            if engine is None:
                engine = _engines[root] = Engine(root)
                # The index's dicts hold hundreds of thousands of objects that
                # live as long as the process: keep the cyclic garbage
                # collector from walking them again and again (pauses of tens
                # of milliseconds in the middle of requests otherwise).
                gc.collect()
                gc.freeze()
    return engine


def forget() -> None:
    """Drop every open engine (tests, and after a rebuild in this process)."""
    _engines.clear()
