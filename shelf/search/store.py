"""The on-disk index of one node: a directory of generations, each built
whole from the database by :func:`build`, and a ``current`` file naming
the one in use. A generation holds:

- ``tantivy/``: title, summary (with term labels) and body tokens with
  positions (BM25 ranking, phrases) and a ``tags`` field (terms, year) so
  the ranked top of a filtered search comes straight from tantivy;
- ``postings.bin`` + ``postings.idx``: per index token, the roaring bitmap
  of the resources that contain it anywhere (exact match sets for counting
  facets), read lazily through mmap so a worker's memory stays small;
- ``facets.pkl``: per term and per year the bitmap of its resources, per
  kind of reader the bitmap of what they may see, and every resource;
- ``sort.npz``: per resource its date and title rank for date and title
  order, the edition it supersedes and its term ids;
- ``titles.bin`` + ``titles.npy``: the folded titles in title order, so an
  item saved later takes its place by its whole title;
- ``vocab.pkl``: the folded surface words with their document frequency,
  for typo tolerance and "did you mean";
- ``manifest.json``: the change-feed position the build started from
  (:mod:`shelf.search.feed`), so workers replay only what came after.
"""

from __future__ import annotations

import fcntl
import gc
import json
import multiprocessing
import os
import pickle
import re
import shutil
import time
from array import array
from collections import Counter, defaultdict, deque
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager
from pathlib import Path

import numpy as np
import tantivy
from django.conf import settings
from pyroaring import BitMap

from shelf.catalogue.models import Resource
from shelf.lib.analysis import ANALYSERS, analyser_for, fold, words
from shelf.search import documents, feed

# Term labels and aliases (publishers among them) go with the summary: one
# field fewer to score, and they say what the item is about just as well.
TEXT_FIELDS = ("title", "summary", "body")
BOOSTS = {"title": 3.0, "summary": 1.5, "body": 1.0}
# Between the summary and the term labels, so no phrase spans the two.
GAP = "|"
MIN_VOCAB_WORD = 4
# Bumped when a generation's files change: a worker finding an older
# format rebuilds instead of misreading it.
FORMAT = 3
MAX_TOKEN = 60
_TITLE_WORD = re.compile(r"\w+")


def index_dir() -> Path:
    return Path(getattr(settings, "SEARCH_INDEX_DIR", None) or settings.DATA_DIR / "search")


def current_generation(root: Path | None = None) -> Path | None:
    root = root or index_dir()
    try:
        name = (root / "current").read_text().strip()
    except FileNotFoundError:
        return None
    path = root / name
    try:
        manifest = json.loads((path / "manifest.json").read_text())
    except (FileNotFoundError, ValueError):
        return None
    # An older format is as good as none: the caller builds a new one.
    return path if manifest.get("format") == FORMAT else None


@contextmanager
def locked(path: Path, wait: bool = True):
    """An exclusive lock on ``path`` across processes. With ``wait=False``
    it yields whether it got the lock instead of waiting for it."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "a+") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX if wait else fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            yield False
            return
        try:
            yield True
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def schema() -> tantivy.Schema:
    builder = tantivy.SchemaBuilder()
    builder.add_unsigned_field("id", indexed=True, fast=True)
    for name in TEXT_FIELDS:
        builder.add_text_field(name, tokenizer_name="ws", index_option="position")
    builder.add_text_field("tags", tokenizer_name="ws", index_option="basic")
    return builder.build()


def open_tantivy(path: Path) -> tantivy.Index:
    path.mkdir(parents=True, exist_ok=True)
    index = tantivy.Index(schema(), path=str(path), reuse=True)
    index.register_tokenizer(
        "ws", tantivy.TextAnalyzerBuilder(tantivy.Tokenizer.whitespace()).build()
    )
    return index


def analyse(doc: documents.Doc) -> tuple[dict[str, list[str]], set[str]]:
    """Index tokens per field and the folded surface words of one resource."""
    analyser = analyser_for(doc.language)
    title, summary, labels, body = (
        words(doc.title),
        words(doc.summary),
        words(doc.terms_text),
        words(doc.body),
    )
    surface = set(title)
    surface.update(summary, labels, body)
    fields = {
        "title": analyser.stem_words(title),
        # Term labels are English whatever the item's language.
        "summary": analyser.stem_words(summary) + [GAP] + ANALYSERS["en"].stem_words(labels),
        "body": analyser.stem_words(body),
    }
    return fields, surface


def analyse_chunk(docs: list[documents.Doc]):
    """For the build's worker processes: per resource the text of each
    tantivy field; for the chunk, each token's resources and each surface
    word's document frequency."""
    joined = []
    postings: dict[str, list[int]] = defaultdict(list)
    vocab: Counter = Counter()
    for doc in docs:
        fields, surface = analyse(doc)
        joined.append({name: " ".join(tokens) for name, tokens in fields.items()})
        for token in set().union(*fields.values()):
            postings[token].append(doc.pk)
        vocab.update(surface)
    return joined, dict(postings), vocab


def tags(doc: documents.Doc) -> list[str]:
    """Facet values as tantivy terms, so ranking can require them."""
    out = [f"t{tid}" for tid in doc.term_ids]
    if doc.date_ord:
        out.append(f"y{documents.year_of(doc.date_ord)}")
    return out


def tantivy_doc(doc: documents.Doc, fields: dict[str, list[str] | str]) -> tantivy.Document:
    tdoc = tantivy.Document()
    tdoc.add_unsigned("id", doc.pk)
    for name, tokens in fields.items():
        tdoc.add_text(name, tokens if isinstance(tokens, str) else " ".join(tokens))
    tdoc.add_text("tags", " ".join(tags(doc)))
    return tdoc


def title_key(title: str) -> str:
    """What titles are sorted by: the whole title's words, folded (case,
    accents and punctuation aside, as library filing rules have it)."""
    return " ".join(_TITLE_WORD.findall(fold(title)))


def build(root: Path | None = None, progress=None, workers: int | None = None) -> Path:
    """Build a new generation from the database and make it current
    (``workers``: analysing processes, by default one per core up to 4)."""
    root = root or index_dir()
    root.mkdir(parents=True, exist_ok=True)
    started = time.monotonic()
    name = time.strftime("gen-%Y%m%d-%H%M%S-") + f"{os.getpid()}-{time.monotonic_ns() % 10**6}"
    gen = root / name
    gen.mkdir()
    # Read the feed position first: a change that lands during the build
    # is replayed by the workers afterwards (applying twice is harmless).
    position = feed.position()
    if workers is None:
        workers = _workers() if Resource.objects.count() > 5000 else 1
    # Fork the analysers before tantivy starts its writer threads.
    pool = (
        ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("fork"))
        if workers > 1
        else None
    )
    index = open_tantivy(gen / "tantivy")
    writer = index.writer(heap_size=200_000_000, num_threads=1)
    postings: dict[str, BitMap] = {}
    facet_terms: dict[int, BitMap] = defaultdict(BitMap)
    years: dict[int, BitMap] = defaultdict(BitMap)
    visible: dict[bool, BitMap] = defaultdict(BitMap)
    every = BitMap()
    vocab: Counter = Counter()
    # Compact arrays, not lists of int objects: a million items have about
    # twelve million item-term links.
    pks, dates, replaces, langs = array("I"), array("l"), array("l"), array("B")
    tkeys: list[str] = []
    doc_terms, doc_term_counts = array("l"), array("l")
    terms = documents.term_table()
    count = 0
    gc_was = gc.isenabled()
    gc.disable()  # millions of small objects, none of them cyclic
    try:
        for chunk, (joined, pending, chunk_vocab) in _analysed(documents.iter_all(terms), pool):
            for doc, fields in zip(chunk, joined, strict=True):
                writer.add_document(tantivy_doc(doc, fields))
                pk = doc.pk
                for tid in doc.term_ids:
                    facet_terms[tid].add(pk)
                doc_terms.extend(doc.term_ids)
                doc_term_counts.append(len(doc.term_ids))
                if doc.date_ord:
                    years[documents.year_of(doc.date_ord)].add(pk)
                for reader in doc.readers:
                    visible[reader].add(pk)
                pks.append(pk)
                dates.append(doc.date_ord)
                replaces.append(doc.supersedes)
                langs.append(documents.language_code(doc.language))
                tkeys.append(title_key(doc.title))
            every.update(pks[-len(chunk) :])
            vocab.update(chunk_vocab)
            for token, ids in pending.items():
                if token in postings:
                    postings[token].update(ids)
                else:
                    postings[token] = BitMap(ids)
            count += len(chunk)
            if progress:
                progress(count)
        writer.commit()
        writer.wait_merging_threads()
    finally:
        if pool is not None:
            pool.shutdown(cancel_futures=True)
        if gc_was:
            gc.enable()
    _write_postings(gen, postings)
    del postings
    with open(gen / "facets.pkl", "wb") as handle:
        pickle.dump(
            {
                "terms": {tid: bm.serialize() for tid, bm in facet_terms.items()},
                "years": {y: bm.serialize() for y, bm in years.items()},
                "visible": {reader: bm.serialize() for reader, bm in visible.items()},
                "all": every.serialize(),
            },
            handle,
            protocol=pickle.HIGHEST_PROTOCOL,
        )
    _write_sort(gen, pks, dates, tkeys, doc_terms, doc_term_counts, replaces, langs)
    vocab = {w: n for w, n in vocab.items() if len(w) >= MIN_VOCAB_WORD and not w.isdigit()}
    with open(gen / "vocab.pkl", "wb") as handle:
        pickle.dump(vocab, handle, protocol=pickle.HIGHEST_PROTOCOL)
    (gen / "tantivy.applied").write_text(json.dumps(position.as_json()))
    seconds = time.monotonic() - started
    manifest = {
        "format": FORMAT,
        "feed": position.as_json(),
        "documents": count,
        "seconds": round(seconds, 2),
        "built": time.time(),
    }
    (gen / "manifest.json").write_text(json.dumps(manifest))
    tmp = root / "current.tmp"
    tmp.write_text(name)
    tmp.replace(root / "current")
    _remove_old(root, keep=name)
    return gen


def _workers() -> int:
    configured = getattr(settings, "SEARCH_BUILD_WORKERS", None)
    return int(configured) if configured is not None else min(4, os.cpu_count() or 1)


def _analysed(chunks, pool):
    """(chunk, analysis) pairs in order, a few chunks in flight at once so
    memory stays bounded however large the catalogue."""
    if pool is None:
        for chunk in chunks:
            yield chunk, analyse_chunk(chunk)
        return
    in_flight: deque = deque()
    for chunk in chunks:
        in_flight.append((chunk, pool.submit(analyse_chunk, chunk)))
        if len(in_flight) > 4:
            done, future = in_flight.popleft()
            yield done, future.result()
    while in_flight:
        done, future = in_flight.popleft()
        yield done, future.result()


def _write_postings(gen: Path, postings: dict[str, BitMap]) -> None:
    offsets = {}
    with open(gen / "postings.bin", "wb") as handle:
        pos = 0
        for token in sorted(postings):
            bm = postings[token]
            bm.run_optimize()
            data = bm.serialize()
            handle.write(data)
            offsets[token] = (pos, len(data))
            pos += len(data)
    with open(gen / "postings.idx", "wb") as handle:
        pickle.dump(offsets, handle, protocol=pickle.HIGHEST_PROTOCOL)


def _write_sort(gen: Path, pks, dates, tkeys, doc_terms, doc_term_counts, replaces, langs):
    pks = np.asarray(pks, dtype=np.int64)
    order = sorted(range(len(tkeys)), key=tkeys.__getitem__)  # stable: pk order on ties
    ranks = np.empty(len(order), dtype=np.float64)
    ranks[np.asarray(order, dtype=np.int64)] = np.arange(len(order), dtype=np.float64)
    # The folded titles in title order, for placing items saved later.
    encoded = [tkeys[i].encode() for i in order]
    offsets = np.zeros(len(encoded) + 1, dtype=np.int64)
    offsets[1:] = np.cumsum([len(b) for b in encoded]) if encoded else []
    (gen / "titles.bin").write_bytes(b"".join(encoded))
    np.save(gen / "titles.npy", offsets)
    np.savez(
        gen / "sort.npz",
        pk=pks,
        date=np.asarray(dates, dtype=np.int32),
        title_rank=ranks,
        # The older edition each resource replaces (0: none).
        supersedes=np.asarray(replaces, dtype=np.int64),
        # Each resource's language code (documents.language_code).
        lang=np.asarray(langs, dtype=np.uint8),
        # Each resource's term ids (pk order), so a page needs no join for them.
        term_ids=np.asarray(doc_terms, dtype=np.int32),
        term_counts=np.asarray(doc_term_counts, dtype=np.int32),
    )


def _remove_old(root: Path, keep: str) -> None:
    """Older generations go once a newer one is current; a worker still
    reading one keeps its open files (and mmaps) until it switches."""
    for path in root.glob("gen-*"):
        if path.name != keep and path.is_dir():
            age = time.time() - path.stat().st_mtime
            if age > 60:
                shutil.rmtree(path, ignore_errors=True)


def size_bytes(gen: Path) -> int:
    return sum(p.stat().st_size for p in gen.rglob("*") if p.is_file())
