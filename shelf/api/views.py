"""A public, read-only JSON API: the twin of the listing and detail pages,
with the same parameters and the same permission gate (browse.browse and
browse.find)."""

from __future__ import annotations

import functools

from django.http import JsonResponse
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.defaults import page_not_found

from shelf.api import serializers
from shelf.search import browse as catalogue

# Anonymous answers are the same for everyone, so caches may keep them briefly.
PUBLIC_MAX_AGE = 60


def json_response(data: dict, status: int = 200) -> JsonResponse:
    return JsonResponse(data, status=status, json_dumps_params={"ensure_ascii": False})


def api_get(view):
    """GET and HEAD only; errors as JSON; open to other sites (CORS)."""

    # Nothing here changes state, and a POST should get the JSON 405, not
    # the CSRF failure page.
    @csrf_exempt
    @functools.wraps(view)
    def wrapper(request, *args, **kwargs):
        if request.method not in ("GET", "HEAD"):
            response = json_response({"error": _("Only GET is allowed.")}, status=405)
            response["Allow"] = "GET, HEAD"
        else:
            try:
                response = view(request, *args, **kwargs)
            except catalogue.QueryError as e:
                response = json_response({"error": str(e)}, status=400)
        response["Access-Control-Allow-Origin"] = "*"
        if request.user.is_authenticated:
            # May contain members-only items: never in a shared cache.
            response["Cache-Control"] = "private, no-cache"
        elif response.status_code == 200:
            response["Cache-Control"] = f"public, max-age={PUBLIC_MAX_AGE}"
        else:
            response["Cache-Control"] = "no-cache"
        return response

    return wrapper


@api_get
def resources(request):
    query = catalogue.parse(request.GET)
    return json_response(serializers.results(catalogue.browse(query, request.user)))


@api_get
def resource(request, slug):
    item = catalogue.find(slug, request.user)
    if item is None:
        return json_response({"error": _("No resource with this slug.")}, status=404)
    return json_response(serializers.resource_detail(item, request.user))


def not_found(request, exception=None):
    """The site's 404: JSON under /api/, the HTML page elsewhere."""
    if request.path.startswith("/api/"):
        response = json_response({"error": _("Not found.")}, status=404)
        response["Access-Control-Allow-Origin"] = "*"
        return response
    return page_not_found(request, exception)
