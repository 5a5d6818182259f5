"""Roles: who may do what, declared as data.

Each role is a Django auth group whose permissions are exactly the ones
listed here; they are written on every ``migrate``, so the code is the one
place to change them (an edit made to a role's group in the admin is undone
by the next migrate). Roles nest: each one has the permissions of the roles
before it. Permissions of apps that are not installed are skipped, so a role
may name the ``files`` or ``search`` permissions before those apps exist.
"""

from __future__ import annotations

from django.contrib.auth.models import Group, Permission
from django.db import transaction
from django.utils.translation import gettext_lazy as _

MEMBER, PARTNER, EDITOR, REVIEWER, ADMIN = "member", "partner", "editor", "reviewer", "admin"

# Signed-in members see members-only items; that takes an account, not a permission.
can_read_members_only: list[str] = []

# Trusted partners' suggestions become drafts without waiting in the queue.
can_submit_directly = ["submissions.submit_directly"]

can_edit = [
    "catalogue.view_resource",
    "catalogue.add_resource",
    "catalogue.change_resource",
    "catalogue.view_term",
    "files.view_resourcefile",
    "files.add_resourcefile",
    "files.change_resourcefile",
    "submissions.view_submission",
    "submissions.change_submission",
]

# Publish, unpublish, archive, restore, reject, approve for a later date.
can_publish = [
    "catalogue.publish_resource",
]

can_administer = [
    "catalogue.delete_resource",
    "catalogue.add_term",
    "catalogue.change_term",
    "catalogue.delete_term",
    "search.view_synonym",
    "search.add_synonym",
    "search.change_synonym",
    "search.delete_synonym",
    "files.delete_resourcefile",
    "submissions.delete_submission",
    "auth.view_user",
    "auth.add_user",
    "auth.change_user",
    "auth.delete_user",
    "auth.view_group",
    "curation.view_auditevent",
    "api.view_apitoken",
    "api.add_apitoken",
    "api.change_apitoken",
    "api.delete_apitoken",
    "axes.view_accessattempt",
    "axes.delete_accessattempt",
    # Removing a lost authenticator or recovery codes lets the person set
    # up new ones at their next sign-in.
    "otp_totp.view_totpdevice",
    "otp_totp.delete_totpdevice",
    "otp_static.view_staticdevice",
    "otp_static.delete_staticdevice",
]

ROLES: dict[str, list[str]] = {
    MEMBER: can_read_members_only,
    PARTNER: can_read_members_only + can_submit_directly,
    EDITOR: can_read_members_only + can_submit_directly + can_edit,
    REVIEWER: can_read_members_only + can_submit_directly + can_edit + can_publish,
    ADMIN: can_read_members_only + can_submit_directly + can_edit + can_publish + can_administer,
}
ROLE_LABELS = {
    MEMBER: _("Member"),
    PARTNER: _("Partner"),
    EDITOR: _("Editor"),
    REVIEWER: _("Reviewer"),
    ADMIN: _("Administrator"),
}
# Roles that work in the admin site.
STAFF_ROLES = {EDITOR, REVIEWER, ADMIN}


def permissions_for(codenames: list[str]) -> list[Permission]:
    wanted = {tuple(name.split(".", 1)) for name in codenames}
    found = Permission.objects.filter(
        content_type__app_label__in={app for app, _codename in wanted}
    ).select_related("content_type")
    return [p for p in found if (p.content_type.app_label, p.codename) in wanted]


@transaction.atomic
def sync_roles() -> None:
    """Create the role groups and give each exactly its declared permissions."""
    for role, codenames in ROLES.items():
        group, _created = Group.objects.get_or_create(name=role)
        group.permissions.set(permissions_for(codenames))


def role_of(user) -> str | None:
    """The highest role a user holds, or None for an account without one."""
    names = set(user.groups.values_list("name", flat=True))
    for role in reversed(ROLES):
        if role in names:
            return role
    return None


def assign_role(user, role: str) -> None:
    """Make ``role`` the user's only role; staff roles may use the admin site."""
    if role not in ROLES:
        raise ValueError(f"unknown role {role!r}; use one of: {', '.join(ROLES)}")
    # The groups signal handler records the change and sets ``is_staff``.
    user.groups.remove(*user.groups.filter(name__in=set(ROLES) - {role}))
    if not user.groups.filter(name=role).exists():
        user.groups.add(Group.objects.get(name=role))
