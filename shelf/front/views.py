from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse

from shelf.catalogue import browse as catalogue
from shelf.catalogue.browse import SORTS
from shelf.catalogue.models import VOCABULARIES
from shelf.files.templatetags.files import files_for
from shelf.front import listing, metadata


def index(request):
    return redirect("front:resources")


def resources(request):
    try:
        query = catalogue.parse(request.GET)
        results = catalogue.browse(query, request.user)
    except catalogue.QueryError as e:
        return render(request, "front/resources.html", {"error": str(e)}, status=400)

    path = reverse("front:resources")
    params = query.params()
    ctx = {
        "query": query,
        "results": results,
        "rows": listing.rows(results, path),
        "panels": listing.panels(results, path),
        "chips": listing.chips(results, path),
        "pagination": listing.page_links(query, results, path),
        "sorts": SORTS.items(),
        "canonical": listing.href(path, query.url(page=query.page)),
        "without_q": listing.href(path, query.url(q="")),
        "api_url": listing.href(reverse("api:resources"), query.url(page=query.page)),
        # The feed follows the filters and search, newest first, from the start.
        "feed_url": listing.href(reverse("front:feed"), query.url(sort="relevance")),
        # A new search or sort keeps the filters and starts again at page 1.
        "keep_for_search": [(k, v) for k, v in params if k not in ("q", "page")],
        "keep_for_sort": [(k, v) for k, v in params if k not in ("sort", "page")],
    }
    return render(request, "front/resources.html", ctx)


def resource(request, slug):
    item = catalogue.find(slug, request.user)
    if item is None:
        raise Http404
    grouped = item.terms_by_vocabulary()
    links = catalogue.links(item, request.user)
    ctx = {
        "resource": item,
        "terms": [(label, grouped[name]) for name, label in VOCABULARIES if name in grouped],
        "links": links,
        "metadata": metadata.head(item, links, files_for(item, request.user)),
    }
    return render(request, "front/resource.html", ctx)
