"""Who calls the API: a token (``Authorization: Bearer shelf_...``), the
session of someone signed in, or nobody.

A request with a token acts as the token's account and needs no CSRF token
(a cross-site page cannot make the browser send an Authorization header).
A request that relies on the session cookie for a write is checked for
CSRF like any form. Token requests are rate-limited per token.
"""

from __future__ import annotations

import time

from django.conf import settings
from django.core.cache import cache
from django.middleware.csrf import CsrfViewMiddleware
from django.utils.translation import gettext as _

from shelf.api.models import ApiToken


class AuthError(Exception):
    def __init__(self, status: int, message: str, headers: dict | None = None):
        super().__init__(message)
        self.status = status
        self.message = message
        self.headers = headers or {}


def bearer(request) -> str | None:
    """The token of an ``Authorization: Bearer`` header, or None. Other
    schemes are left alone: a reverse proxy guarding a staging site with
    Basic authentication must not turn every request into a 401."""
    scheme, _sep, value = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() != "bearer":
        return None
    if not value.strip():
        raise AuthError(
            401,
            _("Send the token as “Authorization: Bearer <token>”."),
            {"WWW-Authenticate": 'Bearer realm="shelf", error="invalid_request"'},
        )
    return value.strip()


def authenticate(request) -> ApiToken | None:
    """Set ``request.user`` from the token, if there is one. Raises
    AuthError for a wrong, revoked or over-used token."""
    secret = bearer(request)
    if secret is None:
        return None
    token = ApiToken.objects.for_secret(secret)
    if token is None:
        raise AuthError(
            401,
            _("This token is not valid: it is mistyped, revoked, or its account is inactive."),
            {"WWW-Authenticate": 'Bearer realm="shelf", error="invalid_token"'},
        )
    throttle(token)
    token.touch()
    request.user = token.user
    request.api_token = token
    # Revisions and audit events name the token's account.
    request._cached_user = token.user
    return token


def throttle(token: ApiToken) -> None:
    """At most SHELF_API_RATE_LIMIT requests per token per minute, counted
    in the cache (per cache: give the nodes a shared cache to share it)."""
    limit = settings.SHELF_API_RATE_LIMIT
    now = time.time()
    window = int(now // 60)
    key = f"api-rate:{token.pk}:{window}"
    cache.add(key, 0, timeout=120)
    try:
        used = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, timeout=120)
        used = 1
    if used > limit:
        retry = int(60 - now % 60) + 1
        raise AuthError(
            429,
            _("Too many requests with this token: at most %(limit)s a minute.") % {"limit": limit},
            {"Retry-After": str(retry)},
        )


def _no_view(request):  # CsrfViewMiddleware needs a callable
    return None


def check_csrf(request) -> None:
    """A write carried by the session cookie must carry the CSRF token too."""
    rejected = CsrfViewMiddleware(_no_view).process_view(request, None, (), {})
    if rejected is not None:
        raise AuthError(403, _("CSRF check failed: send the CSRF token, or use an API token."))
