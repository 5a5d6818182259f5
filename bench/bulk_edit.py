"""Bulk curation speed: one term added to N items (default 10,000), with a
revision per item, the search change feed and one audit event, on a
throwaway database.

    .venv/bin/python bench/bulk_edit.py [--items 10000]
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/shelf_bench .venv/bin/python bench/bulk_edit.py

Generates the items with ``shelf demo``, then times planning (what the
confirmation page counts) and applying ``shelf.curation.bulk`` as an editor
would from the admin list with "select all".
"""

import argparse
import os
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
from shelf.curation import bulk  # noqa: E402
from shelf.curation.models import AuditEvent  # noqa: E402
from shelf.curation.roles import EDITOR, assign_role  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--items", type=int, default=10_000)
    args = parser.parse_args()
    call_command("migrate", verbosity=0)
    quiet = {"stdout": StringIO(), "stderr": StringIO()}
    call_command("demo", "--items", str(args.items), **quiet)
    from django.contrib.auth.models import User

    editor = User.objects.create_user("bench-editor", "e@example.org", "x")
    assign_role(editor, EDITOR)
    editor = User.objects.get(pk=editor.pk)
    term = Term.objects.create(vocabulary="topic", slug="bench-term", label="Bench term")
    print(f"database: {django.db.connection.vendor}, {Resource.objects.count()} items")

    start = time.perf_counter()
    planned = bulk.plan(Resource.objects.all(), bulk.Change(bulk.ADD_TERM, term=term), editor)
    planning = time.perf_counter() - start
    revisions = Resource.history.count()
    start, cpu = time.perf_counter(), time.process_time()
    done = bulk.apply(planned, editor)
    seconds, cpu = time.perf_counter() - start, time.process_time() - cpu
    added = Resource.history.count() - revisions
    assert done == args.items == term.resources.count() == added, (done, added)
    assert AuditEvent.objects.filter(action=bulk.BULK).count() == 1
    print(f"plan (confirmation page counts)  {planning:6.2f} s")
    print(
        f"add one term to {done} items      {seconds:6.2f} s  (CPU {cpu:5.2f} s), "
        f"{done / seconds:,.0f} items/s, {added} revisions, 1 audit event"
    )


if __name__ == "__main__":
    main()
