from django.db import models

from shelf.catalogue.models import Resource


class Baseline(models.Model):
    """What an import source last said about a resource: the values it gave
    each field, and the terms it gave each vocabulary. A later import of the
    same source compares the resource with this: a field that differs was
    changed since (by a curator, the admin, another sheet), and the import
    leaves it unless told to overwrite curated work."""

    resource = models.ForeignKey(Resource, on_delete=models.CASCADE, related_name="+")
    # "listing", "csv", "json", or what ``shelf import --source`` names.
    source = models.CharField(max_length=100)
    # {"title": "...", "summary": "#<digest>", "date": "2020-03-01",
    #  "terms:audience": [3, 7], ...}: long texts as a digest of them.
    values = models.JSONField(default=dict)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["resource", "source"], name="baseline_unique_source"),
        ]

    def __str__(self) -> str:
        return f"{self.source} baseline of resource {self.resource_id}"
