"""A snapshot: one index generation plus the changes applied since, frozen.

Queries read a snapshot and nothing else, so a query never sees half an
update and needs no lock. The replica (:mod:`shelf.search.replica`) makes a
new snapshot from the old one when changes arrive (:meth:`Snapshot.changed`)
and swaps it in; the old one stays valid for the queries still reading it.
Making one copies only what the changes touch: the bitmaps of the terms,
years and words the changed items had or have now, and the sort keys.

What a snapshot holds, per generation (see :mod:`shelf.search.store`):
token bitmaps (read lazily through mmap), a bitmap per term and per year,
per kind of reader the bitmap of what they may see, sort keys, each item's
term ids, the vocabulary for typo tolerance, and tantivy's searcher.
"""

from __future__ import annotations

import bisect
import datetime
import json
import mmap
import pickle
from collections import defaultdict
from pathlib import Path

import numpy as np
from pyroaring import BitMap

from shelf.catalogue.models import READERS, is_member
from shelf.search import documents, store
from shelf.search.feed import Position
from shelf.search.terms import TermSet

SORT_KEYS = ("newest", "oldest", "title")
EPOCH_ORDINAL = datetime.date(1970, 1, 1).toordinal()
CACHE_SIZE = 2048
EMPTY = BitMap()


class Vocabulary:
    """Folded surface words with their document frequency: the build's,
    shared by every snapshot of a generation, and those added since."""

    def __init__(self, counts: dict[str, int], added: dict[str, int] | None = None, base=None):
        self.counts = counts
        self.added = added or {}
        if base is None:
            buckets: dict[int, list[str]] = defaultdict(list)
            for word in counts:
                buckets[len(word)].append(word)
            base = (dict(buckets), sorted(counts))
        self.base = base
        self.added_sorted = sorted(w for w in self.added if w not in counts)

    def count(self, word: str) -> int:
        return self.counts.get(word, 0) + self.added.get(word, 0)

    def of_length(self, length: int) -> list[str]:
        found = self.base[0].get(length, [])
        extra = [w for w in self.added_sorted if len(w) == length]
        return found + extra if extra else found

    def starting(self, prefix: str, limit: int = 200) -> list[str]:
        out = []
        for words in (self.base[1], self.added_sorted):
            start = bisect.bisect_left(words, prefix)
            for word in words[start : start + limit]:
                if not word.startswith(prefix):
                    break
                out.append(word)
        return out

    def with_words(self, words) -> Vocabulary:
        added = dict(self.added)
        for word in words:
            added[word] = added.get(word, 0) + 1
        return Vocabulary(self.counts, added, self.base)


class Titles:
    """The build's folded titles in title order, read through mmap, so an
    item saved since the build finds its place among them by its whole
    title."""

    def __init__(self, gen: Path):
        self.offsets = np.load(gen / "titles.npy")
        with open(gen / "titles.bin", "rb") as handle:
            size = handle.seek(0, 2)
            self.data = mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ) if size else b""

    def __len__(self) -> int:
        return len(self.offsets) - 1

    def __getitem__(self, rank: int) -> str:
        return self.data[self.offsets[rank] : self.offsets[rank + 1]].decode()

    def place(self, key: str) -> int:
        """How many of the build's titles sort before ``key``."""
        lo, hi = 0, len(self)
        while lo < hi:
            mid = (lo + hi) // 2
            if self[mid] < key:
                lo = mid + 1
            else:
                hi = mid
        return lo


class Snapshot:
    # Set by open() and changed(); never modified afterwards (the cache
    # only remembers what the rest already determines).
    gen: Path
    position: Position
    searcher: object
    schema: object
    term_set: TermSet

    @classmethod
    def open(cls, gen: Path, tindex, term_set: TermSet) -> Snapshot:
        snap = cls()
        manifest = json.loads((gen / "manifest.json").read_text())
        snap.gen = gen
        snap.position = Position.from_json(manifest["feed"])
        snap.schema = tindex.schema
        snap.searcher = tindex.searcher()
        snap.term_set = term_set
        with open(gen / "postings.idx", "rb") as handle:
            snap.offsets = pickle.load(handle)  # noqa: S301 (our own files)
        with open(gen / "postings.bin", "rb") as handle:
            size = handle.seek(0, 2)
            snap.mm = mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ) if size else b""
        with open(gen / "facets.pkl", "rb") as handle:
            facets = pickle.load(handle)  # noqa: S301 (our own files)
        snap.terms = {t: BitMap.deserialize(b) for t, b in facets["terms"].items()}
        snap.years = {y: BitMap.deserialize(b) for y, b in facets["years"].items()}
        visible = facets["visible"]
        snap.visible = {
            r: BitMap.deserialize(visible[r]) if r in visible else BitMap() for r in READERS
        }
        snap.every = BitMap.deserialize(facets["all"])
        sort = np.load(gen / "sort.npz")
        pks = sort["pk"]
        size = int(pks.max()) + 1 if len(pks) else 1
        snap.titles = Titles(gen)
        counts = sort["term_counts"].astype(np.int64)
        snap.term_start = np.zeros(size + 1, dtype=np.int64)
        snap.term_end = np.zeros(size + 1, dtype=np.int64)
        ends = np.cumsum(counts)
        snap.term_start[pks], snap.term_end[pks] = ends - counts, ends
        snap.term_ids_flat = sort["term_ids"]
        snap.replaces = np.zeros(size, dtype=np.int64)
        snap.replaces[pks] = sort["supersedes"]
        snap.lang = np.zeros(size, dtype=np.uint8)
        snap.lang[pks] = sort["lang"]
        snap.superseded = snap._superseded()
        snap.keys = {name: np.zeros(size, dtype=np.float64) for name in SORT_KEYS}
        snap.year = np.zeros(size, dtype=np.int16)
        snap._set_keys(pks, sort["date"], sort["title_rank"])
        # Every resource in each order, for pages of large match sets.
        snap.orders = {name: pks[np.lexsort((pks, keys[pks]))] for name, keys in snap.keys.items()}
        with open(gen / "vocab.pkl", "rb") as handle:
            snap.vocab = Vocabulary(pickle.load(handle))  # noqa: S301 (our own files)
        snap.overlay = {}
        snap.doc_tokens = {}
        snap.changed_terms = {}
        snap.changed_titles = {}
        snap.changed_dates = {}
        snap.dirty = BitMap()
        snap.cache = {}
        return snap

    def _copy(self) -> Snapshot:
        snap = Snapshot()
        snap.__dict__.update(self.__dict__)
        snap.cache = {}
        return snap

    def at(self, position: Position) -> Snapshot:
        """The same content, known current up to a later feed position (the
        cache stays: nothing it remembers changed)."""
        snap = Snapshot()
        snap.__dict__.update(self.__dict__)
        snap.position = position
        return snap

    def with_searcher(self, searcher) -> Snapshot:
        """The same bitmaps with tantivy's newer commit for ranking."""
        snap = self._copy()
        snap.searcher = searcher
        return snap

    def with_terms(self, term_set: TermSet) -> Snapshot:
        snap = self._copy()
        snap.term_set = term_set
        return snap

    def changed(
        self, docs: list[documents.Doc], ids: list[int], position: Position, analysed=None
    ) -> Snapshot:
        """A new snapshot in which the resources ``ids`` are as ``docs`` say
        (an id without a doc was deleted or can no longer be indexed).
        ``analysed``: the docs' ``store.analyse`` results by pk, if the
        caller has them (the replica also writes them to tantivy)."""
        analysed = analysed or {}
        snap = self._copy()
        snap.position = position
        changed = BitMap(ids)
        snap.dirty = self.dirty | changed
        terms, years, overlay = dict(self.terms), dict(self.years), dict(self.overlay)
        doc_tokens, changed_terms = dict(self.doc_tokens), dict(self.changed_terms)
        touched: set = set()

        def writable(table: dict, key, seen_key) -> BitMap:
            # Copy a bitmap the first time this change touches it.
            if seen_key not in touched:
                touched.add(seen_key)
                table[key] = BitMap(table[key]) if key in table else BitMap()
            return table[key]

        # Out with what the changed items had.
        for pk in ids:
            for tid in self.term_ids(pk):
                if tid in terms:
                    writable(terms, tid, ("t", tid)).discard(pk)
            if pk < len(self.year) and self.year[pk]:
                year = int(self.year[pk])
                if year in years:
                    writable(years, year, ("y", year)).discard(pk)
            for token in doc_tokens.pop(pk, ()):
                writable(overlay, token, ("w", token)).discard(pk)
        visible = {r: BitMap(bm) - changed for r, bm in self.visible.items()}
        every = self.every - changed
        # In with what they have now.
        snap.keys = {name: keys.copy() for name, keys in self.keys.items()}
        snap.year = self.year.copy()
        snap.lang = self.lang.copy()
        editions = any(self.replaces[pk] for pk in ids if pk < len(self.replaces))
        editions = editions or any(d.supersedes for d in docs)
        snap.replaces = self.replaces.copy() if editions else self.replaces
        top = max((d.pk for d in docs), default=-1)
        if top >= len(snap.keys["title"]):
            grow = top + 1024
            snap.keys = {name: _grown(keys, grow) for name, keys in snap.keys.items()}
            snap.year = _grown(snap.year, grow)
            snap.lang = _grown(snap.lang, grow)
            snap.replaces = _grown(snap.replaces, grow)
        if editions:
            for pk in ids:
                if pk < len(snap.replaces):
                    snap.replaces[pk] = 0
            for doc in docs:
                snap.replaces[doc.pk] = doc.supersedes
        titles = {pk: t for pk, t in self.changed_titles.items() if pk not in changed}
        dates = {pk: d for pk, d in self.changed_dates.items() if pk not in changed}
        new_words = []
        for doc in docs:
            fields, surface = analysed.get(doc.pk) or store.analyse(doc)
            tokens = frozenset(t for tokens in fields.values() for t in tokens)
            doc_tokens[doc.pk] = tokens
            for token in tokens:
                writable(overlay, token, ("w", token)).add(doc.pk)
            for tid in doc.term_ids:
                writable(terms, tid, ("t", tid)).add(doc.pk)
            changed_terms[doc.pk] = doc.term_ids
            if doc.date_ord:
                year = documents.year_of(doc.date_ord)
                writable(years, year, ("y", year)).add(doc.pk)
            for reader in doc.readers:
                visible[reader].add(doc.pk)
            every.add(doc.pk)
            titles[doc.pk] = store.title_key(doc.title)
            snap.lang[doc.pk] = documents.language_code(doc.language)
            dates[doc.pk] = doc.date_ord
            new_words += [w for w in surface if len(w) >= store.MIN_VOCAB_WORD and not w.isdigit()]
        for pk in ids:
            if pk not in titles:
                changed_terms[pk] = []
        snap.terms, snap.years, snap.overlay = terms, years, overlay
        snap.doc_tokens, snap.changed_terms = doc_tokens, changed_terms
        snap.visible, snap.every = visible, every
        snap.changed_titles, snap.changed_dates = titles, dates
        if editions or len(snap.replaces) != len(self.replaces):
            snap.superseded = snap._superseded()
        snap._place_changed_titles()
        snap.vocab = self.vocab.with_words(new_words) if new_words else self.vocab
        return snap

    def _superseded(self) -> dict[bool, BitMap]:
        """Per kind of reader, the items replaced by a newer edition they
        may see."""
        out = {}
        for reader, visible in self.visible.items():
            ids = np.frombuffer(visible.to_array(), dtype=np.uint32).astype(np.int64)
            ids = ids[ids < len(self.replaces)]
            older = self.replaces[ids]
            out[reader] = BitMap(older[older > 0].astype(np.uint32).tolist())
        return out

    def _place_changed_titles(self) -> None:
        """Title ranks for the items changed since the build: between the
        build's titles where their whole title belongs, and in title order
        among themselves where several land in the same gap."""
        by_gap: dict[int, list[tuple[str, int]]] = defaultdict(list)
        for pk, key in self.changed_titles.items():
            by_gap[self.titles.place(key)].append((key, pk))
        pks, ranks = [], []
        for gap, items in by_gap.items():
            items.sort()
            for j, (_key, pk) in enumerate(items):
                pks.append(pk)
                ranks.append(gap - 1 + (j + 1) / (len(items) + 1))
        if pks:
            dates = [self.changed_dates[pk] for pk in pks]
            self._set_keys(np.array(pks), np.array(dates), np.array(ranks))

    def _set_keys(self, pks, dates, title_ranks) -> None:
        """Sort keys as floats: the date in days, ties broken by title; and
        the year of each item for counting."""
        days = np.asarray(dates, dtype=np.int64) - EPOCH_ORDINAL
        years = days.astype("datetime64[D]").astype("datetime64[Y]").astype(np.int64) + 1970
        self.year[pks] = np.where(np.asarray(dates) > 0, years, 0)
        title = np.asarray(title_ranks, dtype=np.float64)
        tie = (title + 1) / (len(self.titles) + 2.0)
        dates = np.asarray(dates, dtype=np.float64)
        self.keys["title"][pks] = title
        self.keys["newest"][pks] = np.where(dates > 0, -dates, np.inf) + tie
        self.keys["oldest"][pks] = np.where(dates > 0, dates, np.inf) + tie

    # -- reading ---------------------------------------------------------

    def visible_to(self, user) -> BitMap:
        return self.visible[is_member(user)]

    def superseded_for(self, user) -> BitMap:
        return self.superseded[is_member(user)]

    def term_ids(self, pk: int) -> list[int]:
        if pk in self.changed_terms:
            return self.changed_terms[pk]
        if pk >= len(self.term_start):
            return []
        return self.term_ids_flat[self.term_start[pk] : self.term_end[pk]].tolist()

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
        self.remember(key, bm)
        return bm

    def remember(self, key, value) -> None:
        """Keep ``value`` for ``key``, forgetting the oldest entries beyond
        CACHE_SIZE (not all at once: a phrase check or a near-word search
        costs a millisecond or more, and the common words come back in
        nearly every query)."""
        cache = self.cache
        cache[key] = value
        while len(cache) > CACHE_SIZE:
            try:
                del cache[next(iter(cache))]
            except (KeyError, RuntimeError, StopIteration):
                break  # another thread evicted it first


def _grown(array: np.ndarray, size: int) -> np.ndarray:
    return np.concatenate([array, np.zeros(size - len(array), dtype=array.dtype)])
