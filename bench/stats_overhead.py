"""What counting a hit costs a request (shelf.stats), on a throwaway database.

    .venv/bin/python bench/stats_overhead.py                  # 300 items, 15 rounds
    .venv/bin/python bench/stats_overhead.py --rounds 30 --out bench/results/stats

Three measurements, each old and new interleaved in the same run so the
machine's load hits both alike:

1. whole requests through Django's test client (every middleware, the
   view, the template), detail pages and searches that find nothing,
   with counting off (``STATS_ENABLED=False``, as before) and on, in
   alternating rounds; the median per request of each;
2. the counting calls alone (``viewed`` and ``searched``, the user agent
   already seen), timed over many calls: the part of 1 that is counting;
3. a flush: one upsert of a batch as a busy worker collects in 5 s
   (1,000 hits over 300 keys), written by the background thread, off the
   request path.
Set DATABASE_URL for PostgreSQL.
"""

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from io import StringIO
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
parser = argparse.ArgumentParser()
parser.add_argument("--items", type=int, default=300)
parser.add_argument("--rounds", type=int, default=15)
parser.add_argument("--requests", type=int, default=40, help="requests per round and mode")
parser.add_argument("--out", help="write OUT.json and OUT.md")
ARGS = parser.parse_args()
os.environ["SHELF_DATA_DIR"] = tempfile.mkdtemp(prefix="shelf-bench-stats-")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "shelf.settings")
# Pages render without collectstatic (plain static names, as in the tests).
os.environ.setdefault(
    "STATICFILES_BACKEND", "django.contrib.staticfiles.storage.StaticFilesStorage"
)

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.contrib.auth.models import AnonymousUser  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.test import Client, RequestFactory  # noqa: E402
from django.utils import timezone  # noqa: E402

from shelf.catalogue.models import Resource  # noqa: E402
from shelf.search import browse  # noqa: E402
from shelf.stats import counter, counting  # noqa: E402
from shelf.stats.models import DailyCount  # noqa: E402

BROWSER = (
    "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/131.0.0.0 Safari/537.36"
)


def requests_ms(client: Client, urls: list[str]) -> list[float]:
    times = []
    for url in urls:
        start = time.perf_counter()
        response = client.get(url, HTTP_USER_AGENT=BROWSER)
        times.append((time.perf_counter() - start) * 1000)
        assert response.status_code == 200, (url, response.status_code)
    return times


def whole_requests(urls: list[str]) -> dict:
    client = Client()
    requests_ms(client, urls[:20])  # warm: the index, templates, the bot cache
    timings = {"off": [], "on": []}
    for _round in range(ARGS.rounds):
        for mode in ("off", "on"):
            settings.STATS_ENABLED = mode == "on"
            timings[mode] += requests_ms(client, urls)
    settings.STATS_ENABLED = True
    return {mode: statistics.median(t) for mode, t in timings.items()}


def calls_us(n: int = 20_000) -> dict:
    request = RequestFactory().get("/resources/x/", HTTP_USER_AGENT=BROWSER)
    request.user = AnonymousUser()
    item = Resource.objects.visible_to(None).first()
    results = browse.browse(browse.parse(request.GET), None)
    out = {}
    for name, call in {
        "viewed": lambda: counting.viewed(request, item),
        "searched": lambda: counting.searched(request, results),
    }.items():
        call()
        start, cpu = time.perf_counter(), time.process_time()
        for _ in range(n):
            call()
        # CPU time counts the flush thread's writes too: the whole cost.
        out[name] = (time.perf_counter() - start) / n * 1e6
        out[f"{name}_cpu"] = (time.process_time() - cpu) / n * 1e6
    counter.COUNTER.discard()
    return out


def flush_ms() -> float:
    today = timezone.localdate()
    batch = counter.Tally()
    for i in range(1000):
        batch[(today, "view", str(i % 300))] += 1
    counter.upsert(batch)  # the rows exist from now on, as in a running site
    start = time.perf_counter()
    counter.upsert(batch)
    return (time.perf_counter() - start) * 1000


def main() -> None:
    quiet = {"stdout": StringIO(), "stderr": StringIO()}
    call_command("migrate", verbosity=0)
    call_command("demo", items=ARGS.items, seed=1, **quiet)
    call_command("reindex", **quiet)
    slugs = list(Resource.objects.visible_to(None).values_list("slug", flat=True)[: ARGS.requests])
    load = os.getloadavg()[0]
    detail = whole_requests([f"/resources/{s}/" for s in slugs])
    zero = whole_requests([f"/resources/?q=zzqx{i}" for i in range(ARGS.requests)])
    calls = calls_us()
    flush = flush_ms()
    counter.COUNTER.flush()
    rows = DailyCount.objects.count()
    result = {
        "detail_ms": detail,
        "zero_result_search_ms": zero,
        "calls_us": calls,
        "flush_1000_hits_300_keys_ms": flush,
        "rows_written": rows,
        "database": django.db.connection.vendor,
        "load_average": load,
    }
    print(json.dumps(result, indent=2))
    if ARGS.out:
        Path(ARGS.out + ".json").write_text(json.dumps(result, indent=2))
        lines = [
            "# Reader statistics: overhead per request",
            "",
            f"Run {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}, "
            f"{result['database']}, {ARGS.items} demo items, {ARGS.rounds} rounds of "
            f"{ARGS.requests} requests per mode, counting off and on interleaved; "
            f"load average at start {load:.1f} (a shared 2-core machine). "
            f"Command: `bench/stats_overhead.py --rounds {ARGS.rounds} --requests {ARGS.requests} "
            f"--out {ARGS.out}`.",
            "",
            "| measurement | counting off | counting on | difference |",
            "|---|---|---|---|",
        ]
        for name, r in (("detail page", detail), ("search with no results", zero)):
            lines.append(
                f"| {name}, median ms per request | {r['off']:.2f} | {r['on']:.2f} | "
                f"{r['on'] - r['off']:+.2f} |"
            )
        lines += [
            "",
            f"The counting calls alone, wall (CPU of the process, flushes included): "
            f"`viewed` {calls['viewed']:.1f} µs ({calls['viewed_cpu']:.1f} µs), "
            f"`searched` {calls['searched']:.1f} µs ({calls['searched_cpu']:.1f} µs) per call "
            "(user agent already seen; a new "
            "one is matched against the bot list once, about 3 ms, then cached).",
            "",
            f"One flush (1,000 hits over 300 keys, one transaction, rows already there): "
            f"{flush:.1f} ms, in the background thread, not in a request.",
            "",
        ]
        Path(ARGS.out + ".md").write_text("\n".join(lines))


if __name__ == "__main__":
    main()
