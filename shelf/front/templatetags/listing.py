"""Template helpers for links into the listing and for text direction."""

from django import template
from django.urls import reverse
from django.utils import formats

from shelf.front.listing import number, published, term_href, text_dir

register = template.Library()


@register.simple_tag
def term_url(term) -> str:
    """The listing filtered by this one term."""
    return term_href(reverse("front:resources"), term)


register.filter("text_dir", text_dir)


@register.filter
def is_web_url(url: str) -> bool:
    """Only http(s) links are shown, whatever an import stored."""
    return url.lower().startswith(("https://", "http://"))


register.filter("published", published)


@register.filter
def local_date(value) -> str:
    """A full date (review dates, file dates) in the reader's language."""
    return formats.date_format(value, "DATE_FORMAT") if value else ""


register.filter("number", number)
