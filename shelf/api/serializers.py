"""The JSON shapes of the API, in one place.

``date`` is the date only as precisely as the source gave it: "2020",
"2020-05" or "2020-05-14" (``date_precision`` in the detail says which), or
null. ``publishers`` are the publishers' labels; their slugs are in
``terms["publisher"]``.
"""

from __future__ import annotations

from django.conf import settings
from django.utils.translation import get_language

from shelf.catalogue.models import VOCABULARY_NAMES, Resource
from shelf.search import browse as catalogue


def absolute(path: str) -> str:
    return settings.SITE_ROOT + path


def resource_summary(resource: Resource, language: str | None = None) -> dict:
    """``language``: the one being served, looked up once by callers that
    summarise many resources (each term's label is in it)."""
    language = language or get_language()
    terms: dict[str, list[dict]] = {name: [] for name in VOCABULARY_NAMES}
    for term in resource.terms.all():
        terms[term.vocabulary].append({"slug": term.slug, "label": term.label_for(language)})
    return {
        "slug": resource.slug,
        "title": resource.title,
        "summary": resource.summary,
        "publishers": [t.label_for(language) for t in resource.publishers],
        "date": resource.date_display() or None,
        "language": resource.language,
        "url": absolute(resource.get_absolute_url()),
        "terms": terms,
    }


def resource_ref(resource: Resource) -> dict:
    """A link to another resource."""
    return {
        "slug": resource.slug,
        "title": resource.title,
        "language": resource.language,
        "date": resource.date_display() or None,
        "url": absolute(resource.get_absolute_url()),
    }


def resource_detail(resource: Resource, user) -> dict:
    links = catalogue.links(resource, user)
    return {
        **resource_summary(resource),
        "body": resource.body,
        "date_precision": resource.date_precision or None,
        "language_label": resource.language_label,
        "source_url": resource.source_url,
        "visibility": resource.visibility,
        "last_reviewed": resource.last_reviewed.isoformat() if resource.last_reviewed else None,
        "updated": resource.updated.isoformat(),
        # Replaced by a newer edition the caller may see, as the listing marks it.
        "superseded": bool(links.superseded_by),
        "translations": [resource_ref(r) for r in links.translations],
        "supersedes": resource_ref(links.supersedes) if links.supersedes else None,
        "superseded_by": [resource_ref(r) for r in links.superseded_by],
        "related": [resource_ref(r) for r in links.related],
    }


def search_hit(resource: Resource, results: catalogue.Results, language: str | None = None) -> dict:
    """A result of a search: the summary plus an excerpt with the matched
    words in <mark> (HTML, escaped before marking; "" without a query)."""
    return {
        **resource_summary(resource, language),
        "snippet": results.snippets.get(resource.pk, ""),
        # Set by browse from the index: a newer edition the caller may see exists.
        "superseded": bool(getattr(resource, "superseded", False)),
    }


def results(results: catalogue.Results) -> dict:
    language = get_language()
    return {
        "count": results.count,
        "page": results.page,
        "pages": results.pages,
        "suggestion": results.suggestion or None,
        "notice": results.notice or None,
        "results": [search_hit(r, results, language) for r in results.resources],
        "facets": {facet.name: [facet_value(v) for v in facet.values] for facet in results.facets},
    }


def facet_value(v: catalogue.FacetValue) -> dict:
    return {"value": v.value, "label": v.label, "count": v.count, "selected": v.selected}


def facet_page(found: catalogue.FacetPage) -> dict:
    """A facet's values for a query, a page at a time: ``count`` values in
    all (those containing ``contains``), ``resources`` the query's count."""
    return {
        "facet": found.facet.name,
        "label": str(found.facet.label),
        "contains": found.contains,
        "resources": found.resources,
        "count": found.count,
        "page": found.page,
        "pages": found.pages,
        "results": [facet_value(v) for v in found.facet.values],
    }


def resource_editorial(resource: Resource) -> dict:
    """What the write API answers: the item as its curators see it, drafts
    included (only callers who may edit ever get this)."""
    resource = Resource.objects.with_terms().get(pk=resource.pk)
    return {
        **resource_summary(resource),
        "body": resource.body,
        "date_precision": resource.date_precision or None,
        "source_url": resource.source_url,
        "visibility": resource.visibility,
        "status": resource.status,
        "publish_at": resource.publish_at.isoformat() if resource.publish_at else None,
        "last_reviewed": resource.last_reviewed.isoformat() if resource.last_reviewed else None,
        "review_by": resource.review_by.isoformat() if resource.review_by else None,
        "updated": resource.updated.isoformat(),
        "translations": sorted(resource.translations.values_list("slug", flat=True)),
        "supersedes": resource.supersedes.slug if resource.supersedes_id else None,
    }


def resource_file(item) -> dict:
    return {
        "id": item.pk,
        "filename": item.filename,
        "content_type": item.content_type,
        "size": item.size,
        "sha256": item.sha256,
        "status": item.status,
        "url": absolute(item.get_absolute_url()),
    }
