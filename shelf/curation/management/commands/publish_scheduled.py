from django.core.management.base import BaseCommand

from shelf.curation.workflow import publish_due


class Command(BaseCommand):
    help = (
        "Publish approved resources whose publish date has come. "
        "Run it from cron, e.g. every five minutes: "
        "*/5 * * * * cd /srv/shelf && .venv/bin/shelf publish_scheduled"
    )

    def handle(self, *args, **options):
        published = publish_due()
        for resource in published:
            self.stdout.write(f"Published {resource.slug}")
        if options["verbosity"] > 1 or published:
            self.stdout.write(f"{len(published)} published.")
