"""Load test: N concurrent clients against the running server, as readers use it.

    # a catalogue on PostgreSQL, served as `make run` serves it:
    export DATABASE_URL=postgres://postgres@127.0.0.1:5432/shelf_load SHELF_DATA_DIR=/tmp/load
    .venv/bin/shelf migrate && .venv/bin/shelf demo --items 100000 --seed 1
    make run PORT=8010 &
    .venv/bin/python bench/load.py --url http://127.0.0.1:8010 --clients 50 --seconds 60 \
        --with-import

Each client is a thread with its own keep-alive connection that sends, for
--seconds, a seeded mix of what readers do: listing pages (a page of the
whole catalogue, or one to three facet filters, sorted), searches (one or two
words, some with a filter), detail pages, JSON API calls and file downloads.
It reads every response to the end. Slugs, terms and files are read from the
same database the server uses (same DATABASE_URL and SHELF_DATA_DIR); when the
catalogue has fewer than --files ready files, small PDFs are attached to
random items first.

--with-import runs `shelf import` beside the load, from 5 s in: it rewrites
the summary of --import-items random items (a CSV of key, title and
summary), so the server's search index takes in changes while it serves;
--import-loop repeats it back to back until the time is up.

Prints requests/s, errors (a status >= 400, or a failed connection) and
p50/p95/p99 in ms overall and per kind; --json FILE also writes them.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from http.client import HTTPConnection, HTTPException
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SHELF = str(Path(sys.executable).parent / "shelf")
# Weights of the request kinds in the mix.
MIX = {"listing": 30, "search": 30, "detail": 25, "api": 8, "file": 7}


def setup_django() -> None:
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "shelf.settings")
    import django

    django.setup()


def ensure_files(count: int, seed: int) -> None:
    """At least ``count`` ready files on public published items."""
    from django.db import transaction

    from shelf.catalogue.models import Resource, Status, Visibility
    from shelf.files import services, tasks
    from shelf.files.models import ResourceFile
    from shelf.files.tests import samples

    missing = count - ResourceFile.objects.ready().count()
    if missing <= 0:
        return
    rng = random.Random(seed)
    public = Resource.objects.filter(status=Status.PUBLISHED, visibility=Visibility.PUBLIC)
    ids = list(public.order_by("?").values_list("id", flat=True)[:missing])
    for n, pk in enumerate(ids):
        words = " ".join(rng.choice(["child", "safety", "guide", "school"]) for _ in range(60))
        data = samples.pdf([f"Load test file {n} {pk}", words])
        with transaction.atomic():
            item = services.attach_file(
                resource=Resource.objects.get(pk=pk), upload=samples.upload(f"f{n}.pdf", data)
            )
        tasks.read_file(item.pk)
    print(f"attached {len(ids)} files", file=sys.stderr)


def targets(files: int, seed: int) -> dict:
    """What the clients ask for, from the server's own database."""
    setup_django()
    from shelf.catalogue.models import Resource, Status, Term, Visibility
    from shelf.files.models import ResourceFile
    from shelf.ingest import demo

    ensure_files(files, seed)
    public = Resource.objects.filter(status=Status.PUBLISHED, visibility=Visibility.PUBLIC)
    slugs = list(public.order_by("?").values_list("slug", flat=True)[:5000])
    terms: dict[str, list[str]] = {}
    used = Term.objects.filter(resources__isnull=False).distinct()
    for vocabulary, slug in used.values_list("vocabulary", "slug"):
        terms.setdefault(vocabulary, []).append(slug)
    file_urls = [
        f.get_absolute_url()
        for f in ResourceFile.objects.ready()
        .filter(resource__in=public)
        .select_related("resource")[:500]
    ]
    words = [w for w in demo.DOMAIN["en"] if len(w) >= 4] + demo.DOMAIN["fr"] + demo.DOMAIN["es"]
    keys = list(public.order_by("?").values_list("key", "title")[:20000])
    return {"slugs": slugs, "terms": terms, "files": file_urls, "words": words, "keys": keys}


def request_for(kind: str, rng: random.Random, t: dict) -> str:
    facets = [v for v in ("topic", "audience", "setting", "type", "language") if t["terms"].get(v)]

    def filters(n: int) -> list[tuple[str, str]]:
        return [(v, rng.choice(t["terms"][v])) for v in rng.sample(facets, n)]

    if kind == "listing":
        params = filters(rng.choice([0, 1, 1, 2, 3]))
        params.append(("sort", rng.choice(["newest", "oldest", "title"])))
        # Further pages of the whole catalogue (a filtered one may have one page).
        if not params[:-1] and rng.random() < 0.5:
            params.append(("page", str(rng.randint(2, 20))))
        return "/resources/?" + urllib.parse.urlencode(params)
    if kind == "search":
        q = " ".join(rng.sample(t["words"], rng.choice([1, 1, 2])))
        params = [("q", q), *filters(rng.choice([0, 1, 2]))]
        return "/resources/?" + urllib.parse.urlencode(params)
    if kind == "detail":
        return f"/resources/{urllib.parse.quote(rng.choice(t['slugs']))}/"
    if kind == "api":
        if rng.random() < 0.5:
            return f"/api/v1/resources/{urllib.parse.quote(rng.choice(t['slugs']))}"
        q = rng.choice(t["words"])
        return "/api/v1/resources?" + urllib.parse.urlencode([("q", q), *filters(1)])
    return rng.choice(t["files"]) if t["files"] else "/resources/"


class Client(threading.Thread):
    def __init__(self, n: int, host: str, port: int, t: dict, seed: int, stop: threading.Event):
        super().__init__(daemon=True)
        self.rng = random.Random(seed * 1000 + n)
        self.host, self.port, self.t, self.stop = host, port, t, stop
        self.samples: list[tuple[str, float, int]] = []  # (kind, ms, status; 0 = failed)
        self.conn = None

    def get(self, path: str) -> int:
        if self.conn is None:
            self.conn = HTTPConnection(self.host, self.port, timeout=60)
        try:
            self.conn.request("GET", path, headers={"Accept-Encoding": "gzip"})
            response = self.conn.getresponse()
            response.read()
            if response.getheader("Connection", "").lower() == "close":
                self.conn.close()
                self.conn = None
            return response.status
        except (OSError, HTTPException):
            self.conn.close()
            self.conn = None
            return 0

    def run(self) -> None:
        kinds, weights = list(MIX), list(MIX.values())
        while not self.stop.is_set():
            kind = self.rng.choices(kinds, weights)[0]
            path = request_for(kind, self.rng, self.t)
            started = time.perf_counter()
            status = self.get(path)
            self.samples.append((kind, (time.perf_counter() - started) * 1000, status))


def run_imports(
    keys: list[tuple[str, str]], items: int, stop: threading.Event, log: list, loop: bool
) -> None:
    rng = random.Random(1)
    # Once the clients are under way.
    if stop.wait(5):
        return
    with tempfile.TemporaryDirectory() as tmp:
        round_ = 0
        while not stop.is_set() and (loop or round_ == 0):
            round_ += 1
            path = Path(tmp) / f"load-{round_}.csv"
            with path.open("w", newline="", encoding="utf-8") as f:
                writer = csv.writer(f)
                writer.writerow(["key", "title", "summary"])
                for key, title in rng.sample(keys, min(items, len(keys))):
                    writer.writerow([key, title, f"Updated during the load test, round {round_}."])
            started = time.perf_counter()
            done = subprocess.run([SHELF, "import", str(path)], capture_output=True, text=True)
            log.append(
                {
                    "round": round_,
                    "seconds": round(time.perf_counter() - started, 1),
                    "ok": done.returncode == 0,
                    "error": done.stderr[-500:] if done.returncode else "",
                }
            )


def tree_cpu_seconds(pid: int) -> float:
    """CPU time (user + system) of a process and all its descendants, from /proc."""
    tick = os.sysconf("SC_CLK_TCK")
    children: dict[int, list[int]] = {}
    stats: dict[int, list[str]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            stats[int(entry.name)] = fields
            children.setdefault(int(fields[1]), []).append(int(entry.name))
    total, todo = 0.0, [pid]
    while todo:
        p = todo.pop()
        if p in stats:
            total += (int(stats[p][11]) + int(stats[p][12])) / tick
        todo += children.get(p, [])
    return total


def percentile(sorted_ms: list[float], p: float) -> float:
    if not sorted_ms:
        return 0.0
    return sorted_ms[min(len(sorted_ms) - 1, round(p * (len(sorted_ms) - 1)))]


def summary(samples: list[tuple[str, float, int]], seconds: float) -> dict:
    def stats(rows) -> dict:
        ms = sorted(r[1] for r in rows)
        return {
            "requests": len(rows),
            "errors": sum(1 for r in rows if r[2] == 0 or r[2] >= 400),
            "rps": round(len(rows) / seconds, 1),
            "p50": round(statistics.median(ms), 1) if ms else 0.0,
            "p95": round(percentile(ms, 0.95), 1),
            "p99": round(percentile(ms, 0.99), 1),
        }

    out = {"all": stats(samples)}
    for kind in MIX:
        out[kind] = stats([s for s in samples if s[0] == kind])
    statuses: dict[str, int] = {}
    for s in samples:
        statuses[str(s[2])] = statuses.get(str(s[2]), 0) + 1
    out["statuses"] = statuses
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--url", default="http://127.0.0.1:8000", help="the running server")
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument(
        "--with-import", action="store_true", help="run one import meanwhile (from 5 s in)"
    )
    parser.add_argument(
        "--import-loop", action="store_true", help="with --with-import: imports back to back"
    )
    parser.add_argument("--import-items", type=int, default=1000, help="items per import")
    parser.add_argument("--files", type=int, default=50, help="ready files to download")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--json", type=Path, help="also write the results here")
    parser.add_argument(
        "--server-pid",
        type=int,
        help="gunicorn's master: also report the CPU time its workers spent per request",
    )
    args = parser.parse_args()

    url = urllib.parse.urlsplit(args.url)
    t = targets(args.files, args.seed)
    stop = threading.Event()
    imports: list[dict] = []
    clients = [
        Client(n, url.hostname, url.port or 80, t, args.seed, stop) for n in range(args.clients)
    ]
    importer = None
    if args.with_import:
        importer = threading.Thread(
            target=run_imports,
            args=(t["keys"], args.import_items, stop, imports, args.import_loop),
            daemon=True,
        )
        importer.start()
    server_cpu = tree_cpu_seconds(args.server_pid) if args.server_pid else 0.0
    own_cpu = time.process_time()
    started = time.perf_counter()
    for client in clients:
        client.start()
    time.sleep(args.seconds)
    stop.set()
    for client in clients:
        client.join()
    elapsed = time.perf_counter() - started
    own_cpu = time.process_time() - own_cpu
    if args.server_pid:
        server_cpu = tree_cpu_seconds(args.server_pid) - server_cpu
    if importer:
        importer.join()

    result = {
        "url": args.url,
        "clients": args.clients,
        "seconds": round(elapsed, 1),
        "with_import": args.with_import,
        "imports": imports,
        **summary([s for c in clients for s in c.samples], elapsed),
    }
    served = max(1, result["all"]["requests"])
    result["load_generator_cpu_ms_per_request"] = round(own_cpu * 1000 / served, 1)
    if args.server_pid:
        # Imports run outside gunicorn; the worker's share is the web's cost.
        result["server_cpu_ms_per_request"] = round(server_cpu * 1000 / served, 1)
    line = "{:8} {:>9} {:>7} {:>7} {:>8} {:>8} {:>8}"
    print(line.format("kind", "requests", "errors", "req/s", "p50 ms", "p95 ms", "p99 ms"))
    for kind in ["all", *MIX]:
        r = result[kind]
        print(line.format(kind, r["requests"], r["errors"], r["rps"], r["p50"], r["p95"], r["p99"]))
    print("statuses:", result["statuses"])
    print("load generator CPU per request:", result["load_generator_cpu_ms_per_request"], "ms")
    if args.server_pid:
        print("server CPU per request:", result["server_cpu_ms_per_request"], "ms")
    if imports:
        ok = sum(1 for i in imports if i["ok"])
        times = ", ".join(f"{i['seconds']} s" for i in imports)
        print(f"imports: {ok} of {len(imports)} succeeded ({times})")
        for failed in (i for i in imports if not i["ok"]):
            print("import failed:", failed["error"], file=sys.stderr)
    if args.json:
        args.json.write_text(json.dumps(result, indent=2) + "\n")


if __name__ == "__main__":
    main()
