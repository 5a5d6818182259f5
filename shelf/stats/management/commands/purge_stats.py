from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from shelf.stats.models import DailyCount


class Command(BaseCommand):
    help = (
        "Delete the words of searches that found nothing once they are older than "
        "SHELF_STATS_QUERY_DAYS days (default 30); the other counts hold no words "
        "and are kept. Run it daily from cron, e.g. "
        "30 3 * * * cd /srv/shelf && .venv/bin/shelf purge_stats"
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--days",
            type=int,
            default=None,
            help="keep this many days instead of SHELF_STATS_QUERY_DAYS",
        )

    def handle(self, *args, days=None, **options):
        keep = settings.STATS_QUERY_DAYS if days is None else days
        if keep < 1:
            raise CommandError("--days must be 1 or more.")
        deleted = DailyCount.objects.purge_queries(keep)
        if options["verbosity"] > 1 or deleted:
            self.stdout.write(f"{deleted} search-word counts deleted.")
