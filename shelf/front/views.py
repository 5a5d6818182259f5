from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse

from shelf.catalogue.models import VOCABULARIES
from shelf.front import listing
from shelf.search import browse as catalogue
from shelf.search.browse import SORTS


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
    ctx = {
        "resource": item,
        "terms": [(label, grouped[name]) for name, label in VOCABULARIES if name in grouped],
        "links": catalogue.links(item, request.user),
    }
    return render(request, "front/resource.html", ctx)
