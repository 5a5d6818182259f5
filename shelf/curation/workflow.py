"""The editorial workflow: draft -> in review -> published -> archived.

Which transitions exist, from which states, and which permission each needs
are declared in ``TRANSITIONS``; :func:`apply` is the one way a status
changes, and it checks the actor's permission itself, so the admin's hidden
buttons are a convenience, not the guard. Editors may send drafts to review;
only reviewers (``catalogue.publish_resource``) publish, even their own drafts.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from shelf.catalogue.models import Resource, Status
from shelf.curation import audit

EDIT = "catalogue.change_resource"
PUBLISH = "catalogue.publish_resource"


class WorkflowError(ValueError):
    """A transition that cannot happen now; the message says why."""


@dataclass(frozen=True)
class Transition:
    name: str
    label: str
    sources: frozenset[str]
    target: str
    permission: str
    needs_reason: bool = False


TRANSITIONS = {
    t.name: t
    for t in [
        Transition("submit", _("Send to review"), frozenset({Status.DRAFT}), Status.REVIEW, EDIT),
        Transition(
            "publish",
            _("Publish"),
            frozenset({Status.DRAFT, Status.REVIEW}),
            Status.PUBLISHED,
            PUBLISH,
        ),
        Transition(
            "reject",
            _("Reject"),
            frozenset({Status.REVIEW}),
            Status.DRAFT,
            PUBLISH,
            needs_reason=True,
        ),
        Transition(
            "unpublish", _("Unpublish"), frozenset({Status.PUBLISHED}), Status.DRAFT, PUBLISH
        ),
        Transition(
            "archive",
            _("Archive"),
            frozenset({Status.DRAFT, Status.REVIEW, Status.PUBLISHED}),
            Status.ARCHIVED,
            PUBLISH,
        ),
        # Archived items are usually out of date: back to draft, to be checked
        # and published again.
        Transition("restore", _("Restore"), frozenset({Status.ARCHIVED}), Status.DRAFT, PUBLISH),
    ]
}
SCHEDULE = "schedule"


def allowed(resource: Resource, user) -> list[Transition]:
    """The transitions ``user`` may apply to ``resource`` now."""
    return [
        t
        for t in TRANSITIONS.values()
        if resource.status in t.sources and user.has_perm(t.permission)
    ]


def check(resource: Resource, name: str, actor) -> Transition:
    transition = TRANSITIONS.get(name)
    if transition is None:
        raise WorkflowError(_("Unknown action %(name)s.") % {"name": name})
    if not (actor and actor.has_perm(transition.permission)):
        raise PermissionDenied(_("Your role may not %(action)s resources.") % {"action": name})
    if resource.status not in transition.sources:
        raise WorkflowError(
            _("“%(title)s” is %(status)s; it cannot be %(action)s from there.")
            % {"title": resource.title, "status": resource.get_status_display(), "action": name}
        )
    return transition


@transaction.atomic
def apply(
    resource: Resource,
    name: str,
    actor,
    *,
    reason: str = "",
    publish_at: datetime.datetime | None = None,
    notify: bool = True,
) -> Resource:
    """Move ``resource`` through transition ``name`` as ``actor``.

    Publishing with a ``publish_at`` in the future approves the item and
    leaves it in review until ``shelf publish_scheduled`` publishes it.
    Raises PermissionDenied for a role that may not, WorkflowError for a
    transition that does not start from the item's status or lacks a reason.
    """
    transition = check(resource, name, actor)
    reason = " ".join(reason.split())
    if transition.needs_reason and not reason:
        raise WorkflowError(_("Give a reason, so the editor knows what to change."))

    before = resource.status
    now = timezone.now()
    action = name
    if name == "publish" and publish_at and publish_at > now:
        action = SCHEDULE
        resource.status = Status.REVIEW
        resource.publish_at = publish_at
    else:
        resource.status = transition.target
        resource.publish_at = None
        if transition.target == Status.PUBLISHED:
            # Publishing is a review: the item was read and found current.
            resource.last_reviewed = timezone.localdate(now)
    resource._history_user = actor
    resource._change_reason = (f"{action}: {reason}" if reason else action)[:100]
    resource.save()
    # The reason belongs to this revision, not to later saves of the object.
    del resource._change_reason
    scheduled = {}
    if action == SCHEDULE:
        # The version the reviewer approved: publish_due publishes it only.
        scheduled = {"publish_at": publish_at, "revision": latest_revision_id(resource)}
    audit.record(
        actor,
        action,
        resource,
        status_before=before,
        status=resource.status,
        **({"reason": reason} if reason else {}),
        **scheduled,
    )
    if notify:
        notify_step([resource], action, actor, reason)
    return resource


def notify_step(resources: list[Resource], action: str, actor, reason: str = "") -> None:
    """The e-mails a step sends: reviewers hear of items sent to them,
    editors of their items published or sent back."""
    from shelf.curation import notify

    if action == "submit":
        notify.sent_to_review(resources, actor)
    elif action in ("publish", "reject"):
        notify.decided(resources, action, actor, reason)


def latest_revision_id(resource: Resource) -> int | None:
    return (
        resource.history.order_by("-history_date", "-history_id")
        .values_list("history_id", flat=True)
        .first()
    )


WITHDRAWN = "approval withdrawn"


def withdraw_approval(resource: Resource, actor, **details) -> None:
    """Cancel an approval for a later date, leaving the item in review:
    it changed after the reviewer read it. The caller saves ``resource``."""
    scheduled_for = resource.publish_at
    resource.publish_at = None
    audit.record(actor, WITHDRAWN, resource, scheduled_for=scheduled_for, **details)


def is_approved_version(resource: Resource) -> bool:
    """Whether the item's latest revision is the one a reviewer approved
    (any save after the approval, by any path, makes a newer revision)."""
    from shelf.curation.models import AuditEvent

    approval = (
        AuditEvent.objects.filter(
            target_type=resource._meta.label_lower, target_id=str(resource.pk), action=SCHEDULE
        )
        .order_by("-id")
        .first()
    )
    revision = approval and approval.details.get("revision")
    return revision is not None and revision == latest_revision_id(resource)


def last_transition(resource: Resource):
    """The latest workflow event of ``resource`` (who sent it back and why)."""
    from shelf.curation.models import AuditEvent

    actions = [*TRANSITIONS, SCHEDULE, WITHDRAWN]
    return (
        AuditEvent.objects.filter(
            target_type=resource._meta.label_lower, target_id=str(resource.pk), action__in=actions
        )
        .order_by("-id")
        .first()
    )


def publish_due(now: datetime.datetime | None = None) -> list[Resource]:
    """Publish every approved item whose time has come. Each is saved on
    its own, like any other publish, so revisions and the search index see it."""
    now = now or timezone.now()
    due = Resource.objects.filter(status=Status.REVIEW, publish_at__lte=now).order_by("publish_at")
    published = []
    for resource in due:
        with transaction.atomic():
            if not is_approved_version(resource):
                withdraw_approval(resource, None, reason="changed after approval")
                resource._change_reason = WITHDRAWN
                resource.save()
                continue
            resource.status = Status.PUBLISHED
            scheduled_for = resource.publish_at
            resource.publish_at = None
            resource.last_reviewed = timezone.localdate(now)
            resource._change_reason = "publish: scheduled"
            resource.save()
            audit.record(
                None,
                "publish",
                resource,
                status_before=Status.REVIEW,
                status=Status.PUBLISHED,
                scheduled_for=scheduled_for,
            )
            notify_step([resource], "publish", None)
        published.append(resource)
    return published
