"""Template helpers for links into the listing and for text direction."""

from django import template
from django.urls import reverse
from django.utils import formats

from shelf.catalogue.models import DatePrecision
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


@register.filter
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


@register.filter
def local_date(value) -> str:
    """A full date (review dates, file dates) in the reader's language."""
    return formats.date_format(value, "DATE_FORMAT") if value else ""


@register.filter
def number(value) -> str:
    """A count with the reader's digit grouping (1,234 / 1 234 / 1.234)."""
    return formats.number_format(value, use_l10n=True, force_grouping=True)
