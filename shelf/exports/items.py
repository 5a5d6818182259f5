"""One resource as a bibliographic record: the CSL-JSON item every export
format and citation style starts from.

Shelf's publishers are organisations that wrote what they published, so
they are the authors (as ``literal`` names, never split into family and
given) and the publisher too. The item type follows the resource-type term.
"""

from __future__ import annotations

from shelf.api.serializers import absolute
from shelf.catalogue.models import DatePrecision, Resource

# Resource-type term slug -> CSL type; anything else is a report (grey
# literature: guides, toolkits, plans, policies, fact sheets).
CSL_TYPES = {
    "infographic": "graphic",
    "poster": "graphic",
    "video": "motion_picture",
}
DEFAULT_CSL_TYPE = "report"


def terms_of(resource: Resource, vocabulary: str) -> list[str]:
    return [t.display_label for t in resource.terms.all() if t.vocabulary == vocabulary]


def date_parts(resource: Resource) -> list[int]:
    """The date as CSL ``date-parts``, only as precise as it is known."""
    if not resource.date:
        return []
    parts = [resource.date.year, resource.date.month, resource.date.day]
    if resource.date_precision == DatePrecision.YEAR:
        return parts[:1]
    if resource.date_precision == DatePrecision.MONTH:
        return parts[:2]
    return parts


def csl_type(resource: Resource) -> str:
    for term in resource.terms.all():
        if term.vocabulary == "type" and term.slug in CSL_TYPES:
            return CSL_TYPES[term.slug]
    return DEFAULT_CSL_TYPE


def csl_item(resource: Resource) -> dict:
    publishers = [t.display_label for t in resource.publishers]
    item = {
        "id": resource.slug,
        "type": csl_type(resource),
        "title": resource.title,
        "URL": absolute(resource.get_absolute_url()),
    }
    if publishers:
        item["author"] = [{"literal": name} for name in publishers]
        item["publisher"] = "; ".join(publishers)
    parts = date_parts(resource)
    if parts:
        item["issued"] = {"date-parts": [parts]}
    if resource.summary:
        item["abstract"] = resource.summary
    if resource.language:
        item["language"] = resource.language
    keywords = terms_of(resource, "topic")
    if keywords:
        item["keyword"] = ", ".join(keywords)
    collections = terms_of(resource, "collection")
    if collections:
        item["collection-title"] = collections[0]
    return item
