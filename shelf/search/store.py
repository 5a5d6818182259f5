"""The on-disk index of one node: a directory of generations, each built
whole from the database by :func:`build`, and a ``current`` file naming
the one in use. A generation holds:

- ``tantivy/``: title, summary, terms and body tokens with positions (BM25
  ranking, phrases) and a ``tags`` field (terms, year, visibility) so the
  ranked top of a filtered search comes straight from tantivy;
- ``postings.bin`` + ``postings.idx``: per index token, the roaring bitmap
  of the resources that contain it anywhere (exact match sets for counting
  facets), read lazily through mmap so a worker's memory stays small;
- ``facets.pkl``: per term and per year the bitmap of its resources, and the
  published and public bitmaps the visibility gate uses;
- ``sort.npz``: per resource its date and title rank for date and title order;
- ``vocab.pkl``: the folded surface words with their document frequency,
  for typo tolerance and "did you mean";
- ``manifest.json``: the change-feed id the build saw, so workers replay
  only what came after.
"""

from __future__ import annotations

import fcntl
import gc
import json
import os
import pickle
import shutil
import time
from collections import Counter, defaultdict
from contextlib import contextmanager
from pathlib import Path

import numpy as np
import tantivy
from django.conf import settings
from django.db.models import Max
from pyroaring import BitMap

from shelf.lib.analysis import ANALYSERS, analyser_for, words
from shelf.search import documents
from shelf.search.models import SearchChange

TEXT_FIELDS = ("title", "summary", "terms", "body")
BOOSTS = {"title": 3.0, "summary": 1.6, "terms": 1.4, "body": 1.0}
MIN_VOCAB_WORD = 4
MAX_TOKEN = 60


def index_dir() -> Path:
    return Path(getattr(settings, "SEARCH_INDEX_DIR", None) or settings.DATA_DIR / "search")


def current_generation(root: Path | None = None) -> Path | None:
    root = root or index_dir()
    try:
        name = (root / "current").read_text().strip()
    except FileNotFoundError:
        return None
    path = root / name
    return path if (path / "manifest.json").exists() else None


@contextmanager
def locked(path: Path):
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "a+") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
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


def analyse(doc: documents.Doc) -> tuple[dict[str, list[str]], list[str]]:
    """Index tokens per field and the folded surface words of one resource."""
    analyser = analyser_for(doc.language)
    fields = {}
    surface: list[str] = []
    for name, text in (
        ("title", doc.title),
        ("summary", doc.summary),
        ("terms", doc.terms_text),
        ("body", doc.body),
    ):
        folded = words(text)
        surface += folded
        # Term labels are English whatever the item's language.
        stems = (ANALYSERS["en"] if name == "terms" else analyser).stem_words(folded)
        fields[name] = stems
    return fields, surface


def tags(doc: documents.Doc) -> list[str]:
    out = [f"t{tid}" for tid in doc.term_ids]
    if doc.date_ord:
        out.append(f"y{_year(doc.date_ord)}")
    if doc.published:
        out.append("p1")
    if doc.public:
        out.append("v1")
    return out


def _year(date_ord: int) -> int:
    import datetime

    return datetime.date.fromordinal(date_ord).year


def tantivy_doc(doc: documents.Doc, fields: dict[str, list[str]]) -> tantivy.Document:
    tdoc = tantivy.Document()
    tdoc.add_unsigned("id", doc.pk)
    for name, tokens in fields.items():
        tdoc.add_text(name, " ".join(tokens))
    tdoc.add_text("tags", " ".join(tags(doc)))
    return tdoc


def feed_position() -> int:
    return SearchChange.objects.aggregate(m=Max("id"))["m"] or 0


def title_key(title: str) -> int:
    """The first 8 bytes of the folded title as one sortable integer."""
    return int.from_bytes(title.casefold().strip().encode()[:8].ljust(8, b"\0"), "big")


def build(root: Path | None = None, progress=None) -> Path:
    """Build a new generation from the database and make it current."""
    root = root or index_dir()
    root.mkdir(parents=True, exist_ok=True)
    started = time.monotonic()
    name = time.strftime("gen-%Y%m%d-%H%M%S-") + f"{os.getpid()}-{time.monotonic_ns() % 10**6}"
    gen = root / name
    gen.mkdir()
    # Read the feed position first: a change that lands during the build
    # is replayed by the workers afterwards (applying twice is harmless).
    feed = feed_position()
    index = open_tantivy(gen / "tantivy")
    writer = index.writer(heap_size=200_000_000, num_threads=1)
    postings: dict[str, BitMap] = {}
    facet_terms: dict[int, BitMap] = defaultdict(BitMap)
    years: dict[int, BitMap] = defaultdict(BitMap)
    published, public, every = BitMap(), BitMap(), BitMap()
    vocab: Counter = Counter()
    pks, dates, tkeys = [], [], []
    terms = documents.term_table()
    count = 0
    gc_was = gc.isenabled()
    gc.disable()  # millions of small objects, none of them cyclic
    try:
        for chunk in documents.iter_all(terms):
            pending: dict[str, list[int]] = defaultdict(list)
            for doc in chunk:
                fields, surface = analyse(doc)
                writer.add_document(tantivy_doc(doc, fields))
                for token in {t for tokens in fields.values() for t in tokens}:
                    pending[token].append(doc.pk)
                vocab.update(set(surface))
                for tid in doc.term_ids:
                    facet_terms[tid].add(doc.pk)
                if doc.date_ord:
                    years[_year(doc.date_ord)].add(doc.pk)
                every.add(doc.pk)
                if doc.published:
                    published.add(doc.pk)
                if doc.public:
                    public.add(doc.pk)
                pks.append(doc.pk)
                dates.append(doc.date_ord)
                tkeys.append(title_key(doc.title))
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
        if gc_was:
            gc.enable()
    _write_postings(gen, postings)
    del postings
    with open(gen / "facets.pkl", "wb") as handle:
        pickle.dump(
            {
                "terms": {tid: bm.serialize() for tid, bm in facet_terms.items()},
                "years": {y: bm.serialize() for y, bm in years.items()},
                "published": published.serialize(),
                "public": public.serialize(),
                "all": every.serialize(),
            },
            handle,
            protocol=pickle.HIGHEST_PROTOCOL,
        )
    _write_sort(gen, pks, dates, tkeys)
    vocab = {w: n for w, n in vocab.items() if len(w) >= MIN_VOCAB_WORD and not w.isdigit()}
    with open(gen / "vocab.pkl", "wb") as handle:
        pickle.dump(vocab, handle, protocol=pickle.HIGHEST_PROTOCOL)
    (gen / "tantivy.applied").write_text(str(feed))
    seconds = time.monotonic() - started
    manifest = {
        "feed": feed,
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


def _write_sort(gen: Path, pks, dates, tkeys) -> None:
    pks = np.asarray(pks, dtype=np.int64)
    keys = np.asarray(tkeys, dtype=np.uint64)
    order = np.argsort(keys, kind="stable")
    np.savez(
        gen / "sort.npz",
        pk=pks,
        date=np.asarray(dates, dtype=np.int32),
        title_rank=np.argsort(order).astype(np.float64),
        title_sorted=keys[order],
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
