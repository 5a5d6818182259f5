"""Personas for curation tests: a member, an editor, a reviewer, an admin."""

from itertools import count

from django.contrib.auth.models import User
from django.test import override_settings

from shelf.catalogue.models import Resource, Status, Term, Visibility
from shelf.curation.roles import ADMIN, EDITOR, MEMBER, REVIEWER, assign_role
from shelf.test import BaseTestCase

FAST_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
_serial = count(1)


def person(username: str, role: str | None) -> User:
    user = User.objects.create_user(username, f"{username}@example.org", "correct horse battery")
    if role:
        assign_role(user, role)
    return User.objects.get(pk=user.pk)


def make_resource(title: str, *, terms=(), **fields) -> Resource:
    n = next(_serial)
    fields.setdefault("slug", f"{title.lower().replace(' ', '-')[:80]}-{n}")
    fields.setdefault("key", f"test:{n}")
    fields.setdefault("status", Status.PUBLISHED)
    fields.setdefault("visibility", Visibility.PUBLIC)
    resource = Resource.objects.create(title=title, **fields)
    if terms:
        resource.terms.set(terms)
    return resource


def term(vocabulary: str, slug: str, label: str | None = None) -> Term:
    found, _created = Term.objects.get_or_create(
        vocabulary=vocabulary, slug=slug, defaults={"label": label or slug.title()}
    )
    return found


@override_settings(PASSWORD_HASHERS=FAST_HASHERS)
class CurationTestCase(BaseTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.member = person("mia", MEMBER)
        cls.editor = person("ed", EDITOR)
        cls.reviewer = person("rita", REVIEWER)
        cls.admin = person("ada", ADMIN)
