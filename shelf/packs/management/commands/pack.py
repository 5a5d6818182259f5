import sys
import time
from pathlib import Path

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.core.management.base import BaseCommand, CommandError
from django.http import QueryDict

from shelf.packs import builder
from shelf.search import browse
from shelf.search.facets import FACETS

LANGUAGE_CODES = {code.lower() for code, _name in settings.LANGUAGES}


class Command(BaseCommand):
    help = (
        "Write an offline pack of a listing to a zip: a static site with every item, its files, "
        "facet pages and a search, that opens from file:// without a network. Facets and --q "
        "choose the items as the listing page does (repeat a facet for several values); public "
        "items only unless --include-members-only."
    )

    def add_arguments(self, parser):
        parser.add_argument("-o", "--output", required=True, help="the zip file to write")
        parser.add_argument("--q", default="", help="search words, as in the search box")
        for facet in FACETS:
            parser.add_argument(
                f"--{facet.name}",
                action="append",
                default=[],
                metavar="VALUE",
                help=f"only items with this {facet.name} (a slug; repeat for several)"
                if facet.name != "year"
                else "only items of this year (repeat for several)",
            )
        parser.add_argument(
            "--sort", default="relevance", choices=list(browse.SORTS), help="order of the index"
        )
        parser.add_argument(
            "--interface",
            default="",
            help="language of the pack's pages (default: the --language chosen, if the site "
            f"speaks it, else {settings.LANGUAGE_CODE})",
        )
        parser.add_argument(
            "--include-members-only",
            action="store_true",
            help="also members-only items (the pack is then for members only)",
        )

    def handle(self, *args, **options):
        params = QueryDict(mutable=True)
        params["q"] = options["q"]
        params["sort"] = options["sort"]
        for facet in FACETS:
            params.setlist(facet.name, options[facet.name])
        language = interface_language(options["interface"], options["language"])
        out = Path(options["output"])
        # A member reads what every member may: published items, members-only too.
        user = Member() if options["include_members_only"] else AnonymousUser()
        bar = Bar(sys.stderr) if sys.stderr.isatty() and options["verbosity"] else None
        start = time.perf_counter()
        tmp = out.with_name(out.name + ".part")
        try:
            built = builder.build(browse.parse(params), user, tmp, language=language, progress=bar)
        except (browse.QueryError, builder.PackError) as problem:
            tmp.unlink(missing_ok=True)
            raise CommandError(str(problem)) from None
        except BaseException:
            tmp.unlink(missing_ok=True)
            raise
        tmp.replace(out)
        if bar:
            bar.done()
        if options["verbosity"]:
            self.stdout.write(
                f"Wrote {out}: {built.items} items, {built.files} files, "
                f"{built.size / 1e6:.1f} MB in {time.perf_counter() - start:.1f} s"
            )


def interface_language(asked: str, chosen: list[str]) -> str:
    if asked:
        if asked.lower() not in LANGUAGE_CODES:
            raise CommandError(
                f"Unknown interface language {asked}; use one of: "
                + ", ".join(code for code, _name in settings.LANGUAGES)
            )
        return asked
    if len(chosen) == 1 and chosen[0].lower() in LANGUAGE_CODES:
        return chosen[0]
    return settings.LANGUAGE_CODE


class Member(AnonymousUser):
    """Reads as any signed-in member: the catalogue's rule is by sign-in."""

    @property
    def is_authenticated(self):
        return True


class Bar:
    """A one-line progress bar on a terminal."""

    WIDTH = 30

    def __init__(self, stream):
        self.stream = stream

    def __call__(self, done: int, total: int) -> None:
        filled = self.WIDTH * done // total
        bar = "#" * filled + "-" * (self.WIDTH - filled)
        self.stream.write(f"\r[{bar}] {done}/{total} items")
        self.stream.flush()

    def done(self) -> None:
        self.stream.write("\n")
