from pathlib import Path

from django.http import FileResponse, Http404, HttpResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from shelf.oai import protocol

SCHEMAS = Path(__file__).parent / "schemas"


# OAI-PMH allows POST (a form of the same arguments); it changes nothing, so
# it needs no CSRF token.
@csrf_exempt
@require_http_methods(["GET", "HEAD", "POST"])
def endpoint(request):
    params = request.POST if request.method == "POST" else request.GET
    return HttpResponse(protocol.respond(params), content_type="text/xml; charset=utf-8")


def schema(request, name):
    path = SCHEMAS / f"{name}.xsd"
    if "/" in name or not path.is_file():
        raise Http404
    return FileResponse(path.open("rb"), content_type="application/xml")
