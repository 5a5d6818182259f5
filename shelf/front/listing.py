"""What the listing template shows, with every link already built.

Hundreds of links go on one listing page (a toggle per facet value, a link
per term per result). Building them here in plain Python, with the listing's
path reversed once, keeps the page's rendering time small next to the query.
"""

from __future__ import annotations

import html as _html
from dataclasses import dataclass

from django.template.defaultfilters import truncatewords
from django.urls import reverse
from django.utils import formats
from django.utils.http import urlencode
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

from shelf.catalogue.models import DatePrecision
from shelf.lib.languages import is_rtl
from shelf.search.browse import FacetPage, Query, Results, Toggles

# Values shown per facet in the sidebar (the most frequent, and every chosen
# one); the rest are on the facet's own page, so a listing stays small
# however many publishers or countries the catalogue has.
FACET_SHOWN = 10


def text_dir(language: str) -> str:
    """The writing direction of content in ``language``, for ``dir``."""
    if not language:
        return "auto"
    return "rtl" if is_rtl(language) else "ltr"


def published(resource) -> str:
    """The date in the reader's language, only as precise as the source:
    "2021", "novembre 2021", "4 de marzo de 2021", "2021年3月4日"."""
    if not resource.date:
        return ""
    if resource.date_precision == DatePrecision.YEAR:
        return str(resource.date.year)
    if resource.date_precision == DatePrecision.MONTH:
        return formats.date_format(resource.date, "YEAR_MONTH_FORMAT")
    return formats.date_format(resource.date, "DATE_FORMAT")


def number(value) -> str:
    """A count with the reader's digit grouping (1,234 / 1 234 / 1.234)."""
    return formats.number_format(value, use_l10n=True, force_grouping=True)


def href(path: str, query_string: str) -> str:
    # Query.url() gives "?" for the unfiltered view; its address is the bare path.
    return path + (query_string if query_string != "?" else "")


def term_href(path: str, term) -> str:
    return f"{path}?{urlencode({term.vocabulary: term.slug})}"


def e(value) -> str:
    """``value`` escaped as Django's conditional_escape escapes it (the same
    characters, the same entities), without the lazy-string machinery it
    goes through a thousand times a page; safe strings pass as they are."""
    if hasattr(value, "__html__"):
        return value.__html__()
    return _html.escape(str(value))


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

    @property
    def html(self) -> str:
        """The value's <li> in the sidebar and on the facet's page (built
        here: a hundred of them went through a template loop)."""
        if self.selected:
            # Outside the f-string: the message extractor does not look inside one.
            selected = e(_("selected"))
            return mark_safe(  # noqa: S308 - every piece escaped by e()
                f'<li><a class="facet-value" href="{e(self.url)}" aria-current="true" '
                f'rel="nofollow"><span class="facet-label">{e(self.label)}</span>'
                f'<span class="visually-hidden"> ({selected})</span> '
                f'<span class="facet-count">{e(number(self.count))}</span></a></li>\n'
            )
        return mark_safe(  # noqa: S308 - every piece escaped by e()
            f'<li><a class="facet-value" href="{e(self.url)}" rel="nofollow">'
            f'<span class="facet-label">{e(self.label)}</span> '
            f'<span class="facet-count">{e(number(self.count))}</span></a></li>\n'
        )


@dataclass
class Panel:
    """One facet in the sidebar: its top values and the chosen ones, and how
    many more there are on the facet's own page (``more_url``)."""

    name: str
    label: str
    shown: list[ValueLink]
    more: int = 0
    more_url: str = ""


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

    @property
    def html(self) -> str:
        return result_html(self)


def result_html(row: Row) -> str:
    """One result of the listing as its <li>: built in Python rather than a
    template loop, as twenty of them are most of a page's rendering (every
    piece escaped as the template escaped it, byte for byte)."""
    r = row.resource
    lang, direction = e(r.language), text_dir(r.language)
    url = e(row.url)
    title = e(r.title)
    # The messages outside the f-strings: the extractor does not look inside one.
    publishers_label, members_only = e(_("Publishers:")), e(_("Members only"))
    superseded, read_more, terms_label = e(_("Superseded")), e(_("Read More")), e(_("Terms"))
    out = [
        '<li>\n<article class="result">\n<h2 class="result-title">'
        f'<a href="{url}" lang="{lang}" dir="{direction}">{title}</a></h2>\n<p class="meta">'
    ]
    if row.publishers:
        links = ", ".join(f'<a href="{e(p.url)}">{e(p.label)}</a>' for p in row.publishers)
        out.append(
            f'<span class="publishers"><span class="visually-hidden">{publishers_label} '
            f"</span>{links}</span>\n"
        )
    if r.date:
        out.append(f'<time datetime="{e(r.date_display())}">{e(published(r))}</time>\n')
    if lang:
        out.append(f'<span class="language" lang="{lang}">{e(r.language_label)}</span>')
    if r.visibility == "members":
        out.append(f'\n<span class="badge">{members_only}</span>')
    if r.superseded:
        out.append(f'\n<span class="badge badge-superseded">{superseded}</span>')
    out.append("</p>\n")
    if r.snippet:
        out.append(
            f'<p class="summary snippet" lang="{lang}" dir="{direction}">{e(r.snippet)}</p>\n'
        )
    elif r.summary:
        summary = e(truncatewords(r.summary, 40))
        out.append(f'<p class="summary" lang="{lang}" dir="{direction}">{summary}</p>\n')
    out.append(
        f'<p class="read-more"><a href="{url}">{read_more}'
        f'<span class="visually-hidden">: {title}</span></a></p>\n'
    )
    if row.tags:
        tags = "".join(f'<li><a href="{e(t.url)}">{e(t.label)}</a></li>\n' for t in row.tags)
        out.append(f'<ul class="terms" aria-label="{terms_label}">\n{tags}</ul>\n')
    out.append("</article>\n</li>\n")
    # Every piece above is a constant or went through e().
    return mark_safe("".join(out))  # noqa: S308


def facet_path(name: str) -> str:
    return reverse("front:facet", args=[name])


def value_links(values, name: str, path: str, toggles: Toggles) -> list[ValueLink]:
    return [
        ValueLink(v.label, href(path, toggles.url(name, v.value)), v.count, v.selected)
        for v in values
    ]


def panels(
    results: Results, path: str, shown: int | None = FACET_SHOWN, base: Query | None = None
) -> list[Panel]:
    """The sidebar's facets; ``shown=None`` keeps every value in view and
    ``base`` is the query the links start from (the results' own by default)."""
    query = base or results.query
    toggles = Toggles(query)
    # The "more" pages keep the query (page 1 of their own values).
    more_query = query.url()
    out = []
    for facet in results.facets:
        if not facet.values:
            continue
        top = facet.values if shown is None else facet.values[:shown]
        rest = facet.values[len(top) :]
        chosen = [v for v in rest if v.selected]
        panel = Panel(facet.name, facet.label, value_links(top + chosen, facet.name, path, toggles))
        if len(rest) > len(chosen):
            panel.more = len(rest) - len(chosen)
            panel.more_url = href(facet_path(facet.name), more_query)
        out.append(panel)
    return out


def chips(results: Results, path: str) -> list[Chip]:
    """The chosen values, each with the link that removes it."""
    toggles = Toggles(results.query)
    return [
        Chip(facet.label, value.label, href(path, toggles.url(facet.name, value.value)))
        for facet in results.facets
        for value in facet.values
        if value.selected
    ]


def rows(results: Results, path: str) -> list[Row]:
    out = []
    # A page's results share most of their terms (types, languages, publishers).
    links: dict[int, Link] = {}

    def link(term) -> Link:
        if term.id not in links:
            links[term.id] = Link(term.display_label, term_href(path, term))
        return links[term.id]

    for resource in results.resources:
        grouped = resource.terms_by_vocabulary()
        publishers = [link(t) for t in grouped.get("publisher", [])]
        tags = [link(t) for name, terms in grouped.items() if name != "publisher" for t in terms]
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


def page_links(query: Query, results, path: str, extra: str = "") -> dict:
    """Previous, next and numbered pages, each with its address; ``extra``
    (already encoded pairs) follows the query's own parameters."""
    page, pages = results.page, results.pages

    def url(n: int) -> str:
        return href(path, _with(query.url(page=n), extra))

    return {
        "previous": url(page - 1) if page > 1 else "",
        "next": url(page + 1) if page < pages else "",
        "numbers": [(n, url(n) if n else "") for n in page_numbers(page, pages)],
    }


def facet_links(found: FacetPage, path: str) -> dict:
    """What a facet's "more" page links to: each value's toggle (to the
    listing), its own pages, and the way back to the listing."""
    query = found.query
    extra = urlencode({"contains": found.contains}) if found.contains else ""
    here = facet_path(found.facet.name)
    return {
        "values": value_links(found.facet.values, found.facet.name, path, Toggles(query)),
        "pagination": page_links(query, found, here, extra),
        "back": href(path, query.url()),
        "all": href(here, query.url()),
        "canonical": href(here, _with(query.url(page=found.page), extra)),
        # The find form keeps the query and starts again at page 1.
        "keep": query.params(),
    }


def _with(query_string: str, extra: str) -> str:
    if not extra:
        return query_string
    return query_string + ("&" if query_string != "?" else "") + extra
