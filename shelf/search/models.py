from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class CurrentTransaction(models.Func):
    """The id of the transaction being run (PostgreSQL); SQLite, whose ids
    are in commit order anyway, gets 0. See shelf.search.feed."""

    output_field = models.BigIntegerField()

    def as_sql(self, compiler, connection, **extra_context):
        return "0", []

    def as_postgresql(self, compiler, connection, **extra_context):
        return "(pg_current_xact_id()::text::bigint)", []


class SearchChange(models.Model):
    """The change feed: one row per changed resource, written in the same
    transaction as the change. Every web worker on every node applies the
    rows after the id it has seen to its own copy of the index, so any
    number of stateless nodes share one database and stay current.
    A row without a resource says "reload synonyms and terms"."""

    resource_id = models.BigIntegerField(null=True, db_index=False)
    created = models.DateTimeField(auto_now_add=True)
    # Set by the database on insert, so it is the writer's own transaction.
    txid = models.BigIntegerField(null=True, db_index=True, db_default=CurrentTransaction())

    class Meta:
        verbose_name = _("search change")
        verbose_name_plural = _("search changes")

    def __str__(self) -> str:
        return f"{self.pk}: {self.resource_id}"


class Synonym(models.Model):
    """Words and phrases a reader may use for the same thing; a search for
    any of them finds the others."""

    alternatives = models.TextField(
        _("alternatives"), help_text=_("One word or phrase per line, e.g. smacking / spanking.")
    )
    note = models.CharField(_("note"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("synonym")
        verbose_name_plural = _("synonyms")
        ordering = ["alternatives"]

    def __str__(self) -> str:
        return " / ".join(self.phrases())

    def phrases(self) -> list[str]:
        return [line.strip() for line in self.alternatives.splitlines() if line.strip()]
