from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse

from shelf.catalogue import browse as catalogue
from shelf.catalogue.browse import SORTS
from shelf.catalogue.models import VOCABULARIES
from shelf.front.templatetags.listing import listing_href

# Values shown per facet before the rest fold into "More".
FACET_SHOWN = 8


def index(request):
    return redirect("front:resources")


def page_numbers(page: int, pages: int, around: int = 2) -> list[int | None]:
    """First, last and a window around the current page; None marks a gap."""
    keep = {1, pages, *range(page - around, page + around + 1)}
    numbers: list[int | None] = []
    for n in sorted(k for k in keep if 1 <= k <= pages):
        if numbers and n - numbers[-1] > 1:
            numbers.append(None)
        numbers.append(n)
    return numbers


def chips(results) -> list[dict]:
    """The chosen values, each with the link that removes it."""
    query = results.query
    chosen = []
    for facet in results.facets:
        for value in facet.values:
            if value.selected:
                url = listing_href(query.toggled(facet.name, value.value))
                chosen.append({"facet": facet.label, "label": value.label, "url": url})
    return chosen


def resources(request):
    try:
        query = catalogue.parse(request.GET)
        results = catalogue.browse(query, request.user)
    except catalogue.QueryError as e:
        return render(request, "front/resources.html", {"error": str(e)}, status=400)

    params = query.params()
    ctx = {
        "query": query,
        "results": results,
        "chips": chips(results),
        "sorts": SORTS.items(),
        "slice_shown": f":{FACET_SHOWN}",
        "slice_more": f"{FACET_SHOWN}:",
        "api_url": reverse("api:resources") + query.url(page=query.page).rstrip("?"),
        "page_numbers": page_numbers(results.page, results.pages),
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
