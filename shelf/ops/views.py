"""Error pages: JSON under /api/, Django's HTML pages elsewhere."""

from django.http import JsonResponse
from django.utils.translation import gettext as _
from django.views import defaults


def _json(message: str, status: int) -> JsonResponse:
    response = JsonResponse({"error": message}, status=status)
    response["Access-Control-Allow-Origin"] = "*"
    return response


def bad_request(request, exception=None):
    if request.path.startswith("/api/"):
        return _json(_("Bad request."), 400)
    return defaults.bad_request(request, exception)


def permission_denied(request, exception=None):
    if request.path.startswith("/api/"):
        return _json(_("Forbidden."), 403)
    return defaults.permission_denied(request, exception)


def server_error(request):
    if request.path.startswith("/api/"):
        return _json(_("Server error."), 500)
    return defaults.server_error(request)
