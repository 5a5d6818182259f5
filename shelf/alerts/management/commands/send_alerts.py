from django.core.management.base import BaseCommand

from shelf.alerts.digests import send_due


class Command(BaseCommand):
    help = (
        "E-mail each confirmed search alert that is due (daily: a day after its last "
        "digest; weekly: a week after) the resources new or updated in its search since "
        "the last digest, as its subscriber may see them, in the subscriber's language. "
        "Sends nothing when nothing is new, never sends the same item twice, and forgets "
        "alerts never confirmed once their link has expired. Run it from cron, e.g. every "
        "morning: 0 6 * * * cd /srv/shelf && .venv/bin/shelf send_alerts"
    )

    def handle(self, *args, **options):
        report = send_due()
        for failure in report.failed:
            self.stderr.write(failure)
        if options["verbosity"] > 1 or report.sent or report.failed:
            self.stdout.write(
                f"{report.sent} digest(s) sent, {report.checked} alert(s) due, "
                f"{len(report.failed)} failed, {report.purged} unconfirmed alert(s) forgotten."
            )
