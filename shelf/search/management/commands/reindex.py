import time

from django.core.management.base import BaseCommand

from shelf.search import store


class Command(BaseCommand):
    help = "Rebuild this node's search index from the database."

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
        import json

        count = json.loads((gen / "manifest.json").read_text())["documents"]
        size = store.size_bytes(gen) / 1e6
        rate = count / seconds if seconds else 0
        self.stdout.write(
            f"Indexed {count} items in {seconds:.1f} s ({rate:.0f}/s), {size:.1f} MB at {gen}"
        )
