"""Catalogues that existed before OAI-PMH: every public item gets its live
record, dated by its last change. (Nothing was ever harvested, so nothing
is reported deleted.)"""

import re

from django.db import migrations

SET_VOCABULARIES = ("collection", "topic", "language")
SPEC_PART = re.compile(r"^[A-Za-z0-9\-_.!~*'()]+$")


def forwards(apps, schema_editor):
    Resource = apps.get_model("catalogue", "Resource")
    OaiRecord = apps.get_model("oai", "OaiRecord")
    through = Resource.terms.through
    public = Resource.objects.filter(status="published", visibility="public").order_by("pk")
    last = 0
    while batch := list(public.filter(pk__gt=last).values_list("pk", "updated")[:1000]):
        last = batch[-1][0]
        specs = {}
        rows = through.objects.filter(
            resource_id__in=[pk for pk, _ in batch], term__vocabulary__in=SET_VOCABULARIES
        ).values_list("resource_id", "term__vocabulary", "term__slug", "term_id")
        for pk, vocabulary, slug, term_id in rows:
            spec = f"{vocabulary}:{slug}" if SPEC_PART.match(slug) else f"{vocabulary}:~{term_id}"
            specs.setdefault(pk, set()).update((vocabulary, spec))
        OaiRecord.objects.bulk_create(
            [
                OaiRecord(
                    resource_id=pk,
                    datestamp=updated,
                    sets="|" + "|".join(sorted(specs[pk])) + "|" if pk in specs else "",
                )
                for pk, updated in batch
            ]
        )


class Migration(migrations.Migration):
    dependencies = [("oai", "0001_initial"), ("catalogue", "0002_revisions_publish_at_term_labels")]
    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
