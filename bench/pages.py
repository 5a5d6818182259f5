"""The listing page against the API for the same queries: in-process and over HTTP.

    export DATABASE_URL=postgres://postgres@127.0.0.1:5432/shelf_load SHELF_DATA_DIR=/tmp/load
    .venv/bin/shelf migrate && .venv/bin/shelf demo --items 100000 --seed 1
    .venv/bin/shelf reindex
    .venv/bin/python bench/pages.py --requests 300
    .venv/bin/python bench/pages.py --root /path/to/another/checkout --root .   # side by side
    .venv/bin/python bench/pages.py --profile 50                                # where a page goes

The queries are bench/search.py's seeded mix (browse, text + 2 filters,
filters sorted by date, typo, Chinese, question, prefix), read from the
catalogue in DATABASE_URL / SHELF_DATA_DIR. In-process, each request goes
through Django's whole stack (middleware, view, template) with the test
client; over HTTP, through gunicorn started as `make run` starts it
(gunicorn.conf.py), one client on one keep-alive connection, gzip asked for.
Page and API requests alternate, so load from elsewhere on the machine falls
on both alike. Each --root (a checkout of Shelf, its code imported first)
is measured in turn, round after round (--rounds), for old/new comparisons
in the same period. Prints p50/p95 in ms, the page's size and the
page/API ratio; --json FILE also writes them.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import subprocess
import sys
import time
import urllib.parse
from http.client import HTTPConnection
from pathlib import Path

HERE = Path(__file__).resolve().parent
PYTHON = sys.executable


def setup_django(root: str) -> None:
    sys.path.insert(0, root)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "shelf.settings")
    import django

    django.setup()


def paths(seed: int, requests: int) -> list[str]:
    """Query strings of the seeded mix, one kind after another."""
    sys.path.insert(0, str(HERE))
    import search

    queries = search.make_queries(seed, requests)
    mixed = [queries[search.KINDS[i % len(search.KINDS)]][i] for i in range(requests)]
    return [urllib.parse.urlencode([(k, v) for k, vs in p.items() for v in vs]) for p in mixed]


def percentiles(samples: list[float]) -> dict:
    samples = sorted(samples)
    p95 = samples[min(len(samples) - 1, round(0.95 * (len(samples) - 1)))]
    return {"p50": samples[len(samples) // 2], "p95": p95}


def in_process(args) -> dict:
    """Run inside a checkout (--child): the page and the API, alternating."""
    setup_django(args.child)
    from django.test import Client

    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    queries = paths(args.seed, args.requests)
    times: dict[str, list[float]] = {"listing": [], "api": []}
    cpu: dict[str, list[float]] = {"listing": [], "api": []}
    sizes = []
    for qs in queries[:10]:
        client.get("/resources/?" + qs)
        client.get("/api/v1/resources?" + qs)
    for qs in queries:
        for name, prefix in (("listing", "/resources/?"), ("api", "/api/v1/resources?")):
            started, cpu_started = time.perf_counter(), time.process_time()
            response = client.get(prefix + qs)
            times[name].append((time.perf_counter() - started) * 1000)
            # CPU time: what a request costs, whatever else the machine runs.
            cpu[name].append((time.process_time() - cpu_started) * 1000)
            if name == "listing":
                sizes.append(len(response.content))
    return {
        **{name: percentiles(t) for name, t in times.items()},
        "cpu": {name: percentiles(t) for name, t in cpu.items()},
        "page_kb": sum(sizes) / len(sizes) / 1000,
    }


def profile(args) -> None:
    setup_django(args.child)
    import cProfile
    import pstats

    from django.test import Client

    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    queries = paths(args.seed, args.profile)
    for qs in queries[:5]:
        client.get("/resources/?" + qs)
    profiler = cProfile.Profile()
    profiler.enable()
    for qs in queries:
        client.get("/resources/?" + qs)
    profiler.disable()
    pstats.Stats(profiler).sort_stats("cumulative").print_stats(35)


def get(conn: HTTPConnection, path: str) -> tuple[int, float, int]:
    started = time.perf_counter()
    conn.request("GET", path, headers={"Accept-Encoding": "gzip"})
    response = conn.getresponse()
    body = response.read()
    return response.status, (time.perf_counter() - started) * 1000, len(body)


def over_http(root: str, args) -> dict:
    """gunicorn as `make run` starts it, in ``root``; the same alternation."""
    env = {**os.environ, "PYTHONPATH": root, "PORT": str(args.port), "HOST": "127.0.0.1"}
    # Read first: a connection left idle past gunicorn's keep-alive is closed.
    queries = _child_paths(root, args)
    gunicorn = str(Path(PYTHON).parent / "gunicorn")
    server = subprocess.Popen(
        [gunicorn, "-c", "gunicorn.conf.py", "shelf.wsgi"],
        cwd=root,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        for _ in range(600):
            try:
                conn = HTTPConnection("127.0.0.1", args.port, timeout=60)
                get(conn, "/api/v1/resources")
                break
            except OSError:
                time.sleep(0.5)
        times: dict[str, list[float]] = {"listing": [], "api": []}
        errors = 0
        for qs in queries[:20]:
            get(conn, "/resources/?" + qs)
            get(conn, "/api/v1/resources?" + qs)
        sizes = []
        for qs in queries:
            for name, prefix in (("listing", "/resources/?"), ("api", "/api/v1/resources?")):
                status, ms, size = get(conn, prefix + qs)
                errors += status >= 400
                times[name].append(ms)
                if name == "listing":
                    sizes.append(size)
        out = {name: percentiles(t) for name, t in times.items()}
        return {**out, "errors": errors, "page_kb_gzip": sum(sizes) / len(sizes) / 1000}
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)


def _child_paths(root: str, args) -> list[str]:
    code = (
        f"import json,sys;sys.argv=['x'];sys.path.insert(0,{str(HERE)!r});import pages;"
        f"pages.setup_django({root!r});print(json.dumps(pages.paths({args.seed},{args.requests})))"
    )
    out = subprocess.run(
        [PYTHON, "-c", code], env={**os.environ, "PYTHONPATH": root}, capture_output=True, text=True
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def child(root: str, args, *extra: str) -> str:
    cmd = [PYTHON, __file__, "--child", root, "--seed", str(args.seed)]
    cmd += ["--requests", str(args.requests), *extra]
    env = {**os.environ, "PYTHONPATH": root}
    return subprocess.run(cmd, env=env, check=True, capture_output=True, text=True, cwd=root).stdout


def line(name: str, result: dict) -> str:
    page, api = result["listing"], result["api"]
    size = result.get("page_kb") or result.get("page_kb_gzip")
    return (
        f"{name:<8} page p50 {page['p50']:6.1f} p95 {page['p95']:6.1f} | "
        f"API p50 {api['p50']:6.1f} p95 {api['p95']:6.1f} | "
        f"page/API p50 {page['p50'] / api['p50']:.1f}x | page {size:.1f} KB"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--root", action="append", help="a checkout of Shelf (default: this one)")
    parser.add_argument("--requests", type=int, default=200, help="queries per measurement")
    parser.add_argument("--rounds", type=int, default=1)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--port", type=int, default=8031)
    parser.add_argument("--no-http", action="store_true")
    parser.add_argument("--profile", type=int, default=0, help="profile N listing pages instead")
    parser.add_argument("--json", help="also write the results here")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        if args.profile:
            profile(args)
        else:
            print(json.dumps(in_process(args)))
        return
    roots = [str(Path(r).resolve()) for r in (args.root or [str(HERE.parent)])]
    if args.profile:
        for root in roots:
            print(f"== {root}")
            print(child(root, args, "--profile", str(args.profile)))
        return
    results: list[dict] = []
    for round_ in range(1, args.rounds + 1):
        for root in roots:
            load = os.getloadavg()[0]
            found = {"root": root, "round": round_, "load": load}
            found["in_process"] = json.loads(child(root, args).strip().splitlines()[-1])
            print(f"round {round_} {root} (load {load:.1f})")
            print("  " + line("process", found["in_process"]))
            print("  " + line("CPU", {**found["in_process"], **found["in_process"]["cpu"]}))
            if not args.no_http:
                found["http"] = over_http(root, args)
                print(
                    "  " + line("HTTP", found["http"]) + f" gzip, errors {found['http']['errors']}"
                )
            results.append(found)
    if args.json:
        Path(args.json).write_text(json.dumps(results, indent=2) + "\n")


if __name__ == "__main__":
    main()
