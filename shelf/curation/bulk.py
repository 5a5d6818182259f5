"""Bulk curation: one change applied to many resources at once.

A change is planned first (how many of the chosen items it changes, how
many it leaves as they are, how many the actor may not change), shown on a
confirmation page, then applied. Applying writes, for every item changed,
one revision (simple-history, with its terms, like a save would) and one row
of the search change feed, and one audit event for the whole action, in one
transaction: it all happens or none of it does.

Field and term changes are written in batches of SQL, not a save per item, so
ten thousand items take seconds (``bench/bulk_edit.py``). Workflow changes
(send to review, publish, archive) go item by item through
:func:`shelf.curation.workflow.apply`, which checks the role again and records
each item's step, as on its own change page; the bulk event sums them up.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.apps import apps
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from shelf.catalogue.models import Resource, Status, Term
from shelf.curation import audit, workflow

BATCH = 500
BULK = "bulk edit"

ADD_TERM, REMOVE_TERM, VISIBILITY, REVIEW_BY, TRANSITION = (
    "add term",
    "remove term",
    "set visibility",
    "set review by",
    "transition",
)


@dataclass(frozen=True)
class Change:
    kind: str
    term: Term | None = None
    visibility: str = ""
    review_by: datetime.date | None = None
    transition: str = ""

    def describe(self) -> str:
        if self.kind == ADD_TERM:
            return _("add the term “%(term)s”") % {"term": self.term}
        if self.kind == REMOVE_TERM:
            return _("remove the term “%(term)s”") % {"term": self.term}
        if self.kind == VISIBILITY:
            label = dict(Resource._meta.get_field("visibility").choices)[self.visibility]
            return _("make them %(visibility)s") % {"visibility": str(label).lower()}
        if self.kind == REVIEW_BY:
            if self.review_by is None:
                return _("clear the review date")
            return _("set the review date to %(date)s") % {"date": self.review_by.isoformat()}
        return str(workflow.TRANSITIONS[self.transition].label).lower()

    def details(self) -> dict:
        if self.kind in (ADD_TERM, REMOVE_TERM):
            return {"term": f"{self.term.vocabulary}:{self.term.slug}"}
        if self.kind == VISIBILITY:
            return {"visibility": self.visibility}
        if self.kind == REVIEW_BY:
            return {"review_by": self.review_by}
        return {"transition": self.transition}


@dataclass
class Plan:
    change: Change
    selected: int
    ids: list[int] = field(default_factory=list)  # the items that will change
    refused: int = 0  # items the actor may not change this way

    @property
    def unchanged(self) -> int:
        return self.selected - len(self.ids) - self.refused


def plan(queryset, change: Change, actor) -> Plan:
    """What ``change`` would do to ``queryset`` if ``actor`` applied it now.
    Raises PermissionDenied when the actor's role may not make it at all."""
    if not actor.has_perm(workflow.EDIT):
        raise PermissionDenied
    queryset = queryset.order_by()
    selected = queryset.count()
    if change.kind == TRANSITION:
        transition = workflow.TRANSITIONS[change.transition]
        if not actor.has_perm(transition.permission):
            raise PermissionDenied(
                _("Your role may not %(action)s resources.") % {"action": change.transition}
            )
        movable = queryset.filter(status__in=transition.sources)
        return Plan(change, selected, ids=ids_of(movable), refused=selected - movable.count())
    if change.kind == ADD_TERM:
        return Plan(change, selected, ids=ids_of(queryset.exclude(terms=change.term)))
    if change.kind == REMOVE_TERM:
        return Plan(change, selected, ids=ids_of(queryset.filter(terms=change.term)))
    if change.kind == VISIBILITY:
        differing = queryset.exclude(visibility=change.visibility)
        refused = 0
        if not actor.has_perm(workflow.PUBLISH):
            # As on the change page: who sees a live item is a publishing decision.
            refused = differing.filter(status=Status.PUBLISHED).count()
            differing = differing.exclude(status=Status.PUBLISHED)
        return Plan(change, selected, ids=ids_of(differing), refused=refused)
    if change.kind == REVIEW_BY:
        if change.review_by is None:
            differing = queryset.exclude(review_by=None)
        else:
            differing = queryset.exclude(review_by=change.review_by)
        return Plan(change, selected, ids=ids_of(differing))
    raise ValueError(f"unknown change {change.kind!r}")


def ids_of(queryset) -> list[int]:
    return sorted(set(queryset.values_list("pk", flat=True)))


@transaction.atomic
def apply(planned: Plan, actor) -> int:
    """Make the planned change; returns how many items changed. The plan is
    checked again inside the transaction, so an item that changed since the
    confirmation page is neither changed twice nor changed against the rules."""
    change = planned.change
    ids = plan(Resource.objects.filter(pk__in=planned.ids), change, actor).ids
    if change.kind == TRANSITION:
        moved = list(Resource.objects.filter(pk__in=ids).order_by("pk"))
        for resource in moved:
            workflow.apply(resource, change.transition, actor, notify=False)
        # One message per person for the lot, not one per item.
        workflow.notify_step(moved, change.transition, actor)
    else:
        now = timezone.now()
        for start in range(0, len(ids), BATCH):
            write_batch(ids[start : start + BATCH], change, actor, now)
    audit.record(actor, BULK, None, change=change.kind, count=len(ids), ids=ids, **change.details())
    return len(ids)


def write_batch(ids: list[int], change: Change, actor, now: datetime.datetime) -> None:
    through = Resource.terms.through
    if change.kind == ADD_TERM:
        through.objects.bulk_create(
            [through(resource_id=i, term_id=change.term.pk) for i in ids], ignore_conflicts=True
        )
    elif change.kind == REMOVE_TERM:
        through.objects.filter(resource_id__in=ids, term=change.term).delete()
    fields = {"updated": now}
    if change.kind == VISIBILITY:
        fields["visibility"] = change.visibility
    elif change.kind == REVIEW_BY:
        fields["review_by"] = change.review_by
    Resource.objects.filter(pk__in=ids).update(**fields)
    record_revisions(ids, actor, f"bulk: {change.kind}", now)
    if apps.is_installed("shelf.search"):
        from shelf.search import signals

        signals.record(ids)


def record_revisions(ids: list[int], actor, reason: str, now: datetime.datetime) -> None:
    """One revision per item, terms included, as simple-history's save would
    write it, in a few statements for the whole batch."""
    resources = list(Resource.objects.filter(pk__in=ids).order_by("pk"))
    history = Resource.history.bulk_history_create(
        resources,
        update=True,
        default_user=actor if getattr(actor, "is_authenticated", False) else None,
        default_change_reason=reason[:100],
        default_date=now,
    )
    revision_of = {h.id: h for h in history}
    terms_history = Resource.history.model.terms.model
    rows = Resource.terms.through.objects.filter(resource_id__in=ids).values_list(
        "id", "resource_id", "term_id"
    )
    terms_history.objects.bulk_create(
        [
            terms_history(id=row_id, resource_id=resource_id, term_id=term_id, history=revision)
            for row_id, resource_id, term_id in rows
            if (revision := revision_of.get(resource_id)) is not None
        ],
        batch_size=BATCH * 4,
    )
