"""Requests no page can answer, refused before any view or database sees them."""

from __future__ import annotations

from django.http import HttpResponseBadRequest, JsonResponse
from django.utils.translation import gettext as _

# PostgreSQL refuses NUL in text ("A string literal cannot contain NUL"), so a
# NUL that reaches a query is a 500 there, while SQLite would store it.
NUL = "\x00"
FORMS = ("application/x-www-form-urlencoded", "multipart/form-data")


def has_nul(request) -> bool:
    if NUL in request.path or NUL in request.path_info:
        return True
    if any(NUL in k or NUL in v for k, vs in request.GET.lists() for v in vs):
        return True
    if any(NUL in k or NUL in v for k, v in request.COOKIES.items()):
        return True
    # Headers are stored by sign-in (django-axes keeps the user agent).
    if any(NUL in str(v) for k, v in request.META.items() if k.startswith("HTTP_")):
        return True
    # The CSRF check reads every posted form anyway; uploaded files' content
    # is not looked at, only the fields.
    if request.method == "POST" and request.content_type in FORMS:
        return any(NUL in k or NUL in v for k, vs in request.POST.lists() for v in vs)
    return False


def bad_request(request, message: str):
    if request.path.startswith("/api/"):
        response = JsonResponse({"error": message}, status=400)
        response["Access-Control-Allow-Origin"] = "*"
        return response
    return HttpResponseBadRequest(message, content_type="text/plain; charset=utf-8")


class RefuseNulMiddleware:
    """400 for a NUL anywhere in the address, parameters, cookies, headers or
    a posted form, whichever database is behind."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if has_nul(request):
            return bad_request(request, _("The request contains a NUL character."))
        return self.get_response(request)
