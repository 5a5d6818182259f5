"""Template helpers for links into the listing and for text direction."""

from django import template
from django.urls import reverse

from shelf.front.listing import term_href
from shelf.lib.languages import is_rtl

register = template.Library()


@register.simple_tag
def term_url(term) -> str:
    """The listing filtered by this one term."""
    return term_href(reverse("front:resources"), term)


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
