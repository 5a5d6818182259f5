from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from shelf.links import services


class Command(BaseCommand):
    help = (
        "Collect the links of every item (its source URL and the web addresses in its "
        "summary and body) and check those checked longest ago: HEAD, then GET when HEAD "
        "is refused, redirects followed and recorded, one request at a time per host. "
        "Items none of whose links work after SHELF_LINKS_DEAD_AFTER checks in a row are "
        "sent for review. Run it from cron, e.g. every night: "
        "30 3 * * * cd /srv/shelf && flock -n var/check_links.lock .venv/bin/shelf check_links"
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--limit",
            type=int,
            default=settings.SHELF_LINKS_PER_RUN,
            help="links to check in this run, the oldest checked first "
            "(default: SHELF_LINKS_PER_RUN, %(default)s)",
        )
        parser.add_argument(
            "--collect-only",
            action="store_true",
            help="bring the list of links up to date, check nothing",
        )

    def handle(self, *args, limit, collect_only, **options):
        if limit < 0:
            raise CommandError("--limit must be 0 or more.")
        collected = services.collect()
        self.stdout.write(
            f"{collected.items} item(s) read: {collected.added} link(s) added, "
            f"{collected.removed} removed."
        )
        if collect_only:
            return
        checked = services.check(limit=limit)
        self.stdout.write(
            f"{checked.checked} link(s) checked, {checked.broken} broken; "
            f"{checked.flagged} item(s) sent for review, {checked.unflagged} working again."
        )
