"""The reader's language: in the address for pages, negotiated for machines.

Pages have one address per language: English (the default) unprefixed,
the others under /fr/, /es/, /ar/, /zh-hans/ (``i18n_patterns`` in
shelf/urls.py). An unprefixed page is English, except on a first visit from
a browser that prefers another language, or after the reader chose one with
the switcher (the language cookie): then it redirects to that language's
address. Machine endpoints (the API, files, admin, feeds...) have no prefix
and keep following Accept-Language, as they always did.
"""

from __future__ import annotations

import functools

from django.conf import settings
from django.http import HttpResponseRedirect
from django.middleware.gzip import GZipMiddleware
from django.middleware.locale import LocaleMiddleware
from django.urls import LocalePrefixPattern, Resolver404, get_resolver, translate_url
from django.utils import translation
from django.utils.cache import patch_vary_headers


@functools.cache
def _machine_resolvers(urlconf: str) -> list:
    return [
        p
        for p in get_resolver(urlconf).url_patterns
        if not isinstance(getattr(p, "pattern", None), LocalePrefixPattern)
    ]


def is_machine_path(path: str, urlconf: str | None = None) -> bool:
    """True when ``path`` is served outside the per-language pages."""
    for pattern in _machine_resolvers(urlconf or settings.ROOT_URLCONF):
        try:
            # A URLPattern answers None, a URLResolver raises, when not theirs.
            if pattern.resolve(path.removeprefix("/")) is not None:
                return True
        except Resolver404:
            continue
    return False


class ShelfLocaleMiddleware(LocaleMiddleware):
    def process_request(self, request):
        urlconf = getattr(request, "urlconf", settings.ROOT_URLCONF)
        path = request.path_info
        if translation.get_language_from_path(path) or not is_machine_path(path, urlconf):
            request.shelf_page = True
            super().process_request(request)
            return self.redirect_to_chosen_language(request)
        request.shelf_page = False
        translation.activate(translation.get_language_from_request(request))
        request.LANGUAGE_CODE = translation.get_language()
        return None

    def redirect_to_chosen_language(self, request):
        if request.method not in ("GET", "HEAD"):
            return None
        if translation.get_language_from_path(request.path_info):
            return None
        # The cookie (the switcher's choice) first, then Accept-Language.
        chosen = translation.get_language_from_request(request, check_path=False)
        if chosen == settings.LANGUAGE_CODE:
            return None
        here = request.get_full_path()
        there = translate_url(here, chosen)
        if there == here:
            # No page at this address in any language (a 404): its error page
            # is still in the reader's language.
            translation.activate(chosen)
            request.LANGUAGE_CODE = chosen
            return None
        response = HttpResponseRedirect(there)
        patch_vary_headers(response, ("Accept-Language", "Cookie"))
        return response

    def process_response(self, request, response):
        response = super().process_response(request, response)
        if getattr(request, "shelf_page", False) and not translation.get_language_from_path(
            request.path_info
        ):
            # English here depends on the cookie and Accept-Language too.
            patch_vary_headers(response, ("Cookie",))
        return response


CSRF_FIELD = b'name="csrfmiddlewaretoken"'


class SecretFreeGZipMiddleware(GZipMiddleware):
    """Compress every response that carries no CSRF token.

    BREACH needs a secret in a compressed body next to text an attacker can
    choose (a search is echoed on the page). Anonymous pages hold no secret:
    the language switcher is links, not a form. Pages that render a token
    (sign-in, and every page for a signed-in user, whose header has the
    sign-out form) go uncompressed, on top of the random padding Django's
    gzip already adds.
    """

    def process_response(self, request, response):
        # Looked for in the body itself: views decorated with csrf_protect
        # (sign-in) reset the flags request.META would otherwise give.
        if not response.streaming and CSRF_FIELD in response.content:
            return response
        return super().process_response(request, response)
