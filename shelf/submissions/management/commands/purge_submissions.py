from django.conf import settings
from django.core.management.base import BaseCommand

from shelf.submissions.services import purge


class Command(BaseCommand):
    help = (
        "Delete suggestions whose sender never confirmed their e-mail address, sent more "
        "than --days days ago, with their files. Run it daily from cron: "
        "30 3 * * * cd /srv/shelf && .venv/bin/shelf purge_submissions"
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--days",
            type=int,
            default=settings.SHELF_SUGGEST_PURGE_DAYS,
            help="how old an unconfirmed suggestion must be (default: SHELF_SUGGEST_PURGE_DAYS, "
            f"{settings.SHELF_SUGGEST_PURGE_DAYS})",
        )

    def handle(self, *args, days, **options):
        if days < 0:
            self.stderr.write("--days must be 0 or more.")
            raise SystemExit(2)
        deleted = purge(days)
        if options["verbosity"] > 1 or deleted:
            self.stdout.write(f"{deleted} unconfirmed suggestion(s) deleted.")
