from django.core.management.base import BaseCommand

from shelf.packs.models import Pack


class Command(BaseCommand):
    help = (
        "Delete offline packs older than SHELF_PACK_DAYS, their zip files with them "
        "(e.g. daily from cron)."
    )

    def handle(self, *args, **options):
        deleted = 0
        for pack in Pack.objects.expired().iterator():
            # The file first: a row left without its file is harmless, a file
            # without its row would never be found again.
            pack.delete_zip()
            pack.delete()
            deleted += 1
        if options["verbosity"]:
            self.stdout.write(f"Deleted {deleted} expired packs")
