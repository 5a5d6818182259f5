"""Does a snapshot still match the database? A cheap check and a repair.

The check compares, per facet, a count and two sums (of resource ids and of
resource id x value) between the snapshot's bitmaps and the database
(a few aggregate queries), and the same for all items, for what each kind of
reader may see and for the terms themselves. Only a facet whose numbers
differ is compared item by item, to find the resources to read again.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from django.db.models import Count, F, Sum
from django.db.models.functions import ExtractYear
from pyroaring import BitMap

from shelf.catalogue.models import READERS, Resource, Term, visibility_rule
from shelf.search import feed

Summary = tuple[int, int, int]  # count, sum of ids, sum of id x value


@dataclass
class Repair:
    resource_ids: set[int] = field(default_factory=set)
    terms: bool = False  # terms were added, removed or renamed
    rebuild: bool = False  # the feed went backwards or was pruned past us
    facets: list[str] = field(default_factory=list)  # what differed

    def __bool__(self) -> bool:
        return bool(self.resource_ids or self.terms or self.rebuild)

    def __str__(self) -> str:
        return (
            f"{len(self.resource_ids)} resources to read again, terms {self.terms}, "
            f"rebuild {self.rebuild}, in {', '.join(self.facets) or 'nothing'}"
        )


def _ids(bm: BitMap) -> np.ndarray:
    return np.frombuffer(bm.to_array(), dtype=np.uint32).astype(np.int64)


def _summary(bm: BitMap, value: int = 0) -> Summary:
    total = int(_ids(bm).sum()) if bm else 0
    return len(bm), total, total * value


def _add(a: Summary, b: Summary) -> Summary:
    return a[0] + b[0], a[1] + b[1], a[2] + b[2]


def _db(row) -> Summary:
    return int(row["n"] or 0), int(row["s"] or 0), int(row.get("x") or 0)


def index_summary(snap) -> dict[str, Summary]:
    out = {"all": _summary(snap.every)}
    for reader in READERS:
        out[f"visible:{reader}"] = _summary(snap.visible[reader])
    by_id = snap.term_set.by_id
    for tid, bm in snap.terms.items():
        term = by_id.get(tid)
        name = term.vocabulary if term else "?"
        out[name] = _add(out.get(name, (0, 0, 0)), _summary(bm, tid))
    year = (0, 0, 0)
    for y, bm in snap.years.items():
        year = _add(year, _summary(bm, y))
    out["year"] = year
    ids = list(by_id)
    out["terms"] = (len(ids), sum(ids), 0)
    return {k: v for k, v in out.items() if v[0] or k in ("all", "terms", "year")}


def database_summary() -> dict[str, Summary]:
    resources = Resource.objects.order_by()
    out = {"all": _db(resources.aggregate(n=Count("id"), s=Sum("id")))}
    for reader in READERS:
        row = resources.filter(**visibility_rule(reader)).aggregate(n=Count("id"), s=Sum("id"))
        out[f"visible:{reader}"] = _db(row)
    links = Resource.terms.through.objects.order_by()
    for row in links.values("term__vocabulary").annotate(
        n=Count("id"), s=Sum("resource_id"), x=Sum(F("resource_id") * F("term_id"))
    ):
        out[row["term__vocabulary"]] = _db(row)
    out["year"] = _db(
        resources.filter(date__isnull=False).aggregate(
            n=Count("id"), s=Sum("id"), x=Sum(F("id") * ExtractYear("date"))
        )
    )
    out["terms"] = _db(Term.objects.order_by().aggregate(n=Count("id"), s=Sum("id")))
    return {k: v for k, v in out.items() if v[0] or k in ("all", "terms", "year")}


def compare(snap) -> Repair:
    repair = Repair()
    db_last = feed.position().last
    first = feed.first_id()
    if db_last < snap.position.last or (first is not None and first > snap.position.last + 1):
        repair.rebuild = True
        repair.facets.append("feed")
        return repair
    mine, theirs = index_summary(snap), database_summary()
    for name in sorted(set(mine) | set(theirs)):
        if mine.get(name) == theirs.get(name):
            continue
        repair.facets.append(name)
        if name == "terms":
            repair.terms = True
        else:
            repair.resource_ids |= _differing(snap, name)
    return repair


def _differing(snap, name: str) -> set[int]:
    """The resources whose ``name`` facet differs between the two sides."""
    resources = Resource.objects.order_by()
    if name == "all":
        return set(resources.values_list("id", flat=True)) ^ set(_ids(snap.every).tolist())
    if name.startswith("visible:"):
        reader = name.split(":", 1)[1] == "True"
        db = set(resources.filter(**visibility_rule(reader)).values_list("id", flat=True))
        return db ^ set(_ids(snap.visible[reader]).tolist())
    if name == "year":
        db = set(
            resources.filter(date__isnull=False)
            .annotate(y=ExtractYear("date"))
            .values_list("id", "y")
        )
        mine = {(pk, y) for y, bm in snap.years.items() for pk in _ids(bm).tolist()}
    else:
        links = Resource.terms.through.objects.order_by()
        db = set(links.filter(term__vocabulary=name).values_list("resource_id", "term_id"))
        by_id = snap.term_set.by_id
        mine = {
            (pk, tid)
            for tid, bm in snap.terms.items()
            if (by_id[tid].vocabulary if tid in by_id else "?") == name
            for pk in _ids(bm).tolist()
        }
    return {pk for pk, _value in db ^ mine}
