"""A replica: this process's copy of the node's index, kept current.

It opens the node's current generation as a snapshot, then, before a query
(at most every ``SEARCH_REFRESH_INTERVAL`` seconds, 0.25 by default), reads
what the change feed (:mod:`shelf.search.feed`) has after its position,
re-reads the changed resources from the database and swaps in a new
snapshot with them. One worker per node (whichever takes tantivy's writer
lock) also writes them to the node's tantivy index, and every worker reloads
its tantivy searcher when that index advances.

Every ``SEARCH_DRIFT_INTERVAL`` seconds (180 by default) a replica also
checks its snapshot against the database (:mod:`shelf.search.drift`) and
re-reads whatever differs: a safety net under the feed, which by design
misses nothing.
"""

from __future__ import annotations

import gc
import json
import logging
import threading
import time
from pathlib import Path

import tantivy
from django.conf import settings
from django.db import connections

from shelf.search import documents, drift, feed, store
from shelf.search.snapshot import Snapshot
from shelf.search.terms import TermSet

log = logging.getLogger(__name__)


class Replica:
    def __init__(self, root: Path):
        self.root = root
        self.lock = threading.RLock()
        self.checked = 0.0
        self.drift_checked = time.monotonic()
        self.drift_running = False
        # Changed resources with their analysed fields, for the tantivy write.
        self._pending_docs: dict[int, tuple[documents.Doc, dict]] = {}
        # The position of the last change this replica applied that the
        # node's tantivy index may not have yet.
        self.tantivy_owed: feed.Position | None = None
        self.compaction: threading.Thread | None = None
        self.compaction_tried = -float("inf")
        self._open(self._ensure_generation())
        if self._pruned_past_base():
            self._open(self._rebuild())

    # -- opening ---------------------------------------------------------

    def _ensure_generation(self) -> Path:
        gen = store.current_generation(self.root)
        if gen is None:
            # First use on a fresh node: build from the database, once, while
            # other workers wait on the lock and then open what was built.
            with store.locked(self.root / "build.lock"):
                gen = store.current_generation(self.root) or store.build(self.root)
        return gen

    def _open(self, gen: Path) -> None:
        self.tindex = store.open_tantivy(gen / "tantivy")
        self.tantivy_seen = self._tantivy_applied(gen)
        self.snapshot = Snapshot.open(gen, self.tindex, TermSet.load())

    def _rebuild(self) -> Path:
        with store.locked(self.root / "build.lock"):
            return store.build(self.root)

    def _pruned_past_base(self) -> bool:
        """Rows this index has not applied were deleted (the feed was pruned
        past an old index): only a rebuild can catch up."""
        first = feed.first_id()
        return first is not None and first > self.snapshot.position.last + 1

    @staticmethod
    def _tantivy_applied(gen: Path) -> feed.Position:
        try:
            return feed.Position.from_json(json.loads((gen / "tantivy.applied").read_text()))
        except (FileNotFoundError, ValueError):
            return feed.Position()

    # -- staying current -------------------------------------------------

    def refresh(self, force: bool = False) -> Snapshot:
        """The current snapshot, after applying what the feed has."""
        interval = getattr(settings, "SEARCH_REFRESH_INTERVAL", 0.25)
        now = time.monotonic()
        if not force and now - self.checked < interval:
            return self.snapshot
        with self.lock:
            self.checked = now
            gen = store.current_generation(self.root)
            if gen is None or gen != self.snapshot.gen:
                self._open(gen or self._ensure_generation())
                gc.freeze()
            changes = feed.read(self.snapshot.position)
            if changes:
                self._apply(changes)
            elif changes.position.as_json() != self.snapshot.position.as_json():
                self.snapshot = self.snapshot.at(changes.position)  # only the horizon moved
            self._sync_tantivy()
        if now - self.drift_checked > getattr(settings, "SEARCH_DRIFT_INTERVAL", 180):
            self._check_drift_in_background()
        if len(self.snapshot.dirty) > getattr(settings, "SEARCH_COMPACT_AFTER", 5000):
            self._compact_in_background()
        return self.snapshot

    def _apply(self, changes: feed.Changes) -> None:
        ids = changes.resource_ids
        if len(ids) > getattr(settings, "SEARCH_REBUILD_AFTER", 20000):
            # A bulk import: rebuilding once per node beats every worker
            # re-analysing the same items.
            self._open(self._rebuild())
            return
        self.snapshot = self._changed(ids, changes.position, changes.global_change)

    def _changed(self, ids, position, reload_terms: bool) -> Snapshot:
        snap = self.snapshot
        term_set = TermSet.load() if reload_terms else snap.term_set
        docs = documents.load(ids, term_set.table)
        if not term_set.knows_all(t for d in docs for t in d.term_ids):
            # A term created with the items (an import): its labels are
            # indexed text and its slug a facet value from now on.
            term_set = TermSet.load()
            docs = documents.load(ids, term_set.table)
        if term_set is not snap.term_set:
            snap = snap.with_terms(term_set)
        # Analysed once, for the snapshot and for tantivy.
        analysed = {d.pk: store.analyse(d) for d in docs}
        self._pending_docs.update((d.pk, (d, analysed[d.pk][0])) for d in docs)
        self.tantivy_owed = position
        return snap.changed(docs, ids, position, analysed)

    def _sync_tantivy(self) -> None:
        """Bring the node's tantivy index up to this snapshot (if this
        worker gets the writer lock), then read its latest commit."""
        snap = self.snapshot
        applied = self._tantivy_applied(snap.gen)
        if self.tantivy_owed is not None and _covers(applied, self.tantivy_owed):
            self.tantivy_owed = None  # another worker wrote it
        if self.tantivy_owed is not None:
            try:
                writer = self.tindex.writer(heap_size=15_000_000, num_threads=1)
            except ValueError:
                writer = None  # another worker on this node is writing
            if writer is not None:
                try:
                    applied = self._tantivy_applied(snap.gen)
                    changes = feed.read(applied)
                    ids = changes.resource_ids
                    pending = self._pending_docs
                    missing = [i for i in ids if i not in pending]
                    docs = [pending[i] for i in ids if i in pending]
                    loaded = documents.load(missing, snap.term_set.table)
                    docs += [(d, store.analyse(d)[0]) for d in loaded]
                    if ids:
                        # By query: delete_documents_by_term makes an i64 term
                        # of a Python int, which never matches the u64 "id".
                        writer.delete_documents_by_query(
                            tantivy.Query.term_set_query(snap.schema, "id", ids)
                        )
                    for doc, fields in docs:  # deleted resources are not loaded
                        writer.add_document(store.tantivy_doc(doc, fields))
                    if ids:
                        writer.commit()
                        writer.wait_merging_threads()
                    applied = changes.position
                    self.tantivy_owed = None
                    path = snap.gen / "tantivy.applied"
                    tmp = path.with_suffix(".tmp")
                    tmp.write_text(json.dumps(applied.as_json()))
                    tmp.replace(path)
                finally:
                    del writer
        self._pending_docs = {}
        if applied.as_json() != self.tantivy_seen.as_json():
            self.tindex.reload()
            self.snapshot = self.snapshot.with_searcher(self.tindex.searcher())
            self.tantivy_seen = applied

    # -- compaction ------------------------------------------------------

    def _compact_in_background(self) -> None:
        """Build a new generation when many items changed since this one
        was built, so that a worker starting later (a restart, a deploy)
        replays the changes since that build, not every change since the
        last ``shelf reindex``: its start-up stays short however many edits
        a day brings. Queries read the current snapshot meanwhile, and every
        worker of the node switches to the new generation on its next
        refresh. One build per node at a time; a failed or skipped attempt
        is retried a minute later at the earliest."""
        with self.lock:
            now = time.monotonic()
            if self.compaction is not None or now - self.compaction_tried < 60:
                return
            self.compaction_tried = now

            def run():
                try:
                    self._compact()
                finally:
                    connections.close_all()  # this thread's own connections

            self.compaction = threading.Thread(target=run, name="search-compaction", daemon=True)
            self.compaction.start()

    def _compact(self) -> None:
        gen = self.snapshot.gen
        try:
            with store.locked(self.root / "build.lock", wait=False) as got:
                # Another worker of the node may have built one just now.
                if got and store.current_generation(self.root) == gen:
                    # One analysing process: forking a threaded web worker
                    # is not safe, and the build must not take every core.
                    store.build(self.root, workers=1)
        except Exception:
            log.exception("search index compaction failed")
        finally:
            self.compaction = None

    # -- the drift check -------------------------------------------------

    def _check_drift_in_background(self) -> None:
        with self.lock:
            if self.drift_running:
                return
            self.drift_running = True
            self.drift_checked = time.monotonic()

        def run():
            try:
                self.check_drift()
            except Exception:
                log.exception("search drift check failed")
            finally:
                self.drift_running = False
                connections.close_all()

        threading.Thread(target=run, name="search-drift", daemon=True).start()

    def check_drift(self) -> drift.Repair:
        """Compare the snapshot with the database and re-read what differs."""
        snap = self.snapshot
        repair = drift.compare(snap)
        if not repair:
            return repair
        log.warning("search index drifted from the database: %s", repair)
        with self.lock:
            if repair.rebuild:
                self._open(self._rebuild())
                return repair
            ids = sorted(repair.resource_ids)
            if len(ids) > getattr(settings, "SEARCH_REBUILD_AFTER", 20000):
                self._open(self._rebuild())
                return repair
            current = self.snapshot
            self.snapshot = self._changed(ids, current.position, repair.terms)
        return repair


def _covers(applied: feed.Position, position: feed.Position) -> bool:
    """Whether an index at ``applied`` has every change one at ``position``
    has. The horizon may stay put while rows of transactions above it
    commit (an old transaction elsewhere holds it back), so the rows read
    above it count too."""
    if applied.last < position.last or applied.horizon < position.horizon:
        return False
    return all(i in applied.seen for i, t in position.seen.items() if t >= applied.horizon)


_replicas: dict[Path, Replica] = {}
_replicas_lock = threading.Lock()


def get_replica() -> Replica:
    root = store.index_dir()
    replica = _replicas.get(root)
    if replica is None:
        with _replicas_lock:
            replica = _replicas.get(root)
            if replica is None:
                replica = _replicas[root] = Replica(root)
                # The index's dicts hold hundreds of thousands of objects that
                # live as long as the process: keep the cyclic garbage
                # collector from walking them again and again (pauses of tens
                # of milliseconds in the middle of requests otherwise).
                gc.collect()
                gc.freeze()
    return replica


def current() -> Snapshot:
    """The current snapshot of this process's replica."""
    return get_replica().refresh()


def forget() -> None:
    """Drop every open replica (tests, and after a rebuild in this process)."""
    _replicas.clear()
