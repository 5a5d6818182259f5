"""A saved search in words, in the current language: what the follow page,
the e-mails and their subjects call it."""

from __future__ import annotations

from django.contrib.auth.models import AnonymousUser
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from shelf.search import browse as catalogue


def describe(query: catalogue.Query, user) -> str:
    """ "“grooming”, Parents, Teachers"; labels come from the same browse
    call as the listing's chips, so they are the reader's own."""
    try:
        results = catalogue.browse(query, user or AnonymousUser(), per_page=1)
        labels = [v.label for facet in results.facets for v in facet.values if v.selected]
    except catalogue.QueryError:
        # A term of the search is gone since: its slug still says what it was.
        labels = [value for values in query.selected.values() for value in values]
    parts = ([f"“{query.q}”"] if query.q else []) + labels
    separator = pgettext("between the search words and filters of a saved search", ", ")
    return separator.join(parts) if parts else _("every resource")
