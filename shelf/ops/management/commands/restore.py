from django.core.management.base import BaseCommand, CommandError

from shelf.ops import backup


class Command(BaseCommand):
    help = (
        "Restore an archive written by `shelf backup` into an empty database and data "
        "directory: every member is checked against its SHA-256 first, then the database "
        "and the files are restored, newer migrations applied and the search index rebuilt. "
        "Refuses a database that holds resources, users or files."
    )

    def add_arguments(self, parser):
        parser.add_argument("archive", metavar="FILE", help="the archive to restore")
        parser.add_argument(
            "--check",
            action="store_true",
            help="only check the archive's checksums, restoring nothing",
        )

    def handle(self, *args, **options):
        try:
            if options["check"]:
                manifest = backup.verify(options["archive"])
                self.stderr.write(
                    f"{options['archive']}: intact, database ({manifest['database']['method']}) "
                    f"and {len(manifest['files'])} files from {manifest['created']}"
                )
                return
            done = backup.restore(options["archive"])
        except backup.BackupError as e:
            raise CommandError(str(e)) from e
        except OSError as e:
            raise CommandError(f"{options['archive']}: {e}") from e
        if options["verbosity"] >= 1:
            self.stderr.write(
                f"Restored the database ({done.method}) and {done.files} files "
                f"in {done.seconds:.1f} s; the search index was rebuilt."
            )
