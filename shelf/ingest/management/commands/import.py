import contextlib
import gc

from django.core.management.base import BaseCommand, CommandError

from shelf.catalogue.taxonomy import Taxonomy, sync_terms
from shelf.ingest import formats
from shelf.ingest.records import IngestError
from shelf.ingest.services import Report, import_records


@contextlib.contextmanager
def paused_gc():
    """Without the cyclic garbage collector while a file is read and written:
    its records and rows are hundreds of thousands of objects, which each
    collection walks again, for no garbage (measured: a tenth of the time)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


class Progress:
    def __init__(self, out, path: str):
        self.out, self.path, self.shown = out, path, False

    def __call__(self, done: int, total: int) -> None:
        self.out.write(f"\r{self.path}: {done}/{total} records", ending="")
        self.out.flush()
        self.shown = True

    def end(self) -> None:
        if self.shown:
            self.out.write("")


class Command(BaseCommand):
    help = (
        "Import resources from listing (.txt), CSV (.csv) or JSON (.json) files. "
        "Items are matched on their key, so re-importing a file changes nothing. "
        "Fields and vocabularies a curator changed since the last import from the same "
        "source are kept (and reported) unless --overwrite-curated. "
        "Each file is imported in one transaction: on any error none of it is written."
    )

    def add_arguments(self, parser):
        parser.add_argument("files", nargs="+", metavar="FILE")
        parser.add_argument(
            "--format",
            choices=sorted(formats.FORMATS),
            help="the files' format (default: from the extension; listing for anything else)",
        )
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="show what would be created, updated or left alone, and write nothing",
        )
        parser.add_argument(
            "--source",
            metavar="NAME",
            help="where the files come from, to tell a curator's changes from the "
            "source's (default: the format's name, listing, csv or json)",
        )
        parser.add_argument(
            "--overwrite-curated",
            action="store_true",
            help="write what the files say even over fields a curator changed since "
            "the last import from the same source",
        )

    def handle(self, *args, **options):
        sync_terms()
        taxonomy = Taxonomy.load()
        for path in options["files"]:
            progress = self.progress(path) if options["verbosity"] >= 1 else None
            try:
                with paused_gc():
                    records = formats.read(path, options["format"], taxonomy)
                    report = import_records(
                        records=records,
                        source=path,
                        origin=options["source"]
                        or formats.module_for(path, options["format"]).NAME,
                        dry_run=options["dry_run"],
                        overwrite_curated=options["overwrite_curated"],
                        progress=progress,
                    )
            except IngestError as e:
                raise CommandError(str(e)) from None
            except OSError as e:
                raise CommandError(f"{path}: {e.strerror or e}") from None
            finally:
                if progress:
                    progress.end()
            self.show(report, options["verbosity"])

    def progress(self, path: str) -> Progress | None:
        """A line on the terminal that counts the records written; nothing
        when stderr is a file or a pipe (a log should not fill with it)."""
        return Progress(self.stderr, path) if self.stderr.isatty() else None

    def show(self, report: Report, verbosity: int) -> None:
        write = self.stdout.write
        if report.dry_run:
            write(
                f"{report.source} (dry run, nothing written): would create {len(report.created)}, "
                f"update {len(report.updated)}, leave {len(report.unchanged)} unchanged"
            )
        else:
            write(
                f"{report.source}: {len(report.created)} created, {len(report.updated)} updated, "
                f"{len(report.unchanged)} unchanged"
            )
        if report.dry_run or verbosity >= 2:
            for key, title in report.created:
                write(f"  create     {key}  {title}")
            for key, fields in report.updated:
                write(f"  update     {key}  ({', '.join(fields)})")
            for key in report.unchanged:
                write(f"  unchanged  {key}")
        shown = report.kept if report.dry_run or verbosity >= 2 else report.kept[:20]
        for key, kept in shown:
            write(f"  kept curator's {', '.join(kept)} for {key}")
        if len(shown) < len(report.kept):
            write(f"  ... and {len(report.kept) - len(shown)} more (-v 2 lists them all)")
        if report.kept:
            write(
                f"  {len(report.kept)} items keep changes made since the last import from this "
                "source (--overwrite-curated to replace them)"
            )
        if report.unknown_tags:
            count = len(report.unknown_tags)
            tags = ", ".join(f"{tag} ({n})" for tag, n in sorted(report.unknown_tags.items()))
            write(f"  tags not in the taxonomy, imported as topics ({count}): {tags}")
        # Topics made from unknown tags are reported just above.
        new = [t for t in report.new_terms if t.label not in report.unknown_tags]
        if new:
            verb = "would create" if report.dry_run else "created"
            names = ", ".join(f"{t.vocabulary}:{t.label}" for t in new[:20])
            more = f" and {len(new) - 20} more" if len(new) > 20 else ""
            write(f"  {verb} new terms ({len(new)}): {names}{more}")
        for line, first, key in report.duplicates:
            write(f"  {report.source}:{line}: skipped, the same item as line {first} ({key})")
