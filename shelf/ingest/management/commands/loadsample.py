from pathlib import Path

from django.core.management.base import BaseCommand

from shelf.catalogue.models import Resource
from shelf.catalogue.taxonomy import sync_terms
from shelf.ingest import formats
from shelf.ingest.services import import_records

SAMPLE = Path(__file__).resolve().parents[2] / "data" / "listing-sample.txt"


class Command(BaseCommand):
    help = (
        "Import the bundled sample listing, only if the catalogue has no resources yet "
        "(make run calls this on every start)."
    )

    def handle(self, *args, **options):
        if Resource.objects.exists():
            return
        sync_terms()
        records = formats.read(str(SAMPLE), "listing")
        report = import_records(records=records, source=SAMPLE.name, origin="listing")
        if options["verbosity"] >= 2:
            self.stdout.write(f"Loaded the sample listing: {len(report.created)} resources")
