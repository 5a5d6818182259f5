"""What the listing template shows, with every link already built.

Hundreds of links go on one listing page (a toggle per facet value, a link
per term per result). Building them here in plain Python, with the listing's
path reversed once, keeps the page's rendering time small next to the query.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.http import urlencode

from shelf.search.browse import Query, Results

# Values shown per facet before the rest fold into <details>.
FACET_SHOWN = 8


def href(path: str, query_string: str) -> str:
    # Query.url() gives "?" for the unfiltered view; its address is the bare path.
    return path + (query_string if query_string != "?" else "")


def term_href(path: str, term) -> str:
    return f"{path}?{urlencode({term.vocabulary: term.slug})}"


@dataclass
class Link:
    label: str
    url: str


@dataclass
class ValueLink:
    label: str
    url: str
    count: int
    selected: bool


@dataclass
class Panel:
    """One facet in the sidebar: the top values, then the rest."""

    name: str
    label: str
    shown: list[ValueLink]
    more: list[ValueLink]

    @property
    def open(self) -> bool:
        return any(v.selected for v in self.more)


@dataclass
class Chip:
    facet: str
    label: str
    url: str


@dataclass
class Row:
    resource: object
    url: str
    publishers: list[Link]
    tags: list[Link]


def panels(
    results: Results, path: str, shown: int | None = FACET_SHOWN, base: Query | None = None
) -> list[Panel]:
    """The sidebar's facets; ``shown=None`` keeps every value in view and
    ``base`` is the query the links start from (the results' own by default)."""
    query = base or results.query
    out = []
    for facet in results.facets:
        if not facet.values:
            continue
        values = [
            ValueLink(v.label, href(path, query.toggled(facet.name, v.value)), v.count, v.selected)
            for v in facet.values
        ]
        out.append(Panel(facet.name, facet.label, values[:shown], values[shown:] if shown else []))
    return out


def chips(results: Results, path: str) -> list[Chip]:
    """The chosen values, each with the link that removes it."""
    query = results.query
    return [
        Chip(facet.label, value.label, href(path, query.toggled(facet.name, value.value)))
        for facet in results.facets
        for value in facet.values
        if value.selected
    ]


def rows(results: Results, path: str) -> list[Row]:
    out = []
    for resource in results.resources:
        grouped = resource.terms_by_vocabulary()
        publishers = [
            Link(t.display_label, term_href(path, t)) for t in grouped.get("publisher", [])
        ]
        tags = [
            Link(t.display_label, term_href(path, t))
            for name, terms in grouped.items()
            if name != "publisher"
            for t in terms
        ]
        out.append(Row(resource, resource.get_absolute_url(), publishers, tags))
    return out


def page_numbers(page: int, pages: int, around: int = 2) -> list[int | None]:
    """First, last and a window around the current page; None marks a gap."""
    keep = {1, pages, *range(page - around, page + around + 1)}
    numbers: list[int | None] = []
    for n in sorted(k for k in keep if 1 <= k <= pages):
        if numbers and n - numbers[-1] > 1:
            numbers.append(None)
        numbers.append(n)
    return numbers


def page_links(query: Query, results: Results, path: str) -> dict:
    """Previous, next and numbered pages, each with its address."""
    return {
        "previous": href(path, query.url(page=results.page - 1)) if results.has_previous else "",
        "next": href(path, query.url(page=results.page + 1)) if results.has_next else "",
        "numbers": [
            (n, href(path, query.url(page=n)) if n else "")
            for n in page_numbers(results.page, results.pages)
        ],
    }
