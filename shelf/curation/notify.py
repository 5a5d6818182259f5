"""E-mail to curators: items sent to review (to reviewers), items published
or sent back (to the editor who sent them), and a weekly digest of items past
their review date (to their editors).

Every message goes only to active staff whose role may see the item in the
admin *now* (a former editor, demoted to member, gets nothing about a
members-only draft), never to the person who acted, and only to those who
left that notification on in their account settings. Messages are sent after
the transaction commits, through Django's e-mail backend (the console by
default); a mail server that fails is logged and loses no curator's work.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Iterable

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.core.mail import EmailMessage, get_connection
from django.db import transaction
from django.db.models import Q
from django.template.loader import render_to_string
from django.urls import reverse

from shelf.catalogue.models import Resource
from shelf.curation import workflow

log = logging.getLogger(__name__)

REVIEW, OUTCOME, DIGEST = "notify_review", "notify_outcome", "weekly_digest"


def holders(permission: str):
    """Active accounts holding ``permission`` (by role, directly or as superuser)."""
    app_label, codename = permission.split(".", 1)
    perm = Permission.objects.filter(content_type__app_label=app_label, codename=codename).first()
    users = get_user_model().objects.filter(is_active=True).exclude(email="")
    return users.filter(
        Q(is_superuser=True) | Q(groups__permissions=perm) | Q(user_permissions=perm)
    ).distinct()


def wants(user, setting: str, permission: str) -> bool:
    from shelf.accounts.models import Profile

    return (
        user.is_active
        and user.is_staff
        and bool(user.email)
        and user.has_perm(permission)
        and getattr(Profile.of(user), setting)
    )


def admin_url(resource: Resource) -> str:
    return settings.SITE_ROOT + reverse("admin:catalogue_resource_change", args=[resource.pk])


def context(**extra) -> dict:
    return {"site_name": settings.SHELF_SITE_NAME, "site_root": settings.SITE_ROOT, **extra}


def message(user, template: str, **extra) -> EmailMessage:
    ctx = context(user=user, **extra)
    subject = " ".join(render_to_string(f"curation/email/{template}_subject.txt", ctx).split())
    body = render_to_string(f"curation/email/{template}.txt", ctx)
    return EmailMessage(f"[{settings.SHELF_SITE_NAME}] {subject}", body, to=[user.email])


def send(messages: list[EmailMessage]) -> None:
    if not messages:
        return
    try:
        get_connection().send_messages(messages)
    except Exception:  # the mail server's trouble must not undo curators' work
        log.exception("Could not send %d notification(s)", len(messages))


def send_after_commit(build) -> None:
    transaction.on_commit(lambda: send(build()), robust=True)


def items(resources: Iterable[Resource]) -> list[dict]:
    return [{"resource": r, "url": admin_url(r)} for r in resources]


def sent_to_review(resources: list[Resource], actor) -> None:
    """To every reviewer who wants it: the items waiting for them."""
    if not resources:
        return

    def build():
        return [
            message(user, "review", actor=actor, items=items(resources))
            for user in holders(workflow.PUBLISH)
            if user != actor and wants(user, REVIEW, workflow.PUBLISH)
        ]

    send_after_commit(build)


def submitter(resource: Resource):
    """Who sent the item to review last: the editor a decision goes back to."""
    from shelf.curation.models import AuditEvent

    event = (
        AuditEvent.objects.filter(
            target_type=resource._meta.label_lower,
            target_id=str(resource.pk),
            action="submit",
            actor__isnull=False,
        )
        .order_by("-id")
        .first()
    )
    if event is None:
        return None
    return get_user_model().objects.filter(pk=event.actor_id).first()


def decided(resources: list[Resource], action: str, actor, reason: str = "") -> None:
    """To the editor who sent each item: it was published, or sent back and why."""
    by_editor = defaultdict(list)
    for resource in resources:
        editor = submitter(resource)
        if editor is not None and editor != actor:
            by_editor[editor].append(resource)
    if not by_editor:
        return

    def build():
        return [
            message(editor, action, actor=actor, reason=reason, items=items(mine))
            for editor, mine in by_editor.items()
            if wants(editor, OUTCOME, workflow.EDIT)
        ]

    send_after_commit(build)


def editors_of(resource_ids: list[int]) -> dict[int, set[int]]:
    """Who made each item's revisions: {resource id: {user id, ...}}."""
    pairs = (
        Resource.history.filter(id__in=resource_ids, history_user__isnull=False)
        .values_list("id", "history_user_id")
        .distinct()
    )
    found = defaultdict(set)
    for resource_id, user_id in pairs:
        found[resource_id].add(user_id)
    return found


def weekly_digest(today=None) -> int:
    """One message per editor listing their items past the review date
    (superseded editions left out); items no current editor made go to
    the administrators, so none is forgotten. Returns how many were sent."""
    from shelf.curation import freshness
    from shelf.curation.roles import ADMIN

    overdue = list(freshness.overdue(today))
    if not overdue:
        return 0
    users = {u.pk: u for u in get_user_model().objects.filter(is_active=True)}
    editors = editors_of([r.pk for r in overdue])
    admins = [u for u in users.values() if u.groups.filter(name=ADMIN).exists()]
    per_person = defaultdict(list)
    for resource in overdue:
        mine = [
            users[pk]
            for pk in editors.get(resource.pk, ())
            if pk in users and users[pk].has_perm(workflow.EDIT) and users[pk].is_staff
        ]
        for user in mine or admins:
            per_person[user].append(resource)
    messages = [
        message(user, "digest", items=items(resources), count=len(resources))
        for user, resources in per_person.items()
        if wants(user, DIGEST, workflow.EDIT)
    ]
    send(messages)
    return len(messages)
