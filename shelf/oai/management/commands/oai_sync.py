from django.core.management.base import BaseCommand

from shelf.oai import ledger


class Command(BaseCommand):
    help = (
        "Bring the OAI-PMH ledger up to date with the catalogue: every public item gets a "
        "live record with a new datestamp, every item no longer public is reported deleted. "
        "Only needed after writes that bypassed Shelf (raw SQL); every change made through "
        "Shelf keeps the ledger current by itself."
    )

    def handle(self, *args, **options):
        live = ledger.rebuild()
        if options["verbosity"] >= 1:
            self.stdout.write(f"{live} live OAI-PMH records")
