from django.core.management.base import BaseCommand, CommandError

from shelf.catalogue.taxonomy import Taxonomy, sync_terms
from shelf.ingest import formats
from shelf.ingest.records import IngestError
from shelf.ingest.services import Report, import_records


class Command(BaseCommand):
    help = (
        "Import resources from listing (.txt), CSV (.csv) or JSON (.json) files. "
        "Items are matched on their key, so re-importing a file changes nothing. "
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

    def handle(self, *args, **options):
        sync_terms()
        taxonomy = Taxonomy.load()
        for path in options["files"]:
            try:
                records = formats.read(path, options["format"], taxonomy)
                report = import_records(records=records, source=path, dry_run=options["dry_run"])
            except IngestError as e:
                raise CommandError(str(e)) from None
            except OSError as e:
                raise CommandError(f"{path}: {e.strerror or e}") from None
            self.show(report, options["verbosity"])

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
        if report.unknown_tags:
            tags = ", ".join(f"{tag} ({n})" for tag, n in sorted(report.unknown_tags.items()))
            write(
                f"  {len(report.unknown_tags)} tags not in the taxonomy became topic terms: {tags}"
            )
        new = [t for t in report.new_terms if t.vocabulary != "topic" or not report.unknown_tags]
        if new and verbosity >= 1:
            verb = "would create" if report.dry_run else "created"
            names = ", ".join(f"{t.vocabulary}:{t.label}" for t in new[:20])
            more = f" and {len(new) - 20} more" if len(new) > 20 else ""
            write(f"  {verb} {len(new)} new terms: {names}{more}")
        for line, first, key in report.duplicates:
            write(f"  {report.source}:{line}: skipped, the same item as line {first} ({key})")
