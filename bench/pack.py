"""Offline pack build time and size, on a throwaway SQLite database.

    .venv/bin/python bench/pack.py                          # 1,000 demo items, 50 with a PDF
    .venv/bin/python bench/pack.py --items 1000 5000 --files 0 --out bench/results/pack

For each size: ``shelf demo --items N`` and ``shelf reindex``, small PDFs
attached to ``--files`` items (read at once, in process), then the pack of
the whole listing built as ``shelf pack`` builds it (``--repeat`` times,
the median reported): as the public sees it, and as a member (members-only
items too). Reports wall and CPU seconds, items per second, the zip's size
and what it holds. Set DATABASE_URL for another database.
"""

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
import zipfile
from io import StringIO
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
parser = argparse.ArgumentParser()
parser.add_argument("--items", type=int, nargs="+", default=[1_000])
parser.add_argument("--files", type=int, default=50, help="items that get a small PDF")
parser.add_argument("--repeat", type=int, default=3)
parser.add_argument("--out", help="write OUT.json and OUT.md")
ARGS = parser.parse_args()
DATA_DIR = tempfile.mkdtemp(prefix="shelf-bench-pack-")
os.environ["SHELF_DATA_DIR"] = DATA_DIR
os.environ["SHELF_EXTRACT_ISOLATED"] = "False"
os.environ.setdefault("SHELF_PACK_MAX_ITEMS", str(max(ARGS.items)))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "shelf.settings")

import django  # noqa: E402

django.setup()

from django.contrib.auth.models import AnonymousUser  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.http import QueryDict  # noqa: E402

from shelf.catalogue.models import Resource  # noqa: E402
from shelf.files import services, tasks  # noqa: E402
from shelf.files.tests import samples  # noqa: E402
from shelf.packs import builder  # noqa: E402
from shelf.packs.management.commands.pack import Member  # noqa: E402
from shelf.search import browse  # noqa: E402


def prepare(count: int) -> None:
    quiet = StringIO()
    call_command("demo", items=count, seed=1, replace=True, stdout=quiet)
    for resource in Resource.objects.published().order_by("pk")[: ARGS.files]:
        if resource.files.exists():
            continue
        pages = [samples.words(300, seed=resource.pk), samples.words(300, seed=-resource.pk)]
        upload = samples.upload(f"{resource.slug[:40]}.pdf", samples.pdf(pages))
        tasks.read_file(services.attach_file(resource=resource, upload=upload).pk)
    call_command("reindex", stdout=quiet)


def build(user) -> dict:
    out = Path(DATA_DIR) / "pack.zip"
    runs = []
    for _ in range(ARGS.repeat):
        start, cpu = time.perf_counter(), time.process_time()
        built = builder.build(browse.parse(QueryDict()), user, out, language="en")
        runs.append((time.perf_counter() - start, time.process_time() - cpu))
    with zipfile.ZipFile(out) as zf:
        names = zf.namelist()
        index = zf.getinfo(f"{builder.FOLDER}/assets/search-index.js").file_size
        unpacked = sum(i.file_size for i in zf.infolist())
    seconds = statistics.median(r[0] for r in runs)
    return {
        "items": built.items,
        "files": built.files,
        "entries": len(names),
        "seconds": seconds,
        "cpu": statistics.median(r[1] for r in runs),
        "items_per_second": built.items / seconds,
        "zip_mb": built.size / 1e6,
        "unzipped_mb": unpacked / 1e6,
        "search_index_kb": index / 1e3,
    }


def main() -> None:
    call_command("migrate", verbosity=0)
    results = {}
    for count in ARGS.items:
        prepare(count)
        for who, user in (("public", AnonymousUser()), ("member", Member())):
            row = build(user)
            results[f"{count} {who}"] = row
            print(
                f"{count:>7} demo items, {who:>6}: {row['items']} items, {row['files']} files, "
                f"{row['seconds']:.2f} s ({row['cpu']:.2f} s CPU, "
                f"{row['items_per_second']:.0f} items/s), zip {row['zip_mb']:.1f} MB "
                f"({row['unzipped_mb']:.1f} MB unzipped, "
                f"search index {row['search_index_kb']:.0f} KB)"
            )
    if ARGS.out:
        Path(ARGS.out + ".json").write_text(json.dumps(results, indent=1))
        lines = [
            "| catalogue | as | items | files | build s | CPU s | items/s | zip MB "
            "| unzipped MB | index KB |",
            "|---|---|---|---|---|---|---|---|---|---|",
        ]
        for key, r in results.items():
            count, who = key.split()
            lines.append(
                f"| {count} | {who} | {r['items']} | {r['files']} | {r['seconds']:.2f} | "
                f"{r['cpu']:.2f} | {r['items_per_second']:.0f} | {r['zip_mb']:.1f} | "
                f"{r['unzipped_mb']:.1f} | {r['search_index_kb']:.0f} |"
            )
        Path(ARGS.out + ".md").write_text("\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
