"""Export speed and memory: the whole catalogue downloaded in every format,
as a reader's "Download this list" would, on a throwaway SQLite database.

    .venv/bin/python bench/export_speed.py                       # 1k and 100k items
    .venv/bin/python bench/export_speed.py --items 1000 10000 --out bench/results/export
    .venv/bin/python bench/export_speed.py --data-dir DIR --items 100000 --no-generate \
        --query 'year=2015&audience=parents'   # a small list from the same catalogue
    .venv/bin/python bench/export_speed.py --data-dir DIR --items 100000 --no-generate \
        --formats csv json                     # only some formats

For each size: ``shelf demo`` and ``shelf reindex``, then each format's
download through the real view (streamed response read to the end), once
timed (wall and CPU) and once under tracemalloc for the peak of Python
memory while streaming. A streamed export's peak should not grow with the
number of rows: compare the sizes. Set DATABASE_URL for another database.
"""

import argparse
import json
import os
import resource
import sys
import tempfile
import time
import tracemalloc
from io import StringIO
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
parser = argparse.ArgumentParser()
parser.add_argument("--items", type=int, nargs="+", default=[1_000, 100_000])
parser.add_argument("--out", help="write OUT.json and OUT.md")
parser.add_argument("--data-dir", help="an existing SHELF_DATA_DIR (default: a new one)")
parser.add_argument("--no-generate", action="store_true", help="use the items already there")
parser.add_argument("--query", default="", help="the listing's query string")
parser.add_argument("--formats", nargs="+", help="only these formats (default: every one)")
ARGS = parser.parse_args()
DATA_DIR = ARGS.data_dir or tempfile.mkdtemp(prefix="shelf-bench-export-")
os.environ["SHELF_DATA_DIR"] = DATA_DIR
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "shelf.settings")

import django  # noqa: E402

django.setup()

from django.contrib.auth.models import AnonymousUser  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.http import QueryDict  # noqa: E402
from django.test import RequestFactory  # noqa: E402

from shelf.exports.formats import FORMATS  # noqa: E402
from shelf.exports.views import download_list  # noqa: E402
from shelf.ingest import demo  # noqa: E402
from shelf.search import browse as catalogue  # noqa: E402


def download(fmt: str) -> tuple[int, int]:
    request = RequestFactory().get(f"/resources/download.{fmt}?{ARGS.query}")
    request.user = AnonymousUser()
    response = download_list(request, fmt)
    size = 0
    for chunk in response.streaming_content:
        size += len(chunk)
    response.close()
    query = catalogue.parse(QueryDict(ARGS.query))
    return size, catalogue.browse(query, None, per_page=1).count


def measure(fmt: str) -> dict:
    start, cpu = time.perf_counter(), time.process_time()
    size, rows = download(fmt)
    seconds, cpu = time.perf_counter() - start, time.process_time() - cpu
    tracemalloc.start()
    download(fmt)
    _now, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return {
        "rows": rows,
        "seconds": seconds,
        "cpu": cpu,
        "bytes": size,
        "peak_python_mb": peak / 2**20,
    }


def main() -> None:
    args = ARGS
    call_command("migrate", verbosity=0)
    quiet = {"stdout": StringIO(), "stderr": StringIO()}
    load = os.getloadavg()[0]
    results = {}
    for n in args.items:
        if not args.no_generate:
            demo.delete_existing()
            call_command("demo", items=n, seed=1, **quiet)
            call_command("reindex", **quiet)
        from shelf.search.replica import forget

        forget()
        download("csv")  # open the index, compile the SQL
        rows = {}
        for fmt in ARGS.formats or FORMATS:
            rows[fmt] = measure(fmt)
            r = rows[fmt]
            print(
                f"{n:>7} items {r['rows']:>7} rows {fmt:<9} {r['seconds']:6.1f} s "
                f"(CPU {r['cpu']:5.1f} s) {r['rows'] / r['seconds']:7.0f} rows/s "
                f"{r['bytes'] / 2**20:7.1f} MB out, "
                f"peak Python memory {r['peak_python_mb']:6.1f} MB",
                flush=True,
            )
        results[n] = rows
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"process peak RSS over the whole run: {rss:.0f} MB")
    if args.out:
        Path(args.out + ".json").write_text(json.dumps(results, indent=2))
        lines = [
            "# Export benchmark",
            "",
            f"Run {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}, "
            f"{django.db.connection.vendor}, anonymous reader, "
            f"query {ARGS.query or '(none: the whole catalogue)'}, "
            f"load average at start {load:.1f}. Command: `bench/export_speed.py --items "
            f"{' '.join(map(str, args.items))}"
            + (f" --query '{ARGS.query}'" if ARGS.query else "")
            + f" --out {args.out}`.",
            "",
            "| items | rows | format | seconds (CPU) | rows/s | output MB | peak Python MB |",
            "|---|---|---|---|---|---|---|",
        ]
        for n, rows in results.items():
            for fmt, r in rows.items():
                lines.append(
                    f"| {n:,} | {r['rows']:,} | {fmt} | {r['seconds']:.1f} ({r['cpu']:.1f}) | "
                    f"{r['rows'] / r['seconds']:,.0f} | {r['bytes'] / 2**20:.1f} | "
                    f"{r['peak_python_mb']:.1f} |"
                )
        lines += ["", f"Process peak RSS over the whole run: {rss:.0f} MB.", ""]
        Path(args.out + ".md").write_text("\n".join(lines))


if __name__ == "__main__":
    main()
