"""Following a search, confirming it and leaving it.

Whatever the address, following answers the same way and sends the same
confirmation e-mail, so the form never tells anyone whether an address
already follows a search. The alert changes only when the signed link in
that e-mail comes back.
"""

from __future__ import annotations

import datetime
import logging

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import EmailMessage
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation

from shelf.alerts import tokens
from shelf.alerts.describe import describe
from shelf.alerts.models import Alert, Frequency

log = logging.getLogger(__name__)

# One confirmation e-mail per alert in this time, however often the form is
# sent: nobody can flood someone else's inbox through it.
RESEND_AFTER = datetime.timedelta(minutes=10)


def normalise(email: str) -> str:
    # Lower-cased whole: no mail system in use tells John@ from john@, and
    # one address then holds one alert per search.
    return email.strip().lower()


def follow(*, email: str, query: str, frequency: str, language: str, user) -> None:
    """Record the wish to follow ``query`` and send the confirmation link
    (once commits succeed); nothing is sent until it is confirmed."""
    email = normalise(email)
    account = user.pk if user.is_authenticated and normalise(user.email) == email else None
    now = timezone.now()
    with transaction.atomic():
        alert, _created = Alert.objects.get_or_create(
            email=email, query=query, defaults={"frequency": frequency, "language": language}
        )
        alert = Alert.objects.select_for_update().get(pk=alert.pk)
        if alert.confirmation_sent and now - alert.confirmation_sent < RESEND_AFTER:
            return
        alert.confirmation_sent = now
        alert.save(update_fields=["confirmation_sent"])
        token = tokens.confirmation(alert.key, frequency, language, account)
        transaction.on_commit(
            lambda: send_confirmation(alert, token, language, account), robust=True
        )


def send_confirmation(alert: Alert, token: str, language: str, account: int | None) -> None:
    with translation.override(language):
        reader = get_user_model().objects.filter(pk=account).first() if account else None
        ctx = {
            "site_name": settings.SHELF_SITE_NAME,
            "what": describe(alert.search(), reader),
            "confirm_url": settings.SITE_ROOT + reverse("alerts:confirm", args=[token]),
            "days": settings.SHELF_ALERTS_CONFIRM_DAYS,
        }
        subject = " ".join(render_to_string("alerts/email/confirm_subject.txt", ctx).split())
        body = render_to_string("alerts/email/confirm.txt", ctx)
    message = EmailMessage(
        subject, body, to=[alert.email], headers={"Auto-Submitted": "auto-generated"}
    )
    try:
        message.send()
    except Exception:  # the follower can send the form again; nothing is lost
        log.exception("Could not send an alert confirmation")


def confirm(token: str) -> Alert:
    """Apply what the confirmation link carries. Raises BadToken for a
    forged, altered or expired link, or one whose alert is gone."""
    data = tokens.read_confirmation(token)
    with transaction.atomic():
        alert = Alert.objects.select_for_update().filter(key=data["k"]).first()
        if alert is None:
            raise tokens.BadToken
        now = timezone.now()
        if data.get("f") in Frequency.values:
            alert.frequency = data["f"]
        if data.get("l") in dict(settings.LANGUAGES):
            alert.language = data["l"]
        account = data.get("u")
        if account is not None:
            user = get_user_model().objects.filter(pk=account).first()
            if user is not None and normalise(user.email) == alert.email:
                alert.user = user
        alert.confirmed_at = alert.confirmed_at or now
        alert.since = alert.since or now
        alert.save()
    return alert


def unsubscribe(token: str) -> Alert | None:
    """Delete the alert the link names, with its digests' records; the alert
    as it was (None when it was gone already). Raises BadToken for a forged
    or altered link."""
    key = tokens.read_unsubscribe(token)
    with transaction.atomic():
        alert = Alert.objects.filter(key=key).first()
        if alert is not None:
            alert.delete()
    return alert


def purge_unconfirmed(now: datetime.datetime) -> int:
    """Forget addresses whose confirmation link has expired unused."""
    when = now - datetime.timedelta(days=settings.SHELF_ALERTS_CONFIRM_DAYS)
    _total, per_model = Alert.objects.unconfirmed_before(when).delete()
    return per_model.get(Alert._meta.label, 0)
