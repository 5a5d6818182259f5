"""The signed tokens in alert links.

A confirmation link carries what the follower asked for (the alert, the
frequency, the language and the account, if any) and expires; nothing
changes until it comes back unaltered. An unsubscribe link never expires:
it must work in a digest read months later.
"""

from __future__ import annotations

from django.conf import settings
from django.core import signing

CONFIRM_SALT = "shelf.alerts.confirm"
UNSUBSCRIBE_SALT = "shelf.alerts.unsubscribe"


class BadToken(Exception):
    """Refused: forged, altered or (for a confirmation) expired."""

    def __init__(self, expired: bool = False):
        super().__init__("expired" if expired else "invalid")
        self.expired = expired


def confirmation(key: str, frequency: str, language: str, user_id: int | None) -> str:
    return signing.dumps({"k": key, "f": frequency, "l": language, "u": user_id}, salt=CONFIRM_SALT)


def read_confirmation(token: str) -> dict:
    try:
        data = signing.loads(
            token, salt=CONFIRM_SALT, max_age=settings.SHELF_ALERTS_CONFIRM_DAYS * 86400
        )
    except signing.SignatureExpired as e:
        raise BadToken(expired=True) from e
    except signing.BadSignature as e:
        raise BadToken from e
    if not isinstance(data, dict) or not isinstance(data.get("k"), str):
        raise BadToken
    return data


def unsubscribe(key: str) -> str:
    return signing.Signer(salt=UNSUBSCRIBE_SALT).sign(key)


def read_unsubscribe(token: str) -> str:
    try:
        return signing.Signer(salt=UNSUBSCRIBE_SALT).unsign(token)
    except signing.BadSignature as e:
        raise BadToken from e
