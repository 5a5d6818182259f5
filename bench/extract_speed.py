"""PDF text extraction speed, in pages per second.

    .venv/bin/python bench/extract_speed.py [--pages 300] [--words 400] [--runs 3]
    .venv/bin/python bench/extract_speed.py --file some.pdf

Generates a PDF of ``--pages`` pages of ``--words`` words each (about a
page of prose), or takes a real one with ``--file``, then times
``shelf.lib.extract.extract`` (in this process) and ``extract_isolated`` (the
child process the worker uses, so start-up is counted) over ``--runs`` runs,
and prints the median. Target: >= 50 pages/s.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "shelf.settings")
os.environ.setdefault("SHELF_DATA_DIR", tempfile.mkdtemp(prefix="shelf-bench-"))

import django  # noqa: E402

django.setup()

from shelf.files.tests import samples  # noqa: E402
from shelf.lib import extract  # noqa: E402
from shelf.lib.filetypes import PDF  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--pages", type=int, default=300)
    parser.add_argument("--words", type=int, default=400)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--file", type=Path, help="a real PDF to read instead")
    args = parser.parse_args()

    if args.file:
        data = args.file.read_bytes()
        args.pages = extract.extract(data, PDF).page_count
        print(f"PDF: {args.file.name}, {args.pages} pages, {len(data) / 1e6:.1f} MB")
    else:
        data = samples.pdf([samples.words(args.words, seed=i) for i in range(args.pages)])
        print(f"PDF: {args.pages} pages, {args.words} words a page, {len(data) / 1e6:.1f} MB")
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "bench.pdf"
        path.write_bytes(data)
        for label, run in (
            ("extract (in process)", lambda: extract.extract(path, PDF)),
            ("extract_isolated (child process)", lambda: extract.extract_isolated(path, PDF)),
        ):
            times = []
            for _ in range(args.runs):
                start = time.perf_counter()
                result = run()
                times.append(time.perf_counter() - start)
            assert result.page_count == args.pages
            median = statistics.median(times)
            print(f"{label:34} {median:6.3f} s  {args.pages / median:8.0f} pages/s")


if __name__ == "__main__":
    main()
