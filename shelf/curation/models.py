from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class AppendOnlyError(RuntimeError):
    pass


class AuditEventQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise AppendOnlyError("The audit log is append-only.")

    def delete(self):
        raise AppendOnlyError("The audit log is append-only.")


class AuditEvent(models.Model):
    """One thing that happened: a sign-in, a publish, a deletion, an import.

    Rows are written once and never changed; use :func:`shelf.curation.audit.record`.
    """

    time = models.DateTimeField(_("time"), default=timezone.now, db_index=True)
    # No database constraint and no cascade: deleting an account must not
    # rewrite or remove what it did. ``actor_name`` keeps the name.
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="+",
        verbose_name=_("actor"),
    )
    actor_name = models.CharField(_("actor"), max_length=150, blank=True)
    action = models.CharField(_("action"), max_length=40, db_index=True)
    target_type = models.CharField(_("target type"), max_length=100, blank=True)
    target_id = models.CharField(_("target id"), max_length=64, blank=True)
    target_repr = models.CharField(_("target"), max_length=300, blank=True)
    details = models.JSONField(_("details"), default=dict, blank=True, encoder=DjangoJSONEncoder)

    objects = AuditEventQuerySet.as_manager()

    class Meta:
        verbose_name = _("audit event")
        verbose_name_plural = _("audit log")
        ordering = ["-time", "-id"]
        indexes = [models.Index(fields=["target_type", "target_id"])]
        default_permissions = ("view",)

    def __str__(self) -> str:
        return (
            f"{self.time:%Y-%m-%d %H:%M} {self.actor_name or '-'} {self.action} {self.target_repr}"
        )

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise AppendOnlyError("The audit log is append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnlyError("The audit log is append-only.")


class TermRedirect(models.Model):
    """An old slug of a term: kept when a term is renamed or merged into
    another, so links and saved searches with the old slug still work (the
    listing and the API redirect them to the term's slug of today)."""

    vocabulary = models.CharField(_("vocabulary"), max_length=20)
    slug = models.CharField(_("old slug"), max_length=100)
    term = models.ForeignKey(
        "catalogue.Term", on_delete=models.CASCADE, related_name="+", verbose_name=_("term")
    )
    created = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("old term slug")
        verbose_name_plural = _("old term slugs")
        constraints = [
            models.UniqueConstraint(fields=["vocabulary", "slug"], name="term_redirect_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.vocabulary}={self.slug} -> {self.term.slug}"
