import time

from django.core.management.base import BaseCommand, CommandError

from shelf.curation import audit
from shelf.ingest import demo
from shelf.ops.db import refresh_statistics


class Command(BaseCommand):
    help = (
        "Generate a deterministic synthetic catalogue for benchmarks and load tests: "
        "the same --seed gives the same items. Items get the keys demo:1 ... demo:N. "
        "Refuses to run when demo items exist, unless --replace deletes them first."
    )

    def add_arguments(self, parser):
        parser.add_argument("--items", type=int, default=1000, help="how many (default 1000)")
        parser.add_argument("--seed", type=int, default=1, help="random seed (default 1)")
        parser.add_argument(
            "--replace", action="store_true", help="delete existing demo items first"
        )

    def handle(self, *args, **options):
        count = options["items"]
        if count < 1:
            raise CommandError("--items must be at least 1")
        if existing := demo.existing_count():
            if not options["replace"]:
                raise CommandError(
                    f"There are already {existing} demo items; "
                    "use --replace to delete them and generate new ones."
                )
            deleted = demo.delete_existing()
            audit.record(None, audit.DELETE, None, demo_items=deleted)
        verbosity = options["verbosity"]

        def progress(done: int) -> None:
            if verbosity >= 2 and done % 10000 == 0:
                self.stderr.write(f"{done} items")

        start = time.perf_counter()
        written = demo.generate(count, options["seed"], progress)
        refresh_statistics()
        seconds = time.perf_counter() - start
        if verbosity >= 1:
            self.stdout.write(
                f"Created {written} demo items in {seconds:.1f} s ({written / seconds:.0f} items/s)"
            )
