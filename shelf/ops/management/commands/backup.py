from django.core.management.base import BaseCommand, CommandError

from shelf.ops import backup


class Command(BaseCommand):
    help = (
        "Write one archive of the database and the uploaded files, with their SHA-256 "
        "checksums, from one consistent snapshot (safe while imports and editors write). "
        "SQLite is copied with its online backup; PostgreSQL with pg_dump when it is "
        "installed, otherwise with Django's dumpdata. The search index is not included: "
        "restore rebuilds it."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "-o",
            "--output",
            metavar="FILE",
            required=True,
            help="the archive to write (gzipped when it ends in .gz or .tgz)",
        )
        parser.add_argument(
            "--logical",
            action="store_true",
            help="dump the database with Django's dumpdata, which restores into either "
            "database (to move from SQLite to PostgreSQL)",
        )

    def handle(self, *args, **options):
        try:
            done = backup.backup(options["output"], logical=options["logical"])
        except backup.BackupError as e:
            raise CommandError(str(e)) from e
        if options["verbosity"] >= 1:
            self.stderr.write(
                f"{done.path}: database ({done.method}) and {done.files} files, "
                f"{done.bytes / 1e6:.1f} MB in {done.seconds:.1f} s"
            )
