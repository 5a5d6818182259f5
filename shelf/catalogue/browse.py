"""Browsing the catalogue: a selection of facet values, a query and a sort
in, one page of resources and every facet's counts out.

Pages and the API both call :func:`browse`, so what one shows the other
shows, and permissions are applied in this one place.
Several values of one facet combine with OR, different facets with AND, and
each facet is counted with the selections of the *other* facets only, so
choosing "Parents" does not zero the other audiences.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from django.conf import settings
from django.db.models import Case, Count, IntegerField, Q, Value, When
from django.http import QueryDict
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from shelf.catalogue.models import VOCABULARIES, Resource, Term

MAX_QUERY_LENGTH = 500
SORTS = {
    "relevance": gettext_lazy("Relevance"),
    "newest": gettext_lazy("Newest"),
    "oldest": gettext_lazy("Oldest"),
    "title": gettext_lazy("Title"),
}


class QueryError(ValueError):
    """A parameter the reader can fix; the message says how."""


@dataclass
class FacetValue:
    value: str
    label: str
    count: int
    selected: bool


@dataclass
class Facet:
    name: str
    label: str
    values: list[FacetValue]


@dataclass
class Query:
    q: str = ""
    selected: dict[str, list[str]] = field(default_factory=dict)
    sort: str = "relevance"
    page: int = 1

    def params(self, **changes) -> list[tuple[str, str]]:
        """The canonical query string pairs, so equal views share a URL."""
        q = changes.get("q", self.q)
        selected = changes.get("selected", self.selected)
        sort = changes.get("sort", self.sort)
        page = changes.get("page", 1)
        pairs = [("q", q)] if q else []
        for facet in FACETS:
            pairs += [(facet.name, v) for v in sorted(selected.get(facet.name, []))]
        if sort != "relevance":
            pairs.append(("sort", sort))
        if page != 1:
            pairs.append(("page", str(page)))
        return pairs

    def url(self, **changes) -> str:
        pairs = self.params(**changes)
        return "?" + urlencode(pairs) if pairs else "?"

    def toggled(self, facet: str, value: str) -> str:
        """The URL with ``value`` added to or removed from ``facet``."""
        values = list(self.selected.get(facet, []))
        values.remove(value) if value in values else values.append(value)
        selected = {**self.selected, facet: values}
        return self.url(selected={k: v for k, v in selected.items() if v})

    @property
    def is_filtered(self) -> bool:
        return bool(self.q or self.selected)


class TermFacet:
    """A facet whose values are the terms of one vocabulary."""

    def __init__(self, vocabulary: str, label):
        self.name = vocabulary
        self.label = label

    def filter(self, qs, values: list[str]):
        through = Resource.terms.through.objects.filter(
            term__vocabulary=self.name, term__slug__in=values
        )
        return qs.filter(id__in=through.values("resource_id"))

    def validate(self, values: list[str], terms: dict) -> None:
        for value in values:
            if (self.name, value) not in terms:
                raise QueryError(
                    _("Unknown %(facet)s: %(value)s") % {"facet": self.name, "value": value[:50]}
                )


class YearFacet:
    name = "year"
    label = gettext_lazy("Year")

    def filter(self, qs, values: list[str]):
        return qs.filter(date__year__in=[int(v) for v in values])

    def validate(self, values: list[str], terms: dict) -> None:
        for value in values:
            if not (value.isascii() and value.isdigit() and len(value) == 4):
                raise QueryError(
                    _("Year must be four digits, not %(value)s") % {"value": value[:20]}
                )


FACETS: list[TermFacet | YearFacet] = [TermFacet(name, label) for name, label in VOCABULARIES]
FACETS.append(YearFacet())
FACETS_BY_NAME = {f.name: f for f in FACETS}


def parse(params: QueryDict) -> Query:
    """Read a query from request parameters. Unknown parameters are ignored;
    bad values raise QueryError with a message for the reader."""
    q = " ".join(params.get("q", "").replace("\x00", " ").split())
    if len(q) > MAX_QUERY_LENGTH:
        q = q[:MAX_QUERY_LENGTH]
    sort = params.get("sort", "relevance") or "relevance"
    if sort not in SORTS:
        raise QueryError(
            _("Unknown sort %(sort)s; use one of: %(sorts)s")
            % {"sort": sort[:30], "sorts": ", ".join(SORTS)}
        )
    raw_page = params.get("page", "1") or "1"
    # Length first: int() of a very long digit string raises ValueError.
    if not (raw_page.isascii() and raw_page.isdigit()) or len(raw_page) > 6 or int(raw_page) < 1:
        raise QueryError(
            _("Page must be a whole number from 1, not %(page)s") % {"page": raw_page[:20]}
        )
    selected = {}
    for facet in FACETS:
        values = [v for v in dict.fromkeys(params.getlist(facet.name)) if v]
        if values:
            selected[facet.name] = values
    return Query(q=q, selected=selected, sort=sort, page=int(raw_page))


@dataclass
class Results:
    query: Query
    count: int
    page: int
    pages: int
    resources: list[Resource]
    facets: list[Facet]

    @property
    def has_previous(self) -> bool:
        return self.page > 1

    @property
    def has_next(self) -> bool:
        return self.page < self.pages


def text_filter(qs, q: str):
    """Plain matching: every word somewhere in the title, summary or body."""
    for word in q.split()[:20]:
        qs = qs.filter(
            Q(title__icontains=word) | Q(summary__icontains=word) | Q(body__icontains=word)
        )
    return qs


def order(qs, query: Query):
    if query.sort == "newest" or (query.sort == "relevance" and not query.q):
        return qs.order_by("-date", "title", "id")
    if query.sort == "oldest":
        return qs.order_by("date", "title", "id")
    if query.sort == "title":
        return qs.order_by("title", "id")
    title_hit = Case(
        When(title__icontains=query.q, then=Value(1)), default=Value(0), output_field=IntegerField()
    )
    return qs.annotate(title_hit=title_hit).order_by("-title_hit", "-date", "title", "id")


def browse(query: Query, user, per_page: int | None = None) -> Results:
    per_page = per_page or settings.SHELF_PAGE_SIZE
    terms = {(t.vocabulary, t.slug): t for t in Term.objects.all()}
    for name, values in query.selected.items():
        FACETS_BY_NAME[name].validate(values, terms)

    base = Resource.objects.visible_to(user)
    if query.q:
        base = text_filter(base, query.q)

    def filtered(skip: str | None = None):
        qs = base
        for name, values in query.selected.items():
            if name != skip:
                qs = FACETS_BY_NAME[name].filter(qs, values)
        return qs

    matches = filtered()
    count = matches.count()
    pages = max(1, math.ceil(count / per_page))
    if query.page > pages:
        raise QueryError(
            _("There is no page %(page)s; the last page is %(pages)s")
            % {"page": query.page, "pages": pages}
        )
    start = (query.page - 1) * per_page
    resources = list(order(matches, query).with_terms()[start : start + per_page])
    facets = facet_counts(query, matches, filtered, terms)
    return Results(query, count, query.page, pages, resources, facets)


def find(slug: str, user) -> Resource | None:
    """One resource by slug, through the same permission gate as browse()."""
    return Resource.objects.visible_to(user).with_terms().filter(slug=slug).first()


def facet_counts(query: Query, matches, filtered, terms) -> list[Facet]:
    through = Resource.terms.through.objects
    by_id = {t.id: t for t in terms.values()}

    def term_counts(qs, vocabulary=None) -> dict[int, int]:
        rows = through.filter(resource__in=qs.values("id"))
        if vocabulary:
            rows = rows.filter(term__vocabulary=vocabulary)
        return dict(rows.values_list("term_id").annotate(n=Count("id")))

    # Facets without a selection all count over the full match set: one query.
    shared = term_counts(matches)
    facets = []
    for facet in FACETS:
        chosen = query.selected.get(facet.name, [])
        if facet.name == "year":
            qs = filtered(skip="year") if chosen else matches
            rows = qs.exclude(date=None).values_list("date__year").annotate(n=Count("id"))
            counts = {str(y): n for y, n in rows}
            values = [FacetValue(y, y, n, y in chosen) for y, n in counts.items()]
            values += [FacetValue(y, y, 0, True) for y in chosen if y not in counts]
            values.sort(key=lambda v: v.value, reverse=True)
        else:
            counts = term_counts(filtered(skip=facet.name), facet.name) if chosen else shared
            values = []
            for term_id, n in counts.items():
                term = by_id.get(term_id)
                if term and term.vocabulary == facet.name:
                    values.append(FacetValue(term.slug, term.label, n, term.slug in chosen))
            seen = {v.value for v in values}
            values += [
                FacetValue(s, terms[(facet.name, s)].label, 0, True)
                for s in chosen
                if s not in seen
            ]
            values.sort(key=lambda v: (-v.count, v.label.casefold()))
        facets.append(Facet(facet.name, facet.label, values))
    return facets


@dataclass
class Links:
    """What a resource points to, limited to what the user may see."""

    translations: list[Resource]
    supersedes: Resource | None
    superseded_by: list[Resource]
    related: list[Resource]


def links(resource: Resource, user) -> Links:
    visible = Resource.objects.visible_to(user)
    supersedes = None
    if resource.supersedes_id:
        supersedes = visible.filter(pk=resource.supersedes_id).first()
    return Links(
        translations=resource.visible_translations(user),
        supersedes=supersedes,
        superseded_by=list(visible.filter(supersedes=resource).order_by("-date", "title")),
        related=resource.related(user),
    )
