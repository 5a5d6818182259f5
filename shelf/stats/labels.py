"""Names for the keys the counters store, in the reader's language."""

from __future__ import annotations

from django.conf import settings
from django.utils.translation import gettext as _

from shelf.catalogue.models import VOCABULARIES, Resource, Term, Visibility


def items(keys: list[str], user) -> dict[str, dict]:
    """The items ``user`` may see among ``keys`` (resource ids), by key.
    Any other (unpublished since, or members-only for someone who is not
    a member) gets no entry, so its title is never shown."""
    ids = [int(k) for k in keys if k.isdigit()]
    found = Resource.objects.visible_to(user).filter(pk__in=ids).only("title", "slug", "visibility")
    return {
        str(r.pk): {
            "label": r.title,
            "url": r.get_absolute_url(),
            "members_only": r.visibility == Visibility.MEMBERS,
        }
        for r in found
    }


def facet(key: str) -> str:
    vocabulary, _sep, value = key.partition(":")
    names = dict(VOCABULARIES)
    if vocabulary == "year":
        return _("Year: %(value)s") % {"value": value}
    term = Term.objects.filter(vocabulary=vocabulary, slug=value).first()
    name = names.get(vocabulary, vocabulary)
    return f"{name}: {term.display_label if term else value}"


def language(code: str) -> str:
    return str(dict(settings.LANGUAGES).get(code, code))
