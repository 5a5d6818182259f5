from django.conf import settings
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse, translate_url
from django.utils import translation
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache

from shelf.catalogue.models import VOCABULARIES
from shelf.curation import terms
from shelf.files.templatetags.files import files_for
from shelf.front import listing, metadata
from shelf.search import browse as catalogue
from shelf.search.browse import SORTS
from shelf.search.facets import FACETS_BY_NAME
from shelf.stats import counting as stats

# What the front page lists, and how many of each.
FRONT_FACETS = ("collection", "topic")
FRONT_NEWEST = 6


def index(request):
    """The front page: the search box, the collections and topics with their
    counts and the newest items, all from one browse call."""
    results = catalogue.browse(catalogue.Query(sort="newest"), request.user, FRONT_NEWEST)
    path = reverse("front:resources")
    # A topic's link is that topic alone, in the listing's usual order.
    panels = {p.name: p for p in listing.panels(results, path, shown=None, base=catalogue.Query())}
    ctx = {
        "results": results,
        "rows": listing.rows(results, path),
        "groups": [panels[name] for name in FRONT_FACETS if name in panels],
        "newest_url": listing.href(path, results.query.url(sort="newest")),
        "canonical": reverse("front:index"),
    }
    stats.page_seen(request)
    return render(request, "front/index.html", ctx)


def resources(request):
    try:
        query = catalogue.parse(request.GET)
        results = catalogue.browse(query, request.user)
    except catalogue.QueryError as e:
        # A term merged or renamed since the link was made: on to its new slug.
        if moved := terms.moved(request.GET):
            return redirect(reverse("front:resources") + moved, permanent=True)
        return render(request, "front/resources.html", {"error": str(e)}, status=400)

    stats.searched(request, results)
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
    stats.viewed(request, item)
    grouped = item.terms_by_vocabulary()
    links = catalogue.links(item, request.user)
    ctx = {
        "resource": item,
        "terms": [(label, grouped[name]) for name, label in VOCABULARIES if name in grouped],
        "links": links,
        "canonical": item.get_absolute_url(),
        "metadata": metadata.head(item, links, files_for(item, request.user)),
    }
    return render(request, "front/resource.html", ctx)


@never_cache
def switch_language(request, code):
    """The language switcher's links: remember the choice (the cookie that
    unprefixed addresses follow) and go to the same page in that language."""
    if code not in dict(settings.LANGUAGES):
        raise Http404
    next_url = request.GET.get("next", "/")
    if not url_has_allowed_host_and_scheme(
        next_url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        next_url = "/"
    # The address is resolved in its own language: /fr/... only resolves in French.
    with translation.override(translation.get_language_from_path(next_url) or "en"):
        target = translate_url(next_url, code)
    response = redirect(target)
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME,
        code,
        max_age=settings.LANGUAGE_COOKIE_AGE,
        path=settings.LANGUAGE_COOKIE_PATH,
        domain=settings.LANGUAGE_COOKIE_DOMAIN,
        secure=settings.LANGUAGE_COOKIE_SECURE,
        httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
        samesite=settings.LANGUAGE_COOKIE_SAMESITE,
    )
    return response


def facet(request, name):
    """A facet's "more" page: every value with its count for the listing's
    query, found by part of its label, a page at a time."""
    if name not in FACETS_BY_NAME:
        raise Http404
    facet = FACETS_BY_NAME[name]
    contains = request.GET.get("contains", "")
    try:
        query = catalogue.parse(request.GET)
        found = catalogue.facet_page(query, request.user, name, contains)
    except catalogue.QueryError as e:
        if moved := terms.moved(request.GET):
            return redirect(reverse("front:facet", args=[name]) + moved, permanent=True)
        ctx = {"facet": facet, "error": str(e), "contains": contains[:100]}
        return render(request, "front/facet.html", ctx, status=400)
    links = listing.facet_links(found, reverse("front:resources"))
    ctx = {
        "facet": facet,
        "found": found,
        "contains": found.contains,
        "canonical": links["canonical"],
        **links,
    }
    return render(request, "front/facet.html", ctx)
