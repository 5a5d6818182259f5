"""Keep the OAI-PMH ledger (:class:`OaiRecord`) in step with the catalogue.

:func:`sync` is told which resources changed, by any path: a save (admin,
workflow, scheduled publishing), a delete, a term or translation change, an
import or ``shelf demo`` writing in bulk (see :mod:`shelf.oai.signals`). It
looks at each resource's state now, so it needs no "before" value:

- public now: the record is live, with a new datestamp and its sets;
- not public now (or gone) but shown before: the record becomes deleted,
  dated now, and stays deleted until the resource is public again;
- never public: nothing is written, so drafts and members-only items leave no trace.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from django.db import models
from django.utils import timezone

from shelf.catalogue.models import Resource, Term
from shelf.lib import bulk
from shelf.oai.models import OaiRecord

BATCH = 1000
# The vocabularies that are OAI-PMH sets, each a top-level set with one
# set per term under it: "topic", "topic:grooming".
SET_VOCABULARIES = ("collection", "topic", "language")
# OAI-PMH's setSpec grammar; unicode slugs are named by the term's id instead.
SPEC_PART = re.compile(r"^[A-Za-z0-9\-_.!~*'()]+$")


def term_spec(vocabulary: str, slug: str, pk: int) -> str:
    # "~" never occurs in a slug Django makes, so "~12" cannot clash with one.
    return f"{vocabulary}:{slug}" if SPEC_PART.match(slug) else f"{vocabulary}:~{pk}"


def set_strings(resource_ids: Iterable[int]) -> dict[int, str]:
    """Each resource's sets as the ``OaiRecord.sets`` string."""
    through = Resource.terms.through.objects
    rows = through.filter(
        resource_id__in=list(resource_ids), term__vocabulary__in=SET_VOCABULARIES
    ).values_list("resource_id", "term__vocabulary", "term__slug", "term_id")
    specs: dict[int, set[str]] = {}
    for resource_id, vocabulary, slug, term_id in rows:
        specs.setdefault(resource_id, set()).update(
            (vocabulary, term_spec(vocabulary, slug, term_id))
        )
    return {pk: "|" + "|".join(sorted(s)) + "|" for pk, s in specs.items()}


def sync(resource_ids: Iterable[int]) -> None:
    ids = list(dict.fromkeys(int(i) for i in resource_ids))
    now = timezone.now()
    for start in range(0, len(ids), BATCH):
        sync_batch(ids[start : start + BATCH], now)


def sync_batch(ids: list[int], now) -> None:
    public = set(Resource.objects.visible_to(None).filter(pk__in=ids).values_list("pk", flat=True))
    sets = set_strings(public) if public else {}
    rows = OaiRecord.objects.filter(resource_id__in=ids).values_list("resource_id", "deleted")
    existing = dict(rows)
    withdrawn = [pk for pk in ids if pk not in public and existing.get(pk) is False]
    # Live records are written anew (two statements for the whole batch:
    # an UPDATE per row with its own sets costs far more); withdrawn ones
    # keep their sets, so selective harvests see the deletion in them.
    OaiRecord.objects.filter(resource_id__in=[pk for pk in public if pk in existing]).delete()
    datestamp = bulk.db_value(OaiRecord, "datestamp", now)
    bulk.insert(
        OaiRecord,
        ["resource_id", "datestamp", "sets", "deleted"],
        ((pk, datestamp, sets.get(pk, ""), False) for pk in public),
    )
    if withdrawn:
        OaiRecord.objects.filter(resource_id__in=withdrawn).update(deleted=True, datestamp=now)


def sync_term(term: Term) -> None:
    """A term's label is in every record filed under it."""
    sync(term.resources.values_list("pk", flat=True))


def rebuild() -> int:
    """Bring every record up to date: for a database that had items before
    this ledger existed, or after writes that bypassed the model (raw SQL)."""
    ids = set(Resource.objects.values_list("pk", flat=True))
    ids |= set(OaiRecord.objects.filter(deleted=False).values_list("resource_id", flat=True))
    sync(sorted(ids))
    return OaiRecord.objects.filter(deleted=False).count()


def public_term_ids(vocabularies=SET_VOCABULARIES) -> models.QuerySet:
    """Terms at least one public item is filed under: the sets worth listing
    (a term only members-only items use must not even be named)."""
    return (
        Term.objects.filter(vocabulary__in=vocabularies)
        .filter(
            models.Exists(
                Resource.terms.through.objects.filter(
                    term_id=models.OuterRef("pk"),
                    resource__in=Resource.objects.visible_to(None),
                )
            )
        )
        .order_by("vocabulary", "slug")
    )
