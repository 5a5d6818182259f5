from django.core.management.base import BaseCommand

from shelf.curation.notify import weekly_digest


class Command(BaseCommand):
    help = (
        "E-mail each editor the items they worked on whose review date has passed "
        "(superseded editions left out; items without a current editor go to the "
        "administrators). Run it weekly from cron, e.g. on Monday mornings: "
        "0 7 * * 1 cd /srv/shelf && .venv/bin/shelf review_digest"
    )

    def handle(self, *args, **options):
        sent = weekly_digest()
        if options["verbosity"] > 1 or sent:
            self.stdout.write(f"{sent} digest(s) sent.")
