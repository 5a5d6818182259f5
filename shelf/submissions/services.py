"""Suggestions from the form to the catalogue: receive, confirm, decide.

Each step is one transaction; e-mails to the sender go after the commit, in
the language they used the site in. A file is checked by the files app's
own checks (:func:`shelf.files.services.received`) before anything is
saved, and attached through :func:`shelf.files.services.attach_file` when a
curator accepts or merges, so a suggested file passes the same gate twice.
"""

from __future__ import annotations

import logging
import uuid

from django.conf import settings
from django.core import signing
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files import File
from django.core.mail import EmailMessage, get_connection
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.text import slugify
from django.utils.translation import gettext as _

from shelf.catalogue.models import Resource, Status, Term
from shelf.curation import audit
from shelf.files import services as files
from shelf.lib import languages
from shelf.submissions.models import State, Submission

log = logging.getLogger(__name__)

DIRECT = "submissions.submit_directly"
ACCEPT = "catalogue.add_resource"
MERGE = "catalogue.change_resource"
DECIDE = "submissions.change_submission"
CONFIRM_SALT = "shelf.submissions.confirm"

RECEIVED, ACCEPTED, MERGED, REJECTED = (
    "suggestion received",
    "suggestion accepted",
    "suggestion merged",
    "suggestion rejected",
)


class DecisionError(ValueError):
    """A decision that cannot be made now; the message says why."""


def can_submit_directly(user) -> bool:
    return bool(user and user.is_authenticated and user.has_perm(DIRECT))


@transaction.atomic
def submit(*, fields: dict, terms: list[Term], upload, user, language: str) -> Submission:
    """Save a suggestion from the form. A trusted partner's becomes a draft
    at once; anyone else's waits for its sender to confirm their address.
    Raises ValidationError (code on the file's problem) having saved nothing."""
    submission = Submission(**fields, interface_language=language)
    if user and user.is_authenticated:
        submission.submitted_by = user
    if upload is not None:
        with files.received(upload) as received:
            submission.filename = received.filename
            submission.content_type = received.content_type
            submission.size = received.size
            submission.sha256 = received.sha256
            submission.file.save(received.filename, File(received.tmp), save=False)
    try:
        submission.save()
        submission.terms.set(terms)
        audit.record(user, RECEIVED, submission, direct=can_submit_directly(user))
        if can_submit_directly(user):
            submission.confirmed = timezone.now()
            submission.state = State.PENDING
            submission.save(update_fields=["confirmed", "state"])
            accept(submission, user, permission=DIRECT)
            submission.refresh_from_db()
        else:
            send_to_sender(submission, "confirm", url=confirmation_url(submission))
    except BaseException:
        if submission.file:
            submission.file.storage.delete(submission.file.name)
        raise
    return submission


# Confirming the sender's address.


def confirmation_token(submission: Submission) -> str:
    return signing.TimestampSigner(salt=CONFIRM_SALT).sign_object(
        {"id": submission.pk, "email": submission.email}
    )


def confirmation_url(submission: Submission) -> str:
    with translation.override(submission.interface_language):
        path = reverse("submissions:confirm", args=[confirmation_token(submission)])
    return settings.SITE_ROOT + path


def from_token(token: str) -> Submission | None:
    """The suggestion a confirmation link names. Raises
    signing.SignatureExpired for a link past its time, signing.BadSignature
    for one that was changed; None when the suggestion is gone (purged)."""
    data = signing.TimestampSigner(salt=CONFIRM_SALT).unsign_object(
        token, max_age=settings.SHELF_SUGGEST_CONFIRM_HOURS * 3600
    )
    if not isinstance(data, dict):
        raise signing.BadSignature("not a confirmation")
    return Submission.objects.filter(pk=data.get("id"), email=data.get("email")).first()


@transaction.atomic
def confirm(submission: Submission) -> bool:
    submission = Submission.objects.select_for_update().get(pk=submission.pk)
    if not submission.confirm():
        return False
    audit.record(None, "suggestion confirmed", submission)
    return True


# Curators' decisions.


def _open(submission: Submission, actor, permission: str) -> Submission:
    if not (actor and actor.has_perm(permission)):
        raise PermissionDenied(_("Your role may not decide on suggestions."))
    locked = Submission.objects.select_for_update().get(pk=submission.pk)
    if locked.state != State.PENDING:
        raise DecisionError(
            _("“%(title)s” is no longer waiting: it is %(state)s.")
            % {"title": locked.title, "state": locked.get_state_display()}
        )
    return locked


def _attach(submission: Submission, resource: Resource, actor):
    if not submission.file:
        return None
    with submission.file.open("rb") as handle:
        return files.attach_file(
            resource=resource, upload=File(handle, name=submission.filename), user=actor
        )


def _decided(submission: Submission, state: str, actor, **changes) -> None:
    for name, value in changes.items():
        setattr(submission, name, value)
    submission.state = state
    submission.decided = timezone.now()
    submission.decided_by = actor if getattr(actor, "is_authenticated", False) else None
    # The file now lives with the resource (or was refused): the copy goes.
    submission.delete_stored_file()
    submission.file = ""
    submission.save()


def publisher_term(name: str) -> Term | None:
    """The publisher term with this name or alias, or a new one (as an
    import makes one for a publisher it does not know)."""
    name = " ".join(name.split())
    if not name:
        return None
    publishers = Term.objects.filter(vocabulary="publisher")
    found = publishers.filter(label__iexact=name).first()
    if found is None:
        folded = name.casefold()
        found = next(
            (t for t in publishers if any(folded == a.casefold() for a in t.aliases)), None
        )
    if found is None:
        base = slugify(name, allow_unicode=True)[:90] or "publisher"
        slug, n = base, 1
        while publishers.filter(slug=slug).exists():
            n += 1
            slug = f"{base}-{n}"
        found = Term.objects.create(vocabulary="publisher", slug=slug, label=name)
    return found


def language_term(code: str) -> Term:
    found, _created = Term.objects.get_or_create(
        vocabulary="language",
        slug=languages.slug(code),
        defaults={"label": languages.language_label(code)},
    )
    return found


@transaction.atomic
def accept(submission: Submission, actor, *, permission: str = ACCEPT) -> Resource:
    """A draft from the suggestion, with its file, its terms, the publisher
    and the language; a reviewer publishes it as any other draft. A trusted
    partner's own suggestion is accepted with ``permission=DIRECT``."""
    from shelf.api.write import unique_slug

    submission = _open(submission, actor, permission)
    resource = Resource(
        key=f"suggestion:{submission.pk}:{uuid.uuid4().hex[:8]}",
        slug=unique_slug(submission.title),
        title=submission.title,
        summary=submission.summary,
        language=submission.language,
        source_url=submission.url,
        status=Status.DRAFT,
    )
    resource._history_user = actor
    resource._change_reason = f"from suggestion {submission.pk}"
    # One revision, terms included (as the admin and the API save).
    resource.skip_history_when_saving = True
    resource.save()
    terms = [*submission.terms.all(), language_term(submission.language)]
    if publisher := publisher_term(submission.publisher):
        terms.append(publisher)
    resource.terms.set(terms)
    del resource.skip_history_when_saving
    resource.save()
    attached = _attach(submission, resource, actor)
    _decided(submission, State.ACCEPTED, actor, resource=resource)
    audit.record(
        actor,
        ACCEPTED,
        resource,
        submission=submission.pk,
        file=attached.pk if attached else None,
        direct=permission == DIRECT,
    )
    if permission != DIRECT:  # a partner sees the outcome on the page
        send_to_sender(submission, "accepted")
    return resource


@transaction.atomic
def merge(submission: Submission, target: Resource, actor) -> list[str]:
    """Add the suggestion's file and link to ``target``; returns what was
    left out and why (a link where the item has another, a file it has)."""
    submission = _open(submission, actor, MERGE)
    notes = []
    if submission.url and submission.url != target.source_url:
        if target.source_url:
            notes.append(
                _("The item already links to %(url)s; the suggested link was not used.")
                % {"url": target.source_url}
            )
        else:
            target.source_url = submission.url
            target._history_user = actor
            target._change_reason = f"link from suggestion {submission.pk}"
            target.save()
    attached = None
    if submission.file:
        try:
            attached = _attach(submission, target, actor)
        except ValidationError as e:
            if e.code != "duplicate":
                raise
            notes.append(_("The item already has this file."))
    _decided(submission, State.MERGED, actor, resource=target)
    audit.record(
        actor,
        MERGED,
        target,
        submission=submission.pk,
        file=attached.pk if attached else None,
        link=target.source_url == submission.url and bool(submission.url),
    )
    send_to_sender(submission, "merged", target=target if target.is_visible_to(None) else None)
    return notes


@transaction.atomic
def reject(submission: Submission, actor, reason: str) -> None:
    reason = " ".join(reason.split())
    if not reason:
        raise DecisionError(_("Give a reason; the sender is told it."))
    submission = _open(submission, actor, DECIDE)
    _decided(submission, State.REJECTED, actor, reason=reason)
    audit.record(actor, REJECTED, submission, reason=reason)
    send_to_sender(submission, "rejected")


def purge(days: int) -> int:
    """Delete unconfirmed suggestions older than ``days`` days, and their files."""
    count = 0
    for submission in Submission.objects.stale(days).iterator():
        with transaction.atomic():
            submission.delete_stored_file()
            submission.delete()
        count += 1
    return count


# E-mail to the sender.


def send_to_sender(submission: Submission, template: str, **extra) -> None:
    """One e-mail in the sender's language, sent once the transaction commits."""
    with translation.override(submission.interface_language):
        ctx = {
            "site_name": settings.SHELF_SITE_NAME,
            "site_root": settings.SITE_ROOT,
            "submission": submission,
            "hours": settings.SHELF_SUGGEST_CONFIRM_HOURS,
            **extra,
        }
        subject = render_to_string(f"submissions/email/{template}_subject.txt", ctx)
        body = render_to_string(f"submissions/email/{template}.txt", ctx)
    message = EmailMessage(
        f"[{settings.SHELF_SITE_NAME}] {' '.join(subject.split())}", body, to=[submission.email]
    )

    def send():
        try:
            get_connection().send_messages([message])
        except Exception:  # a mail server's trouble must not undo a decision
            log.exception("Could not send the %s e-mail of suggestion %s", template, submission.pk)

    transaction.on_commit(send, robust=True)
