"""OAI-PMH harvest speed: ListRecords pages per second over a whole catalogue.

    .venv/bin/python bench/oai.py --items 100000 [--page-size 100]
    DATABASE_URL=postgres://... .venv/bin/python bench/oai.py --items 100000

The ``shelf demo`` corpus (seed 1) in its own data directory
(var/bench/oai-N, made once and reused; on PostgreSQL the database named in
DATABASE_URL), then complete harvests, in this process through Django's
request handling (no network, so the number is the server's work per page:
the ledger query, the records' metadata, the XML): ListRecords in oai_dc and
in qdc, ListIdentifiers, and a selective ListRecords of the largest topic set.
Each harvest follows resumption tokens to the end and reports pages/s,
records/s and p50/p95 ms per page. Results go to bench/results/oai.md.
"""

from __future__ import annotations

import argparse
import os
import re
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def setup(items: int, page_size: int) -> None:
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "shelf.settings")
    os.environ.setdefault("SHELF_DATA_DIR", str(ROOT / "var" / "bench" / f"oai-{items}"))
    os.environ["SHELF_OAI_PAGE_SIZE"] = str(page_size)
    import django

    django.setup()
    from django.core.management import call_command

    from shelf.ingest import demo

    call_command("migrate", verbosity=0)
    if demo.existing_count() != items:
        print(f"making {items} demo items ...", flush=True)
        call_command("demo", items=items, seed=1, replace=True)
    from django.db import connection

    if connection.vendor == "postgresql":
        # Fresh bulk-loaded tables have no planner statistics until
        # autovacuum gets to them; measure the settled state.
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")


def harvest(client, params: dict) -> dict:
    times, records = [], 0
    token = None
    while True:
        query = {"verb": params["verb"], "resumptionToken": token} if token else params
        start = time.perf_counter()
        body = client.get("/oai", query).content
        times.append(time.perf_counter() - start)
        records += body.count(b"<header")
        found = re.search(rb"<resumptionToken[^>]*>([^<]+)</resumptionToken>", body)
        if not found:
            break
        token = found.group(1).decode()
    total = sum(times)
    ordered = sorted(times)
    return {
        "pages": len(times),
        "records": records,
        "seconds": total,
        "pages_per_s": len(times) / total,
        "records_per_s": records / total,
        "p50_ms": statistics.median(times) * 1000,
        "p95_ms": ordered[int(len(ordered) * 0.95) - 1 if len(ordered) > 1 else 0] * 1000,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--items", type=int, default=100_000)
    parser.add_argument("--page-size", type=int, default=100)
    args = parser.parse_args()
    setup(args.items, args.page_size)

    from django.db import connection
    from django.db.models import Count
    from django.test import Client

    from shelf.catalogue.models import Term
    from shelf.oai.ledger import term_spec

    topic = (
        Term.objects.filter(vocabulary="topic")
        .annotate(n=Count("resources"))
        .order_by("-n")
        .first()
    )
    spec = term_spec(topic.vocabulary, topic.slug, topic.pk)
    runs = {
        "ListRecords oai_dc": {"verb": "ListRecords", "metadataPrefix": "oai_dc"},
        "ListRecords qdc": {"verb": "ListRecords", "metadataPrefix": "qdc"},
        "ListIdentifiers": {"verb": "ListIdentifiers", "metadataPrefix": "oai_dc"},
        f"ListRecords oai_dc, set={spec}": {
            "verb": "ListRecords",
            "metadataPrefix": "oai_dc",
            "set": spec,
        },
    }
    client = Client()
    lines = [
        f"# OAI-PMH harvest, {args.items:,} demo items, {args.page_size} records a page, "
        f"{connection.vendor}",
        "",
        f"`{' '.join(['.venv/bin/python', 'bench/oai.py', *sys.argv[1:]])}`",
        "",
        f"{os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f} when the harvests began "
        "(other processes share the machine: compare runs of one machine, not across).",
        "",
        "| harvest | pages | records | s | pages/s | records/s | p50 ms | p95 ms |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for name, params in runs.items():
        r = harvest(client, params)
        line = (
            f"| {name} | {r['pages']} | {r['records']} | {r['seconds']:.1f} | "
            f"{r['pages_per_s']:.1f} | {r['records_per_s']:.0f} | {r['p50_ms']:.1f} | "
            f"{r['p95_ms']:.1f} |"
        )
        print(line, flush=True)
        lines.append(line)
    out = ROOT / "bench" / "results" / f"oai-{connection.vendor}.md"
    out.write_text("\n".join(lines) + "\n")
    print(f"written to {out.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
