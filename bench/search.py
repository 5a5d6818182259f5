"""Search benchmark: Shelf's engine against a naive SQLite FTS5 + GROUP BY design.

    .venv/bin/python bench/search.py --items 10000 100000 [1000000]

For each size: the ``shelf demo`` corpus (seed 1) in its own data directory
(var/bench/search-N, made once and reused), the search index built with
``shelf reindex`` (timed: items/s and size), then seeded queries of five
kinds, each timed as the full ``browse()`` call (query + filters + every facet
count + first page, anonymous reader), p50/p95 in ms:

- browse: no query, no filter (counts only);
- text+2f: one or two words, two facet filters, ranked by relevance;
- filter+date: two facet filters, newest first;
- typo: one word with one edit, no filter;
- chinese: a 2-4 character Chinese string;
- question: a 6-12 word question in one of the five languages, as readers
  type them ("what should I do if a child ...", "¿cómo puedo ...");
- prefix: one or two words and the first 3-5 letters of another, as typed
  half-way ("trafficking law enf");
- words: two to four whole words, no filter, ranked by relevance (drawn
  from a second seeded stream, so the other kinds' queries stay as they were).

The same queries run against the baseline (built inside bench/ only: an FTS5
table beside the database, facet counts by GROUP BY, disjunctive counts by
one extra GROUP BY per selected facet), reported as ratios. Over HTTP,
gunicorn is started as ``make run`` deploys it (2 workers, --preload) and a
client on 127.0.0.1 requests the listing page and the API one at a time.
Results go to bench/results/search.md (and .json).

With ``--peer meilisearch`` (see bench/peer_meilisearch.py) Meilisearch is
installed from the npm registry when missing, loaded with the same items
and asked the same queries, interleaved one by one with Shelf's API (served
by gunicorn as ``make run`` starts it: gunicorn.conf.py), one client on
127.0.0.1. Totals and facet counts are compared on the queries without
text (browse, filter+date), where both must agree exactly.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import signal
import socket
import statistics
import subprocess
import sys
import time
import urllib.parse
from http.client import HTTPConnection
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
SHELF = str(Path(PYTHON).parent / "shelf")
KINDS = ["browse", "text+2f", "filter+date", "typo", "chinese", "question", "prefix", "words"]
TARGETS = {
    # items: (in-process p95 ms, listing p95 ms, api p95 ms)
    100_000: (5, 30, 15),
    1_000_000: (30, None, None),
}


# -- queries (the same for every engine) -----------------------------------

# Question shapes per language; the blanks take words of the demo's domain.
QUESTIONS = {
    "en": [
        "what should I do if a {0} tells me about {1}",
        "how do I check {0} before {1} and {2}",
        "where can I find {0} about {1} for {2}",
        "what are the {0} of {1} in a {2}",
        "how can our school improve {0} and {1} for {2}",
    ],
    "fr": [
        "que faire si un {0} parle de {1}",
        "comment signaler la {0} et la {1} à l'école",
        "quels sont les {0} de {1} chez les {2}",
    ],
    "es": [
        "¿cómo puedo mejorar la {0} de los {1} en la {2}?",
        "qué hacer si un {0} sufre {1} en casa",
        "¿dónde encuentro {0} sobre {1} para {2}?",
    ],
    "ar": [
        "كيف يمكن {0} {1} في المدرسة",
        "ماذا أفعل إذا تعرض {0} إلى {1}",
        "ما هي {0} {1} عند {2}",
    ],
    "zh-Hans": ["如何{0}{1}", "什么是{0}和{1}", "怎样预防{0}{1}"],
}


def make_queries(seed: int, per_kind: int) -> dict[str, list[dict]]:
    """Seeded query parameters for each kind, from the demo's own words and
    the terms the corpus uses."""
    from shelf.catalogue.models import Term
    from shelf.ingest import demo

    rng = random.Random(seed)
    used = Term.objects.filter(resources__isnull=False).distinct()
    by_vocab: dict[str, list[str]] = {}
    for vocabulary, slug in used.order_by("vocabulary", "slug").values_list("vocabulary", "slug"):
        by_vocab.setdefault(vocabulary, []).append(slug)
    facets = [v for v in ("audience", "topic", "type", "setting") if by_vocab.get(v)]
    english = [w for w in demo.DOMAIN["en"] if len(w) >= 4]
    latin = english * 3 + demo.DOMAIN["fr"] + demo.DOMAIN["es"]
    chinese = demo.DOMAIN["zh-Hans"]

    def filters() -> dict:
        a, b = rng.sample(facets, 2)
        return {a: [rng.choice(by_vocab[a])], b: [rng.choice(by_vocab[b])]}

    def typo(word: str) -> str:
        i = rng.randrange(1, len(word) - 1)
        edit = rng.choice(["delete", "swap", "replace"])
        if edit == "delete":
            return word[:i] + word[i + 1 :]
        if edit == "swap":
            return word[:i] + word[i + 1] + word[i] + word[i + 2 :]
        return word[:i] + rng.choice("aeiourstn") + word[i + 1 :]

    def question() -> str:
        language = rng.choice(["en", "en", "fr", "es", "ar", "zh-Hans"])
        domain = [w for w in demo.DOMAIN[language] if len(w) >= 2]
        picked = rng.sample(domain, 3)
        return rng.choice(QUESTIONS[language]).format(*picked)

    def prefix() -> str:
        whole = rng.sample(english, rng.choice([1, 2]))
        last = rng.choice([w for w in english if len(w) >= 6])
        return " ".join([*whole, last[: rng.randint(3, 5)]])

    def several() -> str:
        return " ".join(other.sample(latin, other.choice([2, 3, 4])))

    other = random.Random(seed + 1)
    out: dict[str, list[dict]] = {k: [] for k in KINDS}
    for _ in range(per_kind):
        out["browse"].append({})
        words = rng.sample(latin, rng.choice([1, 2]))
        out["text+2f"].append({"q": [" ".join(words)], **filters()})
        out["filter+date"].append({**filters(), "sort": ["newest"]})
        out["typo"].append({"q": [typo(rng.choice([w for w in english if len(w) >= 6]))]})
        zh = rng.choice(chinese)
        if len(zh) == 2 and rng.random() < 0.5:
            zh += rng.choice([w for w in chinese if len(w) == 2])
        out["chinese"].append({"q": [zh]})
        out["question"].append({"q": [question()]})
        out["prefix"].append({"q": [prefix()]})
        out["words"].append({"q": [several()]})
    return out


def percentiles(samples: list[float]) -> tuple[float, float]:
    samples = sorted(samples)
    p95 = samples[min(len(samples) - 1, round(0.95 * (len(samples) - 1)))]
    return statistics.median(samples), p95


def rss_mb(pid: int | str = "self") -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def setup_django() -> None:
    # Another checkout's code (--compare) comes first on the path.
    sys.path.insert(0, os.environ.get("SHELF_BENCH_CODE", str(ROOT)))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "shelf.settings")
    import django

    django.setup()


# -- in-process: Shelf ------------------------------------------------------


def run_shelf(args) -> dict:
    setup_django()
    from django.contrib.auth.models import AnonymousUser
    from django.http import QueryDict

    from shelf.search.browse import browse, parse

    queries = make_queries(args.seed, args.queries)
    user = AnonymousUser()

    def call(params: dict):
        qd = QueryDict(mutable=True)
        for key, values in params.items():
            qd.setlist(key, values)
        return browse(parse(qd), user)

    started = time.perf_counter()
    call({})
    open_ms = (time.perf_counter() - started) * 1000
    for kind in KINDS:  # warm up: first use of each code path
        for params in queries[kind][:5]:
            call(params)
    out = {"open_ms": open_ms, "kinds": {}, "cpu": {}, "zero": {}, "samples": {}}
    for kind in KINDS:
        times, cpu, zero = [], [], 0
        for params in queries[kind]:
            started, cpu_started = time.perf_counter(), time.process_time()
            results = call(params)
            times.append((time.perf_counter() - started) * 1000)
            cpu.append((time.process_time() - cpu_started) * 1000)
            zero += results.count == 0
        out["kinds"][kind] = percentiles(times)
        out["cpu"][kind] = percentiles(cpu)
        out["zero"][kind] = zero
        out["samples"][kind] = (times, cpu)
    out["rss_mb"] = rss_mb()
    return out


# -- in-process: the naive baseline -----------------------------------------


def baseline_path() -> Path:
    return Path(os.environ["SHELF_DATA_DIR"]) / "baseline-fts5.sqlite3"


def build_baseline() -> dict:
    """An FTS5 table of title, summary and body beside the database."""
    import sqlite3

    path = baseline_path()
    done = path.with_suffix(".json")
    if done.exists():
        return json.loads(done.read_text())
    path.unlink(missing_ok=True)
    main = sqlite3.connect(Path(os.environ["SHELF_DATA_DIR"]) / "shelf.sqlite3")
    fts = sqlite3.connect(path)
    fts.execute(
        "CREATE VIRTUAL TABLE fts USING fts5(title, summary, body, "
        "tokenize='unicode61 remove_diacritics 2')"
    )
    started = time.perf_counter()
    count = 0
    rows = main.execute("SELECT id, title, summary, body FROM catalogue_resource ORDER BY id")
    while batch := rows.fetchmany(2000):
        fts.executemany("INSERT INTO fts(rowid, title, summary, body) VALUES (?, ?, ?, ?)", batch)
        count += len(batch)
    fts.commit()
    seconds = time.perf_counter() - started
    main.execute("ANALYZE")  # give the planner statistics: a fair baseline
    info = {"seconds": seconds, "items": count, "mb": path.stat().st_size / 1e6}
    done.write_text(json.dumps(info))
    return info


class Naive:
    """Text by FTS5, filters by EXISTS, counts by GROUP BY: what a first
    version of search in SQL looks like."""

    def __init__(self):
        import sqlite3

        self.db = sqlite3.connect(Path(os.environ["SHELF_DATA_DIR"]) / "shelf.sqlite3")
        self.db.execute("ATTACH DATABASE ? AS f", (str(baseline_path()),))
        self.terms = {
            (v, s): i
            for i, v, s in self.db.execute("SELECT id, vocabulary, slug FROM catalogue_term")
        }

    def conditions(self, params: dict, skip: str | None = None) -> tuple[str, list]:
        sql = ["r.status = 'published'", "r.visibility = 'public'"]
        args: list = []
        if params.get("q"):
            sql.append("r.id IN (SELECT rowid FROM f.fts WHERE fts MATCH ?)")
            args.append(self.match(params["q"][0]))
        for facet, values in params.items():
            if facet in ("q", "sort", "page") or facet == skip:
                continue
            ids = [self.terms[(facet, v)] for v in values if (facet, v) in self.terms] or [0]
            sql.append(
                "EXISTS (SELECT 1 FROM catalogue_resource_terms t WHERE t.resource_id = r.id "
                f"AND t.term_id IN ({','.join('?' * len(ids))}))"
            )
            args += ids
        return " AND ".join(sql), args

    @staticmethod
    def match(q: str) -> str:
        words = re.findall(r"\w+", q)
        return " ".join('"' + w.replace('"', "") + '"' for w in words) or '""'

    def browse(self, params: dict) -> int:
        where, args = self.conditions(params)
        count = self.db.execute(f"SELECT count(*) FROM catalogue_resource r WHERE {where}", args)
        count = count.fetchone()[0]
        selected = [f for f in params if f not in ("q", "sort", "page")]
        for skip in [None, *selected]:
            w, a = self.conditions(params, skip) if skip else (where, args)
            self.db.execute(
                "SELECT t.term_id, count(*) FROM catalogue_resource_terms t "
                f"JOIN catalogue_resource r ON r.id = t.resource_id WHERE {w} GROUP BY t.term_id",
                a,
            ).fetchall()
        self.db.execute(
            "SELECT strftime('%Y', r.date), count(*) FROM catalogue_resource r "
            f"WHERE {where} GROUP BY 1",
            args,
        ).fetchall()
        if params.get("q") and params.get("sort", ["relevance"])[0] == "relevance":
            page = self.db.execute(
                "SELECT r.id FROM f.fts JOIN catalogue_resource r ON r.id = fts.rowid "
                f"WHERE fts MATCH ? AND {where} ORDER BY bm25(fts, 3.0, 1.5, 1.0) LIMIT 20",
                [self.match(params["q"][0]), *args],
            ).fetchall()
        else:
            page = self.db.execute(
                f"SELECT r.id FROM catalogue_resource r WHERE {where} "
                "ORDER BY r.date DESC, r.title, r.id LIMIT 20",
                args,
            ).fetchall()
        ids = [i for (i,) in page] or [0]
        self.db.execute(
            "SELECT id, title, summary FROM catalogue_resource "
            f"WHERE id IN ({','.join('?' * len(ids))})",
            ids,
        ).fetchall()
        return count


def run_baseline(args) -> dict:
    setup_django()
    build = build_baseline()
    queries = make_queries(args.seed, args.queries)
    naive = Naive()
    for kind in KINDS:
        for params in queries[kind][:3]:
            naive.browse(params)
    out = {"build": build, "kinds": {}, "cpu": {}, "zero": {}}
    for kind in KINDS:
        times, cpu, zero = [], [], 0
        for params in queries[kind]:
            started, cpu_started = time.perf_counter(), time.process_time()
            zero += naive.browse(params) == 0
            times.append((time.perf_counter() - started) * 1000)
            cpu.append((time.process_time() - cpu_started) * 1000)
        out["kinds"][kind] = percentiles(times)
        out["cpu"][kind] = percentiles(cpu)
        out["zero"][kind] = zero
    return out


# -- over HTTP --------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def get(port: int, path: str) -> tuple[int, float]:
    started = time.perf_counter()
    conn = HTTPConnection("127.0.0.1", port, timeout=30)
    conn.request("GET", path, headers={"Accept-Encoding": "gzip"})
    response = conn.getresponse()
    response.read()
    conn.close()
    return response.status, (time.perf_counter() - started) * 1000


def run_http(args, env) -> dict:
    port = free_port()
    server = subprocess.Popen(
        [str(Path(PYTHON).parent / "gunicorn"), "-c", "gunicorn.conf.py", "shelf.wsgi"],
        cwd=ROOT,
        env={**env, "HOST": "127.0.0.1", "PORT": str(port)},
        stdout=subprocess.DEVNULL,
        # Not a pipe nobody reads: a full one blocks the workers' logging.
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        for _ in range(600):
            try:
                get(port, "/api/v1/resources")
                break
            except OSError:
                time.sleep(0.5)
        code = (
            "import json,sys,os;sys.path.insert(0,'bench');import search;search.setup_django();"
            f"print(json.dumps(search.make_queries({args.seed}, {args.requests})))"
        )
        queries = json.loads(
            subprocess.run(
                [PYTHON, "-c", code], cwd=ROOT, env=env, check=True, capture_output=True, text=True
            ).stdout
        )
        mixed = [p for i in range(args.requests) for p in [queries[KINDS[i % len(KINDS)]][i]]]
        out = {}
        for name, prefix in (("listing", "/resources/"), ("api", "/api/v1/resources")):
            paths = [
                prefix + "?" + urllib.parse.urlencode([(k, v) for k, vs in p.items() for v in vs])
                for p in mixed
            ]
            for path in paths[:10]:
                get(port, path)
            times, statuses = [], {}
            for path in paths:
                status, ms = get(port, path)
                times.append(ms)
                statuses[status] = statuses.get(status, 0) + 1
            out[name] = {"p": percentiles(times), "statuses": statuses}
        children = subprocess.run(
            ["pgrep", "-P", str(server.pid)], capture_output=True, text=True
        ).stdout.split()
        out["worker_rss_mb"] = [round(rss_mb(pid)) for pid in children]
        return out
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)


# -- side by side with a peer ----------------------------------------------


def start_shelf(env) -> tuple[subprocess.Popen, int]:
    """gunicorn with gunicorn.conf.py, as ``make run`` starts it."""
    port = free_port()
    server = subprocess.Popen(
        [str(Path(PYTHON).parent / "gunicorn"), "-c", "gunicorn.conf.py", "shelf.wsgi"],
        cwd=ROOT,
        env={**env, "HOST": "127.0.0.1", "PORT": str(port)},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    for _ in range(600):
        try:
            get(port, "/api/v1/resources")
            return server, port
        except OSError:
            time.sleep(0.5)
    raise SystemExit("Shelf did not start")


def api_answer(conn: HTTPConnection, params: dict) -> tuple[float, int, dict]:
    path = "/api/v1/resources?" + urllib.parse.urlencode(
        [(k, v) for k, vs in params.items() for v in vs]
    )
    started = time.perf_counter()
    conn.request("GET", path)
    response = conn.getresponse()
    body = response.read()
    ms = (time.perf_counter() - started) * 1000
    if response.status != 200:
        raise RuntimeError(f"Shelf {path}: {response.status}")
    data = json.loads(body)
    counts = {
        name: {v["value"]: v["count"] for v in values} for name, values in data["facets"].items()
    }
    return ms, data["count"], counts


def compare(shelf: tuple[int, dict], peer: tuple[int, dict]) -> list[str]:
    """Where the two disagree on a total or a facet value's count (the
    values Shelf shows; Shelf may show fewer values than exist)."""
    problems = []
    if shelf[0] != peer[0]:
        problems.append(f"total {shelf[0]} != {peer[0]}")
    for name, values in shelf[1].items():
        theirs = peer[1].get(name, {})
        for value, count in values.items():
            if count and theirs.get(value, 0) != count:
                problems.append(f"{name}={value}: {count} != {theirs.get(value, 0)}")
    return problems


def run_peer(args, env) -> dict:
    import peer_meilisearch as peer

    setup_django()
    data_dir = Path(env["SHELF_DATA_DIR"])
    meili = peer.Server(data_dir)
    shelf, port = start_shelf(env)
    try:
        build = peer.load(meili)
        queries = make_queries(args.seed, args.queries)
        conn = HTTPConnection("127.0.0.1", port, timeout=60)
        out: dict = {"build": build, "kinds": {}, "mismatches": {}}
        for kind in KINDS:  # warm up both
            for params in queries[kind][:5]:
                api_answer(conn, params)
                peer.answer(meili, params, kind)
        for kind in KINDS:
            ours, theirs, mismatches = [], [], []
            for params in queries[kind]:
                ms, total, counts = api_answer(conn, params)
                ours.append(ms)
                started = time.perf_counter()
                answer = peer.answer(meili, params, kind)
                theirs.append((time.perf_counter() - started) * 1000)
                if kind in ("browse", "filter+date"):
                    mismatches += compare((total, counts), answer)
            out["kinds"][kind] = {"shelf": percentiles(ours), "peer": percentiles(theirs)}
            out["mismatches"][kind] = mismatches[:20]
            out["mismatch_count"] = out.get("mismatch_count", 0) + len(mismatches)
        out["peer_rss_mb"] = meili.rss_mb()
        out["peer_disk_mb"] = peer.disk_mb(meili.db)
        conn.close()
        return out
    finally:
        meili.stop()
        os.killpg(shelf.pid, signal.SIGTERM)
        shelf.wait(timeout=30)


def peer_report(n, r: dict) -> list[str]:
    p = r["peer"]
    b = p["build"]
    lines = [
        "",
        f"Side by side with Meilisearch {r.get('peer_version', '')} (interleaved, one client on "
        "127.0.0.1, both over HTTP; Shelf's API served by gunicorn.conf.py; "
        f"{r.get('peer_queries', '')} queries per kind):",
        "",
        f"Meilisearch index build: {b['items']:,} items in {b['seconds']:.1f} s = "
        f"{b['items'] / max(b['seconds'], 1e-9):,.0f} items/s; {p['peer_disk_mb']:,.0f} MB on "
        f"disk; {p['peer_rss_mb']:,.0f} MB RSS after the run.",
        "",
        "| kind | Shelf API p50 / p95 | Meilisearch p50 / p95 | ratio p50 / p95 (Meili / Shelf) |",
        "|---|---|---|---|",
    ]
    for kind, k in p["kinds"].items():
        s, m = k["shelf"], k["peer"]
        lines.append(f"| {kind} | {fmt(s)} | {fmt(m)} | {m[0] / s[0]:.2f}x / {m[1] / s[1]:.2f}x |")
    lines += [
        "",
        f"Totals and facet counts compared on browse and filter+date: "
        f"{p['mismatch_count']} disagreements"
        + (f" (first: {p['mismatches']})" if p["mismatch_count"] else "")
        + ".",
    ]
    return lines


# -- orchestration ----------------------------------------------------------


def prepare(n: int, env: dict, rebuild: bool) -> dict:
    data = Path(env["SHELF_DATA_DIR"])
    data.mkdir(parents=True, exist_ok=True)
    info: dict = {}
    if not (data / "demo.done").exists():
        subprocess.run([SHELF, "migrate", "-v0"], env=env, check=True)
        started = time.perf_counter()
        subprocess.run(
            [SHELF, "demo", "--items", str(n), "--seed", "1", "--replace"], env=env, check=True
        )
        info["demo_seconds"] = time.perf_counter() - started
        (data / "demo.done").touch()
    else:
        subprocess.run([SHELF, "migrate", "-v0"], env=env, check=True)
    # The pages served over HTTP need the static files' manifest, as `make run` makes it.
    subprocess.run([SHELF, "collectstatic", "--noinput", "-v0"], env=env, check=True)
    current = data / "search" / "current"
    if rebuild or not current.exists():
        out = subprocess.run(
            [SHELF, "reindex"], env=env, check=True, capture_output=True, text=True
        ).stdout
        print("   ", out.strip())
    gen = data / "search" / current.read_text().strip()
    manifest = json.loads((gen / "manifest.json").read_text())
    size = sum(p.stat().st_size for p in gen.rglob("*") if p.is_file())
    info["index"] = {
        "items": manifest["documents"],
        "seconds": manifest["seconds"],
        "rate": manifest["documents"] / manifest["seconds"] if manifest["seconds"] else 0,
        "mb": size / 1e6,
    }
    return info


def worker(mode: str, args, env, queries: int | None = None, cwd=None) -> dict:
    queries = queries or args.queries
    cmd = [PYTHON, __file__, f"--{mode}", "--queries", str(queries), "--seed", str(args.seed)]
    out = subprocess.run(cmd, env=env, check=True, capture_output=True, text=True, cwd=cwd)
    return json.loads(out.stdout.strip().splitlines()[-1])


# -- another checkout, measured interleaved with this one -------------------


def compare_env(env: dict, label: str, code: str) -> dict:
    """The environment of another checkout's runs: its code first on the
    path, its own index (built by its own code) beside this one's, the same
    database."""
    index = Path(env["SHELF_DATA_DIR"]) / f"search-{label}"
    return {**env, "SHELF_BENCH_CODE": code, "SEARCH_INDEX_DIR": str(index)}


def prepare_compare(env: dict, rebuild: bool) -> None:
    index = Path(env["SEARCH_INDEX_DIR"])
    if rebuild or not (index / "current").exists():
        code = (
            "import sys;sys.path.insert(0, sys.argv[1]);from shelf.cli import main;"
            "sys.argv = ['shelf', 'reindex'];main()"
        )
        out = subprocess.run(
            [PYTHON, "-c", code, env["SHELF_BENCH_CODE"]],
            env=env,
            cwd=env["SHELF_BENCH_CODE"],
            check=True,
            capture_output=True,
            text=True,
        ).stdout
        print("   ", out.strip())


def interleaved(args, runs: dict[str, tuple[dict, str | None]]) -> dict[str, dict]:
    """Each checkout's worker in turn, ``args.rounds`` times (the order
    reversed every other round), samples pooled per checkout: a busy spell
    of the machine falls on all of them alike."""
    pooled: dict[str, dict] = {}
    labels = list(runs)
    for round_ in range(args.rounds):
        for label in labels if round_ % 2 == 0 else labels[::-1]:
            env, cwd = runs[label]
            r = worker("shelf", args, env, cwd=cwd)
            into = pooled.setdefault(label, {**r, "samples": {k: ([], []) for k in KINDS}})
            for kind in KINDS:
                into["samples"][kind][0].extend(r["samples"][kind][0])
                into["samples"][kind][1].extend(r["samples"][kind][1])
            print(f"   round {round_ + 1} {label}", r["kinds"], flush=True)
    for r in pooled.values():
        r["kinds"] = {k: percentiles(r["samples"][k][0]) for k in KINDS}
        r["cpu"] = {k: percentiles(r["samples"][k][1]) for k in KINDS}
        del r["samples"]
    return pooled


def fmt(p) -> str:
    return f"{p[0]:.2f} / {p[1]:.2f}"


def compare_table(r: dict) -> list[str]:
    """Every checkout side by side, wall p50 / p95 (CPU p50 / p95)."""
    labels = [*r["compare"], "this"]
    by = {**r["compare"], "this": r["shelf"]}
    naive = "baseline" in r
    lines = [
        "",
        f"Interleaved with {', '.join(r['compare'])} ({r['shelf'].get('rounds', 1)} rounds, "
        "samples pooled), wall p50 / p95 (CPU p50 / p95) ms:",
        "",
        "| kind | " + " | ".join(labels) + (" | naive FTS5 + GROUP BY |" if naive else " |"),
        "|---" * (len(labels) + 1 + naive) + "|",
    ]
    for kind in KINDS:
        cells = [f"{fmt(by[x]['kinds'][kind])} ({fmt(by[x]['cpu'][kind])})" for x in labels]
        if naive:
            cells.append(f"{fmt(r['baseline']['kinds'][kind])} ({fmt(r['baseline']['cpu'][kind])})")
        lines.append(f"| {kind} | " + " | ".join(cells) + " |")
    zero = "; ".join(f"{x}: " + ", ".join(f"{k} {by[x]['zero'][k]}" for k in KINDS) for x in labels)
    lines += ["", f"Zero-result queries per kind (first round): {zero}."]
    return lines


def report(results: dict) -> str:
    lines = [
        "# Search benchmark",
        "",
        f"Run {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())} on {os.cpu_count()} cores "
        f"(load average at start {results['load']}), SQLite, anonymous reader, "
        f"{results['queries']} queries per kind ({results['baseline_queries']} for the baseline, "
        "the first of the same seeded list), p50 / p95 in ms (CPU time of the process in "
        f"brackets: the machine is shared). Command: `{results['command']}`.",
        "",
    ]
    for n, r in results["sizes"].items():
        lines += [f"## {int(n):,} items", ""]
        idx = r["prepare"]["index"]
        lines.append(
            f"Index build (`shelf reindex`): {idx['items']:,} items in {idx['seconds']:.1f} s = "
            f"**{idx['rate']:,.0f} items/s**, {idx['mb']:,.0f} MB on disk."
        )
        if "baseline" in r:
            b = r["baseline"]["build"]
            lines.append(
                f"Baseline FTS5 build: {b['seconds']:.1f} s = {b['items'] / b['seconds']:,.0f} "
                f"items/s, {b['mb']:,.0f} MB."
            )
        shelf = r["shelf"]
        lines += [
            f"In-process worker memory after the run: {shelf['rss_mb']:.0f} MB RSS; "
            f"first call (opening the index): {shelf['open_ms']:.0f} ms.",
            "",
            "| kind | Shelf p50 / p95 (CPU) | naive FTS5 + GROUP BY p50 / p95 (CPU) |"
            " p95 ratio naive / Shelf | zero-result queries Shelf / naive |",
            "|---|---|---|---|---|",
        ]
        for kind in KINDS:
            s, sc = shelf["kinds"][kind], shelf["cpu"][kind]
            if "baseline" in r:
                b, bc = r["baseline"]["kinds"][kind], r["baseline"]["cpu"][kind]
                ratio = f"{b[1] / s[1]:.1f}x"
                zb = r["baseline"]["zero"][kind]
                lines.append(
                    f"| {kind} | {fmt(s)} ({fmt(sc)}) | {fmt(b)} ({fmt(bc)}) | {ratio} "
                    f"| {shelf['zero'][kind]} / {zb} |"
                )
            else:
                lines.append(
                    f"| {kind} | {fmt(s)} ({fmt(sc)}) | not run | | {shelf['zero'][kind]} / |"
                )
        if r.get("compare"):
            lines += compare_table(r)
        if "http" in r:
            h = r["http"]
            lines += [
                "",
                "Over HTTP (gunicorn from gunicorn.conf.py, as `make run` starts it; one client "
                "on 127.0.0.1, requests cycling through the kinds):",
                "",
                "| endpoint | p50 / p95 ms | statuses |",
                "|---|---|---|",
                f"| listing /resources/ | {fmt(h['listing']['p'])} | {h['listing']['statuses']} |",
                f"| API /api/v1/resources | {fmt(h['api']['p'])} | {h['api']['statuses']} |",
                "",
                f"Worker RSS after the run: {h['worker_rss_mb']} MB.",
            ]
        if "peer" in r:
            lines += peer_report(n, r)
        target = TARGETS.get(int(n))
        if target:
            worst = max(shelf["kinds"][k][1] for k in KINDS)
            lines += [
                "",
                f"Target: in-process p95 <= {target[0]} ms for every kind: "
                f"worst {worst:.2f} ms ({'met' if worst <= target[0] else 'MISSED'}).",
            ]
        lines.append("")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--items", type=int, nargs="+", default=[10000, 100000])
    parser.add_argument("--queries", type=int, default=200, help="per kind (default 200)")
    parser.add_argument(
        "--baseline-queries", type=int, default=50, help="per kind for the (slow) baseline"
    )
    parser.add_argument("--requests", type=int, default=200, help="HTTP requests per endpoint")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--data-root", default=str(ROOT / "var" / "bench"))
    parser.add_argument("--rebuild", action="store_true", help="rebuild the index even if present")
    parser.add_argument("--no-baseline", action="store_true")
    parser.add_argument("--no-http", action="store_true")
    parser.add_argument(
        "--peer",
        choices=["meilisearch"],
        help="also run a peer engine side by side with Shelf's API (installed when missing)",
    )
    parser.add_argument("--peer-queries", type=int, default=200, help="per kind, with --peer")
    parser.add_argument("--out", default=str(ROOT / "bench" / "results" / "search"))
    parser.add_argument(
        "--compare",
        action="append",
        default=[],
        metavar="LABEL=PATH",
        help="also measure the checkout at PATH (e.g. a worktree of main), interleaved",
    )
    parser.add_argument("--rounds", type=int, default=1, help="worker runs per checkout")
    parser.add_argument("--shelf", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--baseline", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--peer-run", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.shelf:
        print(json.dumps(run_shelf(args)))
        return
    if args.baseline:
        print(json.dumps(run_baseline(args)))
        return
    if args.peer_run:
        print(json.dumps(run_peer(args, dict(os.environ))))
        return
    results = {
        "command": "bench/search.py " + " ".join(sys.argv[1:]),
        "load": os.getloadavg()[0],
        "queries": args.queries,
        "baseline_queries": args.baseline_queries,
        "sizes": {},
    }
    for n in args.items:
        env = {**os.environ, "SHELF_DATA_DIR": str(Path(args.data_root).resolve() / f"search-{n}")}
        env.pop("DATABASE_URL", None)
        print(f"{n:,} items", flush=True)
        r = results["sizes"][n] = {"prepare": prepare(n, env, args.rebuild)}
        runs = {"this": (env, None)}
        for label, code in (c.split("=", 1) for c in args.compare):
            runs[label] = (compare_env(env, label, code), code)
            prepare_compare(runs[label][0], args.rebuild)
        pooled = interleaved(args, runs)
        r["shelf"] = pooled.pop("this")
        r["shelf"]["rounds"] = args.rounds
        r["compare"] = pooled
        if not args.no_baseline and n <= 100_000:
            r["baseline"] = worker("baseline", args, env, args.baseline_queries)
            print("   naive", r["baseline"]["kinds"], flush=True)
        if not args.no_http:
            r["http"] = run_http(args, env)
            print("   http", r["http"], flush=True)
        if args.peer:
            r["peer"] = worker("peer-run", args, env, args.peer_queries)
            r["peer_version"] = "1.21.0"
            r["peer_queries"] = args.peer_queries
            print("   peer", r["peer"]["kinds"], flush=True)
        out = Path(args.out)
        out.parent.mkdir(parents=True, exist_ok=True)
        out.with_suffix(".json").write_text(json.dumps(results, indent=1))
        out.with_suffix(".md").write_text(report(results))
    print(report(results))


if __name__ == "__main__":
    main()
