"""The page in every language: the switcher's links and hreflang alternates."""

from dataclasses import dataclass

from django import template
from django.conf import settings
from django.urls import Resolver404, resolve, reverse, translate_url
from django.utils.http import urlencode
from django.utils.translation import get_language

from shelf.lib.languages import language_label, normalise

register = template.Library()


@dataclass
class PageLanguage:
    code: str
    name: str
    url: str  # this page in that language
    switch_url: str  # the switcher: remembers the choice, then goes to url
    current: bool


@register.simple_tag(takes_context=True)
def page_languages(context) -> list[PageLanguage]:
    """This page's address in each language. Pages give their canonical
    address as ``canonical``; others use the address asked for."""
    request = context.get("request")
    if request is None:
        return []
    here = context.get("canonical") or request.get_full_path()
    try:
        resolve(here.split("?")[0])
    except Resolver404:
        return []  # an error page for an address that exists in no language
    current = get_language()
    out = []
    for code, _name in settings.LANGUAGES:
        url = translate_url(here, code)
        switch = reverse("switch_language", args=[code]) + "?" + urlencode({"next": url})
        # Each language named in itself, so a reader finds their own.
        name = language_label(normalise(code) or code)
        out.append(PageLanguage(code, name, url, switch, code == current))
    return out
