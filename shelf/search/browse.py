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
from collections.abc import Iterator
from dataclasses import dataclass, field
from urllib.parse import quote_plus

import numpy as np
from django.conf import settings
from django.http import QueryDict
from django.utils.http import urlencode
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _

from shelf.catalogue.models import Resource
from shelf.lib.analysis import guess_language
from shelf.lib.analysis.base import fold
from shelf.search import engine, fetch, replica
from shelf.search.engine import search, walk
from shelf.search.facets import FACETS, FACETS_BY_NAME, Facet, FacetValue, QueryError, facet_list
from shelf.search.query import MAX_CLAUSES, parse_text
from shelf.search.snippets import BODY_CHARS, Highlighter, file_texts

__all__ = [
    "Facet",
    "FacetPage",
    "FacetValue",
    "QueryError",
    "browse",
    "facet_page",
    "find",
    "links",
    "parse",
]

MAX_QUERY_LENGTH = 500
SORTS = {
    "relevance": gettext_lazy("Relevance"),
    "newest": gettext_lazy("Newest"),
    "oldest": gettext_lazy("Oldest"),
    "title": gettext_lazy("Title"),
}


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
        return Toggles(self).url(facet, value)

    @property
    def is_filtered(self) -> bool:
        return bool(self.q or self.selected)


def _pair(name: str, value: str) -> str:
    # As urlencode() writes one pair, so both give the same address.
    return f"{quote_plus(name)}={quote_plus(value)}"


class Toggles:
    """Every facet value's toggled address from one shared base: the query
    string around each facet is encoded once, so a link costs one join and
    the encoding of its own facet's values, not a whole urlencode()."""

    def __init__(self, query: Query):
        self.selected = {f.name: sorted(query.selected.get(f.name, [])) for f in FACETS}
        pieces = [[_pair("q", query.q)] if query.q else []]
        pieces += [[_pair(f.name, v) for v in self.selected[f.name]] for f in FACETS]
        pieces.append([_pair("sort", query.sort)] if query.sort != "relevance" else [])
        self.around: dict[str, tuple[list[str], list[str]]] = {}
        for i, facet in enumerate(FACETS, start=1):
            before = [p for part in pieces[:i] for p in part]
            after = [p for part in pieces[i + 1 :] for p in part]
            self.around[facet.name] = (before, after)

    def url(self, facet: str, value: str) -> str:
        """The canonical query string (as Query.url gives it, page 1) with
        ``value`` added to or removed from ``facet``."""
        values = self.selected[facet]
        values = [v for v in values if v != value] if value in values else sorted([*values, value])
        before, after = self.around[facet]
        pairs = [*before, *(_pair(facet, v) for v in values), *after]
        return "?" + "&".join(pairs) if pairs else "?"


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
    # Per result id: an excerpt with the reader's words in <mark>, safe HTML.
    snippets: dict[int, str] = field(default_factory=dict)
    # A query that finds something when this one found nothing.
    suggestion: str = ""
    # Why the query was read differently from how it was typed, for the reader.
    notice: str = ""

    @property
    def has_previous(self) -> bool:
        return self.page > 1

    @property
    def has_next(self) -> bool:
        return self.page < self.pages

    @property
    def suggestion_url(self) -> str:
        return self.query.url(q=self.suggestion) if self.suggestion else ""


def browse(query: Query, user, per_page: int | None = None) -> Results:
    """One page of what ``user`` may see for ``query``, with every facet's
    counts, from the search index (see shelf.search.engine)."""
    per_page = per_page or settings.SHELF_PAGE_SIZE
    snap = replica.current()
    parsed, notice = _prepare(query, snap)
    start = (query.page - 1) * per_page
    language = reader_language(query.q, get_language()) if parsed is not None else ""
    outcome = search(
        snap, parsed, query.selected, user, query.sort, start, per_page, language=language
    )
    if outcome.relaxed:
        notice = " ".join(filter(None, [notice, _("Showing results for some of your words.")]))
    pages = max(1, math.ceil(outcome.count / per_page))
    if query.page > pages:
        raise QueryError(
            _("There is no page %(page)s; the last page is %(pages)s")
            % {"page": query.page, "pages": pages}
        )
    # The body is long and only an excerpt may need (the start of) it.
    resources = fetch.page(outcome.ids, user, BODY_CHARS if parsed is not None else 0)
    fetch.attach_terms(resources, snap.term_set.by_id, snap.term_ids)
    mark_superseded(resources, snap, user)
    snippets = {}
    if parsed is not None:
        snippets = make_snippets(resources, outcome.tokens)
    else:
        for resource in resources:
            resource.snippet = ""
    facets = _facet_list(snap, parsed, query.selected, outcome.counts, user)
    return Results(
        query,
        outcome.count,
        query.page,
        pages,
        resources,
        facets,
        snippets,
        outcome.suggestion,
        notice,
    )


def _facet_list(snap, parsed, selected, counts, user) -> list[Facet]:
    """The facets with their values labelled and sorted, remembered with the
    counts they come from when those are (no words: see engine.counts_key)."""
    language = get_language()
    if parsed is not None and not parsed.empty:
        return facet_list(snap, selected, counts, language)
    key = ("facet list", engine.counts_key(user, selected), language)
    found = snap.cache.get(key)
    if found is None:
        found = facet_list(snap, selected, counts, language)
        snap.remember(key, found)
    return found


# Values per page of a facet's "more" view, and the longest text it finds them by.
FACET_PAGE_SIZE = 50
MAX_CONTAINS = 100


@dataclass
class FacetPage:
    """One page of one facet's values, with their counts for a query: the
    "more" view of the listing's sidebar, which shows only the top values."""

    query: Query
    facet: Facet  # with this page's values only
    contains: str  # the text the values were narrowed to, as typed
    count: int  # values found (all pages)
    page: int
    pages: int
    resources: int  # how many resources the query finds


def facet_page(
    query: Query, user, name: str, contains: str = "", per_page: int = FACET_PAGE_SIZE
) -> FacetPage:
    """Every value of facet ``name`` with its count among what ``user`` may
    see for ``query`` (the same counts the listing's sidebar shows), those
    whose label contains ``contains`` (case and accents aside), paged by
    ``query.page``. Raises KeyError for an unknown facet."""
    facet = FACETS_BY_NAME[name]
    contains = " ".join(contains.replace("\x00", " ").split())[:MAX_CONTAINS]
    snap = replica.current()
    parsed, _notice = _prepare(query, snap)
    language = reader_language(query.q, get_language()) if parsed is not None else ""
    # One result is enough: only the counts are wanted.
    outcome = search(snap, parsed, query.selected, user, query.sort, 0, 1, language=language)
    chosen = query.selected.get(name, [])
    values = facet.values(outcome.counts.get(name, {}), chosen, snap, get_language())
    if contains:
        wanted = fold(contains)
        values = [v for v in values if wanted in fold(v.label) or wanted in fold(v.value)]
    pages = max(1, math.ceil(len(values) / per_page))
    if query.page > pages:
        raise QueryError(
            _("There is no page %(page)s; the last page is %(pages)s")
            % {"page": query.page, "pages": pages}
        )
    start = (query.page - 1) * per_page
    shown = Facet(name, facet.label, values[start : start + per_page])
    return FacetPage(query, shown, contains, len(values), query.page, pages, outcome.count)


def _prepare(query: Query, snap):
    """The query's facets checked and its words parsed, with the notice
    the reader sees about them."""
    for name, values in query.selected.items():
        FACETS_BY_NAME[name].validate(values, snap)
    notice = ""
    parsed = parse_text(query.q, snap.term_set.synonyms) if query.q else None
    if parsed is not None and parsed.empty:
        notice = _("Your search had no words to look for, so everything is shown.")
        parsed = None
    elif parsed is not None and parsed.notes:
        notice = _("Only the first %(n)s words of your search were used.") % {"n": MAX_CLAUSES}
    return parsed, notice


def listing_chunks(query: Query, user, chunk: int) -> tuple[int, Iterator[list[int]]]:
    """Every id of ``query``'s listing for ``user``, in the listing's order
    (pages aside), ``chunk`` at a time, for exports: the count, and the ids
    walked from the index as they are asked for. No facets are counted and
    the whole list of ids is never held, so memory does not grow with it.
    Raises QueryError at once for a bad query."""
    snap = replica.current()
    parsed, _notice = _prepare(query, snap)
    language = reader_language(query.q, get_language()) if parsed is not None else ""
    return walk(snap, parsed, query.selected, user, query.sort, chunk, language=language)


def listing_ids(query: Query, user) -> np.ndarray:
    """Every id of ``query``'s listing for ``user``, in the listing's order,
    at once: for digests and packs, which look at or cap the whole list
    (exports stream it with :func:`listing_chunks`)."""
    _count, chunks = listing_chunks(query, user, 4096)
    return np.fromiter((pk for chunk in chunks for pk in chunk), dtype=np.int64)


def resources_of(ids, user) -> list[Resource]:
    """The resources ``user`` may see among ``ids``, in that order, with
    their terms (as a results page has them)."""
    snap = replica.current()
    resources = fetch.page([int(i) for i in ids], user)
    fetch.attach_terms(resources, snap.term_set.by_id, snap.term_ids)
    mark_superseded(resources, snap, user)
    return resources


def mark_superseded(resources: list[Resource], snap, user) -> None:
    """``superseded``: a newer edition exists that ``user`` may see."""
    superseded = snap.superseded_for(user)
    for resource in resources:
        resource.superseded = resource.pk in superseded


def reader_language(q: str, interface: str | None) -> str:
    """The language whose items rank first among equals: the query's, when
    its script or wording says so, else the reader's interface language."""
    return guess_language(q) or interface or ""


def find(slug: str, user) -> Resource | None:
    """One resource by slug, through the same permission gate as browse()."""
    resource = Resource.objects.visible_to(user).with_terms().filter(slug=slug).first()
    if resource is not None:
        mark_superseded([resource], replica.current(), user)
    return resource


def make_snippets(resources: list[Resource], tokens: set[str]) -> dict[int, str]:
    highlighter = Highlighter(tokens)
    out = {r.pk: highlighter.snippet(r, r.body_start or "") for r in resources}
    # Only items matched through an attached file's text need that text.
    files = file_texts([pk for pk, found in out.items() if not found])
    for resource in resources:
        found = out[resource.pk]
        if not found and resource.pk in files:
            found = highlighter.snippet(resource, "", files[resource.pk])
        resource.snippet = out[resource.pk] = found or highlighter.fallback(resource)
    return out


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
        related=resource.related(user, among=related_candidates(resource, user)),
    )


# Candidates for related items: enough that the item's own editions and
# translations, left out afterwards, and the language preference among equals
# rarely change which items are shown.
RELATED_CANDIDATES = 40


def related_candidates(resource: Resource, user, count: int = RELATED_CANDIDATES) -> list[int]:
    """The items ``user`` may see sharing the most subject terms with
    ``resource``, newest first among equals: counted over the terms' bitmaps."""
    snap = replica.current()
    visible = snap.visible_to(user)
    arrays = [
        np.frombuffer((snap.terms[t] & visible).to_array(), dtype=np.uint32)
        for t in resource.subject_term_ids()
        if t in snap.terms
    ]
    if not arrays:
        return []
    counts = np.bincount(np.concatenate(arrays))
    if resource.pk < len(counts):
        counts[resource.pk] = 0
    ids = np.flatnonzero(counts)
    if len(ids) > count:
        kth = np.partition(counts[ids], len(ids) - count)[len(ids) - count]
        ids = ids[counts[ids] >= kth]
    newest, keys = snap.keys["newest"], np.zeros(len(ids))
    inside = ids < len(newest)
    keys[inside] = newest[ids[inside]]
    order = np.lexsort((ids, keys, -counts[ids]))[:count]
    return [int(i) for i in ids[order]]
