from django.db import models
from django.utils.translation import gettext_lazy as _


class OaiRecord(models.Model):
    """What harvesters have been shown: one row per resource that was ever
    public, kept after it stops being public (deleted, archived, unpublished,
    made members-only) so the repository can say "deleted" from then on.

    ``resource_id`` is no foreign key: the row outlives the resource.
    Written by :mod:`shelf.oai.ledger` from every path that changes a resource.
    """

    resource_id = models.BigIntegerField(_("resource id"), unique=True)
    # The last change harvesters should see: an edit, a publish, a withdrawal.
    datestamp = models.DateTimeField(_("datestamp"))
    deleted = models.BooleanField(_("deleted"), default=False)
    # The record's setSpecs as "|topic|topic:grooming|language|language:en|",
    # kept as they were when it was withdrawn so selective harvests see the
    # deletion in the sets the record was in.
    sets = models.TextField(_("sets"), blank=True)

    class Meta:
        verbose_name = _("OAI-PMH record")
        verbose_name_plural = _("OAI-PMH records")
        indexes = [models.Index(fields=["datestamp", "resource_id"], name="oai_record_cursor")]

    def __str__(self) -> str:
        return f"{self.resource_id} {'deleted' if self.deleted else 'live'} {self.datestamp}"

    @property
    def set_specs(self) -> list[str]:
        return [s for s in self.sets.split("|") if s]
