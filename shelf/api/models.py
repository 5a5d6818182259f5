"""API tokens: how scripts and partners' systems act as an account.

A token is shown once, when an administrator creates it in the admin, and
only its SHA-256 is stored: a copy of the database does not give anyone
the tokens. Tokens are long random strings, so a fast hash is enough (a
password hash exists to slow down guessing of short secrets).
"""

from __future__ import annotations

import hashlib
import secrets

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

PREFIX = "shelf_"


def digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class ApiTokenQuerySet(models.QuerySet):
    def active(self) -> ApiTokenQuerySet:
        return self.filter(revoked__isnull=True, user__is_active=True)

    def for_secret(self, token: str) -> ApiToken | None:
        """The active token with this secret, or None."""
        if not token.startswith(PREFIX) or len(token) > 200:
            return None
        return self.active().select_related("user").filter(digest=digest(token)).first()


class ApiToken(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="api_tokens",
        verbose_name=_("account"),
    )
    name = models.CharField(
        _("name"), max_length=100, help_text=_("What the token is for, e.g. “partner import”.")
    )
    # The first characters, to tell tokens apart in the admin and the audit
    # log without storing the secret.
    prefix = models.CharField(_("starts with"), max_length=20, editable=False)
    digest = models.CharField(max_length=64, unique=True, editable=False)
    created = models.DateTimeField(_("created"), default=timezone.now, editable=False)
    last_used = models.DateTimeField(_("last used"), null=True, blank=True, editable=False)
    revoked = models.DateTimeField(_("revoked"), null=True, blank=True, editable=False)

    objects = ApiTokenQuerySet.as_manager()

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")
        ordering = ["-created"]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    def issue(self) -> str:
        """Give the token a new secret and return it; only its digest is kept."""
        secret = PREFIX + secrets.token_urlsafe(32)
        self.prefix = secret[: len(PREFIX) + 6]
        self.digest = digest(secret)
        return secret

    @property
    def is_active(self) -> bool:
        return self.revoked is None and self.user.is_active

    def touch(self) -> None:
        """Note the use, at most once a minute (not a write per request)."""
        now = timezone.now()
        if self.last_used is None or (now - self.last_used).total_seconds() > 60:
            self.last_used = now
            ApiToken.objects.filter(pk=self.pk).update(last_used=now)
