"""The JSON API: the twin of the listing and detail pages, with the same
parameters and the same permission gate (browse.browse and browse.find),
and a write API for curators' scripts with the admin's rules
(shelf.api.write).

Callers are anonymous, signed in (session cookie), or send a token
(shelf.api.auth); a token acts as its account everywhere, reads included.
"""

from __future__ import annotations

import json

from django.core.exceptions import PermissionDenied, RequestDataTooBig, ValidationError
from django.http import HttpResponsePermanentRedirect, JsonResponse
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.defaults import page_not_found

from shelf.api import auth, serializers, write
from shelf.catalogue.models import Resource
from shelf.curation import terms
from shelf.curation.workflow import WorkflowError
from shelf.search import browse as catalogue
from shelf.stats import counting as stats

# Anonymous answers are the same for everyone, so caches may keep them briefly.
PUBLIC_MAX_AGE = 60
READS = ("GET", "HEAD")


class NotFound(Exception):
    pass


class UnknownFacet(NotFound):
    pass


def json_response(data: dict, status: int = 200) -> JsonResponse:
    return JsonResponse(data, status=status, json_dumps_params={"ensure_ascii": False})


def error(message: str, status: int, **extra) -> JsonResponse:
    return json_response({"error": message, **extra}, status=status)


def dispatch(request, handlers: dict, *args):
    """Run the handler of the request's method, with every failure as JSON."""
    allowed = ", ".join(m for m in ("GET", "HEAD", "POST", "PATCH") if m in handlers)
    try:
        token = auth.authenticate(request)
        handler = handlers.get(request.method)
        if handler is None:
            response = error(_("Allowed methods: %(methods)s.") % {"methods": allowed}, 405)
            response["Allow"] = allowed
        else:
            if request.method not in READS and token is None:
                if not request.user.is_authenticated:
                    raise auth.AuthError(
                        401,
                        _("Writing needs an API token: “Authorization: Bearer <token>”."),
                        {"WWW-Authenticate": 'Bearer realm="shelf"'},
                    )
                auth.check_csrf(request)
            response = handler(request, *args)
    except auth.AuthError as e:
        response = error(e.message, e.status)
        for name, value in e.headers.items():
            response[name] = value
    except catalogue.QueryError as e:
        response = error(str(e), 400)
        # A term merged or renamed since: the same query with its new slug.
        if request.method in READS and (moved := terms.moved(request.GET)):
            response = HttpResponsePermanentRedirect(request.path + moved)
    except write.PayloadError as e:
        response = error(str(e), 400, errors=e.errors)
    except RequestDataTooBig:
        response = error(_("The request body is too large."), 413)
    except ValidationError as e:
        status = 413 if getattr(e, "code", "") == "too_big" else 400
        response = error(" ".join(e.messages), status)
    except PermissionDenied as e:
        response = error(str(e) or _("Your role may not do this."), 403)
    except WorkflowError as e:
        response = error(str(e), 409)
    except UnknownFacet:
        facets = ", ".join(f.name for f in catalogue.FACETS)
        response = error(_("No such facet; use one of: %(facets)s") % {"facets": facets}, 404)
    except NotFound:
        response = error(_("No resource with this slug."), 404)
    response["Access-Control-Allow-Origin"] = "*"
    if request.method not in READS:
        response["Cache-Control"] = "no-store"
    elif request.user.is_authenticated:
        # May contain members-only items: never in a shared cache.
        response["Cache-Control"] = "private, no-cache"
    elif response.status_code == 200:
        response["Cache-Control"] = f"public, max-age={PUBLIC_MAX_AGE}"
    else:
        response["Cache-Control"] = "no-cache"
    return response


def json_body(request) -> dict:
    if request.content_type != "application/json":
        raise write.PayloadError({"": [_("Send the body as application/json.")]})
    try:
        return json.loads(request.body or b"null")
    except (ValueError, UnicodeDecodeError) as e:
        raise write.PayloadError({"": [_("The body is not valid JSON.")]}) from e


def editable(request, slug: str, permission: str) -> Resource:
    """The resource to change, for a caller allowed to change resources:
    the role is checked first, so nobody else learns whether it exists."""
    if not request.user.has_perm(permission):
        raise PermissionDenied(_("Your role may not change resources."))
    resource = Resource.objects.filter(slug=slug).first()
    if resource is None:
        raise NotFound
    return resource


def list_resources(request):
    results = catalogue.browse(catalogue.parse(request.GET), request.user)
    stats.searched(request, results, api=True)
    return json_response(serializers.results(results))


def list_facet_values(request, name):
    if name not in catalogue.FACETS_BY_NAME:
        raise UnknownFacet
    query = catalogue.parse(request.GET)
    found = catalogue.facet_page(query, request.user, name, request.GET.get("contains", ""))
    return json_response(serializers.facet_page(found))


def create_resource(request):
    resource = write.create(data=json_body(request), user=request.user)
    response = json_response(serializers.resource_editorial(resource), status=201)
    response["Location"] = serializers.absolute(f"/api/v1/resources/{resource.slug}")
    return response


def get_resource(request, slug):
    item = catalogue.find(slug, request.user)
    if item is None:
        raise NotFound
    return json_response(serializers.resource_detail(item, request.user))


def update_resource(request, slug):
    resource = editable(request, slug, write.CHANGE)
    resource = write.update(resource=resource, data=json_body(request), user=request.user)
    return json_response(serializers.resource_editorial(resource))


def upload_file(request, slug):
    from shelf.files.services import attach_file

    resource = editable(request, slug, write.UPLOAD)
    upload = request.FILES.get("file")
    if upload is None:
        raise write.PayloadError({"file": [_("Send the file as the multipart field “file”.")]})
    item = attach_file(resource=resource, upload=upload, user=request.user)
    return json_response(serializers.resource_file(item), status=201)


# Nothing here relies on the session cookie without a CSRF check:
# dispatch() checks it for session writes; token requests need none.
@csrf_exempt
def resources(request):
    handlers = {"GET": list_resources, "HEAD": list_resources, "POST": create_resource}
    return dispatch(request, handlers)


@csrf_exempt
def facet(request, facet):
    handlers = {"GET": list_facet_values, "HEAD": list_facet_values}
    return dispatch(request, handlers, facet)


@csrf_exempt
def resource(request, slug):
    handlers = {"GET": get_resource, "HEAD": get_resource, "PATCH": update_resource}
    return dispatch(request, handlers, slug)


@csrf_exempt
def resource_files(request, slug):
    return dispatch(request, {"POST": upload_file}, slug)


def not_found(request, exception=None):
    """The site's 404: JSON under /api/, the HTML page elsewhere."""
    if request.path.startswith("/api/"):
        response = json_response({"error": _("Not found.")}, status=404)
        response["Access-Control-Allow-Origin"] = "*"
        return response
    return page_not_found(request, exception)


def openapi_json(request):
    from shelf.api.openapi import document

    return json_response(document())


@csrf_exempt
def openapi(request):
    return dispatch(request, {"GET": openapi_json, "HEAD": openapi_json})


def reference(request):
    """The API page: the OpenAPI document as HTML."""
    from django.shortcuts import render

    from shelf.api import reference as layout
    from shelf.api.openapi import document

    doc = document()
    context = {
        "doc": doc,
        "operations": layout.operations(doc),
        "schemas": layout.schemas(doc),
    }
    return render(request, "api/reference.html", context)
