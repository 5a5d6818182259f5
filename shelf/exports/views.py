"""Downloads of a listing or of one item, and the item's citations.

Lists are streamed: the file is written a chunk of resources at a time
while it is sent, and never held whole (see bench/export_speed.py).
"""

from __future__ import annotations

import functools
from urllib.parse import quote

from django.http import Http404, HttpResponse, JsonResponse, StreamingHttpResponse
from django.utils import translation

from shelf.api import auth
from shelf.exports import stream
from shelf.exports.formats import FORMATS
from shelf.search import browse as catalogue


def get_format(name: str):
    if name not in FORMATS:
        raise Http404
    return FORMATS[name]()


def private(request, response):
    # Members' downloads may hold members-only items: never in a shared cache.
    response["Cache-Control"] = "private, no-cache" if request.user.is_authenticated else "no-cache"
    return response


def token_or_session(view):
    """Scripts may download as an account with an API token, as in the API."""

    @functools.wraps(view)
    def wrapper(request, *args, **kwargs):
        try:
            auth.authenticate(request)
        except auth.AuthError as e:
            response = JsonResponse({"error": e.message}, status=e.status)
            for name, value in e.headers.items():
                response[name] = value
            return private(request, response)
        return view(request, *args, **kwargs)

    return wrapper


@token_or_session
def download_list(request, fmt):
    exporter = get_format(fmt)
    try:
        listing = stream.listing(catalogue.parse(request.GET), request.user)
    except catalogue.QueryError as e:
        response = HttpResponse(str(e), status=400, content_type="text/plain; charset=utf-8")
        return private(request, response)
    language = translation.get_language()

    def chunks():
        # Sent after the view has returned: keep the reader's language for labels.
        with translation.override(language):
            yield exporter.head(listing.count)
            for resources in listing.chunks:
                yield exporter.rows(resources)
            yield exporter.tail()

    response = StreamingHttpResponse(chunks(), content_type=exporter.media_type)
    response["Content-Disposition"] = f'attachment; filename="shelf-resources.{exporter.name}"'
    return private(request, response)


@token_or_session
def download_one(request, slug, fmt):
    exporter = get_format(fmt)
    resource = catalogue.find(slug, request.user)
    if resource is None:
        raise Http404
    text = exporter.head(1) + exporter.rows([resource]) + exporter.tail()
    response = HttpResponse(text, content_type=exporter.media_type)
    # The slug is ASCII-safe in a header only when it is ASCII; RFC 6266's
    # filename* carries the rest.
    filename = f"{resource.slug}.{exporter.name}"
    if filename.isascii():
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
    else:
        response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(filename)}"
    return private(request, response)
