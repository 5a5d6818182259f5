"""Import and demo-generation speed, in items per second, on a throwaway SQLite database.

    .venv/bin/python bench/import_speed.py            # 10k items
    .venv/bin/python bench/import_speed.py --large    # also demo generation at 100k

Steps: ``shelf demo`` at 10k (and 100k); JSON export of the 10k corpus and
its import into an empty catalogue; a 10k-item listing file written from the
same corpus (tags, title, "(Publisher) Month YYYY" summary, "Read More") and
its import. Set DATABASE_URL to measure another database.
"""

import argparse
import os
import shutil
import sys
import tempfile
import time
from io import StringIO
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
DATA_DIR = tempfile.mkdtemp(prefix="shelf-bench-")
os.environ["SHELF_DATA_DIR"] = DATA_DIR
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "shelf.settings")

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402

from shelf.catalogue.models import Resource, Term  # noqa: E402
from shelf.ingest import demo, export  # noqa: E402


def timed(label: str, count: int, fn) -> None:
    # CPU time too: on a shared machine the wall clock also measures the neighbours.
    start, cpu = time.perf_counter(), time.process_time()
    fn()
    seconds, cpu = time.perf_counter() - start, time.process_time() - cpu
    print(
        f"{label:<42} {count:>7} items {seconds:6.1f} s {count / seconds:6.0f} items/s"
        f"   (CPU {cpu:5.1f} s, {count / cpu:6.0f} items/s)",
        flush=True,
    )


def empty() -> None:
    # Every resource here has a demo: key (the JSON import keeps them), and
    # the bulk delete skips a revision and an audit event per item.
    demo.delete_existing()


def write_listing(path: Path) -> int:
    """The demo corpus as a listing page, the way websites lay it out."""
    count = 0
    with open(path, "w", encoding="utf-8") as out:
        for row in export.rows(Resource.objects.filter(language__in=["en", "fr", "es"])):
            r = row.resource
            tags = [t.label for v in ("topic", "audience", "setting") for t in row.terms.get(v, [])]
            publishers = ", ".join(t.label for t in row.terms.get("publisher", []))
            date = r.date.strftime("%B %Y") if r.date else ""
            summary = f"({publishers}) {date} {r.summary}Read More"
            out.write(f"{', '.join(tags)}\n\n{r.title}\n\n\n{summary}\n\n")
            count += 1
        out.write("Filter by\n")
    return count


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--items", type=int, default=10_000)
    parser.add_argument("--large", action="store_true", help="also generate 100k demo items")
    args = parser.parse_args()
    n = args.items
    call_command("migrate", verbosity=0)
    print(f"database: {django.db.connection.vendor}, data in {DATA_DIR}")
    quiet = {"stdout": StringIO(), "stderr": StringIO()}

    if args.large:
        timed("shelf demo", 100_000, lambda: call_command("demo", items=100_000, seed=1, **quiet))
        empty()
    timed("shelf demo", n, lambda: call_command("demo", items=n, seed=1, **quiet))

    json_file = Path(DATA_DIR) / "demo.json"
    timed(
        "shelf export --format json",
        n,
        lambda: call_command("export", "-o", str(json_file), **quiet),
    )
    listing_file = Path(DATA_DIR) / "listing.txt"
    listed = write_listing(listing_file)
    empty()
    Term.objects.exclude(vocabulary__in=["language"]).filter(resources=None).delete()
    timed(
        "shelf import demo.json (empty catalogue)",
        n,
        lambda: call_command("import", str(json_file), **quiet),
    )
    timed(
        "shelf import demo.json (again, unchanged)",
        n,
        lambda: call_command("import", str(json_file), **quiet),
    )
    empty()
    timed(
        "shelf import listing.txt (empty)",
        listed,
        lambda: call_command("import", str(listing_file), **quiet),
    )
    timed(
        "shelf import listing.txt (again)",
        listed,
        lambda: call_command("import", str(listing_file), **quiet),
    )


if __name__ == "__main__":
    try:
        main()
    finally:
        shutil.rmtree(DATA_DIR)
