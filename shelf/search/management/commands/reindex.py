import json
import time
from datetime import timedelta

from django.core.management.base import BaseCommand
from django.utils import timezone

from shelf.search import store
from shelf.search.models import SearchChange


class Command(BaseCommand):
    help = "Rebuild this node's search index from the database."

    def add_arguments(self, parser):
        parser.add_argument(
            "--prune-feed-days",
            type=int,
            default=None,
            help="also delete change-feed rows older than this many days (rebuild every node "
            "at least that often, so that no node's index is older than the feed)",
        )

    def handle(self, *args, **options):
        started = time.monotonic()
        last = [started]

        def progress(count):
            now = time.monotonic()
            if now - last[0] > 10:
                last[0] = now
                self.stderr.write(f"  {count} items, {count / (now - started):.0f}/s")

        root = store.index_dir()
        with store.locked(root / "build.lock"):
            gen = store.build(root, progress=progress)
        seconds = time.monotonic() - started
        count = json.loads((gen / "manifest.json").read_text())["documents"]
        size = store.size_bytes(gen) / 1e6
        rate = count / seconds if seconds else 0
        self.stdout.write(
            f"Indexed {count} items in {seconds:.1f} s ({rate:.0f}/s), {size:.1f} MB at {gen}"
        )
        if options["prune_feed_days"] is not None:
            cutoff = timezone.now() - timedelta(days=options["prune_feed_days"])
            deleted, _ = SearchChange.objects.filter(created__lte=cutoff).delete()
            self.stdout.write(f"Deleted {deleted} change-feed rows from before {cutoff:%Y-%m-%d}")
