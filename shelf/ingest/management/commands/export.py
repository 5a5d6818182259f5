import os
import tempfile

from django.core.management.base import BaseCommand, CommandError

from shelf.ingest import export, formats


class Command(BaseCommand):
    help = (
        "Export every resource (drafts and members-only included) as JSON or CSV, "
        "sorted by key, without ids or timestamps: the same catalogue gives the same bytes."
    )

    def add_arguments(self, parser):
        parser.add_argument("--format", choices=sorted(formats.EXPORTERS), help="default: json")
        parser.add_argument("-o", "--output", metavar="FILE", help="default: standard output")

    def handle(self, *args, **options):
        path = options["output"]
        name = options["format"]
        if not name:
            name = "csv" if path and path.lower().endswith(".csv") else "json"
        exporter = formats.EXPORTERS[name]
        if not path:
            self.stdout.ending = ""
            try:
                exporter.export(export.rows(), self.stdout)
            except BrokenPipeError:  # `shelf export | head`
                os.dup2(os.open(os.devnull, os.O_WRONLY), 1)
            return
        count = self.write_file(path, exporter)
        if options["verbosity"] >= 1:
            self.stderr.write(f"{path}: {count} resources")

    def write_file(self, path: str, exporter) -> int:
        # Write beside the target and rename, so a failed export never
        # leaves half a file where a good one was.
        folder = os.path.dirname(os.path.abspath(path))
        try:
            fd, tmp = tempfile.mkstemp(dir=folder, suffix=".part")
        except OSError as e:
            raise CommandError(f"{path}: {e.strerror or e}") from None
        try:
            with os.fdopen(fd, "w", encoding="utf-8", newline="") as out:
                count = exporter.export(export.rows(), out)
            os.chmod(tmp, 0o666 & ~current_umask())
            os.replace(tmp, path)
        except BaseException:
            os.unlink(tmp)
            raise
        return count


def current_umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask
