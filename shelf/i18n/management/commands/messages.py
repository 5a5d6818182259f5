import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from shelf.i18n import catalogues, worklist


class Command(BaseCommand):
    help = (
        "Update the interface catalogues in shelf/locale from the marked strings in Shelf's "
        "code and templates, then compile them (pure Python: no GNU gettext needed). "
        "--check reports what is missing, --export/--import move the untranslated strings "
        "of every language through one JSON file."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--check",
            action="store_true",
            help="Change nothing; list untranslated, fuzzy, obsolete or stale entries and "
            "exit with status 1 if there are any.",
        )
        parser.add_argument(
            "--compile", action="store_true", help="Only write the .mo files from the .po files."
        )
        parser.add_argument(
            "--export",
            metavar="FILE",
            help="After updating, write every string that some language still lacks (or has "
            "fuzzy) to FILE as JSON, with the translations there are, for translators to fill.",
        )
        parser.add_argument(
            "--import",
            dest="import_",
            metavar="FILE",
            help="Take the translations filled in FILE (as written by --export) into the "
            "catalogues, then compile.",
        )
        parser.add_argument(
            "--locale",
            "-l",
            action="append",
            help="A catalogue to create or work on (e.g. pt_BR); default: every language in "
            "settings.LANGUAGES but English.",
        )

    def handle(self, *args, check=False, compile=False, export=None, import_=None, **options):
        languages = options["locale"] or None
        if check:
            problems = catalogues.check(languages=languages)
            for problem in problems:
                self.stdout.write(str(problem))
            if problems:
                raise CommandError(f"{len(problems)} problems in the catalogues")
            self.stdout.write("The catalogues are complete and current.")
            return
        if import_:
            data = json.loads(Path(import_).read_text(encoding="utf-8"))
            try:
                changed = worklist.apply(data, languages=languages)
            except ValueError as e:
                raise CommandError(str(e)) from e
            for path in changed:
                self.stdout.write(f"updated {path}")
        elif not compile:
            for path in catalogues.update(languages=languages):
                self.stdout.write(f"updated {path}")
        for path in catalogues.compile_all(languages=languages):
            self.stdout.write(f"compiled {path}")
        if export:
            entries = worklist.todo(languages=languages)
            Path(export).write_text(
                json.dumps(entries, ensure_ascii=False, indent=2) + "\n", encoding="utf-8"
            )
            self.stdout.write(
                f"{len(entries['messages'])} strings to translate written to {export}"
            )
