"""Links into the listing, built from the canonical query string so every
view of the catalogue has one shareable address."""

from django import template
from django.urls import reverse
from django.utils.http import urlencode

from shelf.lib.languages import is_rtl

register = template.Library()


def listing_href(query_string: str) -> str:
    # Query.url() gives "?" for the unfiltered view; its address is the bare path.
    return reverse("front:resources") + (query_string if query_string != "?" else "")


@register.simple_tag
def listing_url(query, **changes) -> str:
    """The listing for ``query`` with some parts changed, e.g. ``page=2``."""
    return listing_href(query.url(**changes))


@register.simple_tag
def toggle_url(query, facet: str, value: str) -> str:
    """The listing with ``value`` added to or removed from ``facet``; page 1."""
    return listing_href(query.toggled(facet, value))


@register.simple_tag
def term_url(term) -> str:
    """The listing filtered by this one term."""
    return reverse("front:resources") + "?" + urlencode({term.vocabulary: term.slug})


@register.filter
def any_selected(values) -> bool:
    return any(v.selected for v in values)


@register.filter
def text_dir(language: str) -> str:
    """The writing direction of content in ``language``, for ``dir``."""
    if not language:
        return "auto"
    return "rtl" if is_rtl(language) else "ltr"


@register.filter
def is_web_url(url: str) -> bool:
    """Only http(s) links are shown, whatever an import stored."""
    return url.lower().startswith(("https://", "http://"))


@register.filter
def tags(resource) -> list:
    """A result's terms in sidebar order; publishers have their own line."""
    grouped = resource.terms_by_vocabulary()
    return [t for name, terms in grouped.items() if name != "publisher" for t in terms]
