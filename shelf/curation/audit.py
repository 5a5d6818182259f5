"""The audit log: an append-only record of who did what.

Other apps write to it through :func:`record`::

    from shelf.curation import audit
    audit.record(request.user, "upload", resource, file="guide.pdf", sha256=...)
    audit.record(None, "import", None, file="listing.txt", created=7)

Sign-ins, failed and locked sign-ins, sign-outs, deletions, role changes and
new accounts are recorded here by signal handlers; workflow transitions by
:mod:`shelf.curation.workflow`. Revisions of resources (field by field) are
kept by django-simple-history, not here.
"""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from simple_history.models import HistoricalRecords

from shelf.curation.models import AuditEvent
from shelf.ops import deferred

SIGN_IN = "sign-in"
SIGN_IN_FAILED = "sign-in failed"
SIGN_IN_LOCKED = "sign-in locked"
SIGN_OUT = "sign-out"
DELETE = "delete"
ROLE_CHANGE = "role change"
USER_CREATED = "user created"
UPLOAD = "upload"
IMPORT = "import"


def record(actor, action: str, target=None, **details) -> AuditEvent:
    """Append one event. ``actor`` is a user, or None for the system (cron,
    a command run without a user); ``target`` any model instance or None;
    ``details`` anything JSON can hold (dates and decimals are fine)."""
    event = make_event(actor, action, target, **details)
    event.save()
    return event


def record_soon(actor, action: str, **details) -> None:
    """As record(), for sign-ins and sign-outs: written as soon as the
    database takes it (on SQLite after an import holding the write lock
    commits, see shelf.ops.deferred), with the time it happened."""
    event = make_event(actor, action, None, **details)
    deferred.soon(event.save, f"audit event {action}")


def make_event(actor, action: str, target=None, **details) -> AuditEvent:
    user = actor if getattr(actor, "is_authenticated", False) else None
    event = AuditEvent(
        actor=user,
        actor_name=user.get_username() if user else "",
        action=action,
        details=details,
    )
    if target is not None:
        event.target_type = target._meta.label_lower
        event.target_id = str(target.pk)
        event.target_repr = str(target)[:300]
    return event


def current_user():
    """The user of the request being served, if any (set by
    simple-history's middleware), for events raised deep inside a save."""
    request = getattr(HistoricalRecords.context, "request", None)
    user = getattr(request, "user", None)
    return user if getattr(user, "is_authenticated", False) else None


# Signal handlers, connected in CurationConfig.ready().


def on_logged_in(sender, request, user, **kwargs):
    record_soon(user, SIGN_IN)


def on_logged_out(sender, request, user, **kwargs):
    record_soon(user, SIGN_OUT)


def on_login_failed(sender, credentials, request=None, **kwargs):
    # Django has already masked the password in ``credentials``.
    record_soon(None, SIGN_IN_FAILED, username=str(credentials.get("username", ""))[:150])


def on_locked_out(sender, request, username, ip_address, **kwargs):
    record_soon(None, SIGN_IN_LOCKED, username=str(username or "")[:150])


def on_deleted(sender, instance, **kwargs):
    record(current_user(), DELETE, instance)


def on_user_saved(sender, instance, created, raw=False, **kwargs):
    if raw:
        return
    if created:
        record(current_user(), USER_CREATED, instance)
    before = getattr(instance, "_audit_flags", None)
    after = (instance.is_superuser, instance.is_active)
    if before is not None and before != after:
        record(current_user(), ROLE_CHANGE, instance, superuser=after[0], active=after[1])
    instance._audit_flags = after


def on_user_loaded(sender, instance, **kwargs):
    loaded = instance.__dict__
    if "is_superuser" in loaded and "is_active" in loaded:
        instance._audit_flags = (instance.is_superuser, instance.is_active)


def on_groups_changed(sender, instance, action, reverse, pk_set, **kwargs):
    if action == "pre_clear" and not reverse:
        # After the clear there is nothing left to name.
        names = sorted(instance.groups.values_list("name", flat=True))
        if names:
            record(current_user(), ROLE_CHANGE, instance, removed=names)
        return
    if action == "post_clear" and not reverse:
        sync_staff(instance)
        return
    if action not in ("post_add", "post_remove") or not pk_set:
        return
    change = "added" if action == "post_add" else "removed"
    actor = current_user()
    if reverse:  # group.user_set.add(user, ...)
        users = get_user_model().objects.filter(pk__in=pk_set)
        for user in users:
            record(actor, ROLE_CHANGE, user, **{change: [instance.name]})
        return
    names = sorted(Group.objects.filter(pk__in=pk_set).values_list("name", flat=True))
    record(actor, ROLE_CHANGE, instance, **{change: names})
    sync_staff(instance)


def sync_staff(user) -> None:
    """Staff roles may use the admin site; the flag follows the role."""
    from shelf.curation.roles import STAFF_ROLES

    staff = user.is_superuser or user.groups.filter(name__in=STAFF_ROLES).exists()
    if staff != user.is_staff:
        user.is_staff = staff
        user.save(update_fields=["is_staff"])
