from django import template
from django.urls import reverse
from django.utils.http import urlencode

from shelf.exports import citations
from shelf.exports.formats import FORMATS

register = template.Library()


@register.inclusion_tag("exports/_download_list.html")
def download_list(query, count):
    """Links to this listing (every page of it) in every format."""
    pairs = [(k, v) for k, v in query.params() if k != "page"]
    suffix = "?" + urlencode(pairs) if pairs else ""
    links = [
        (f.label, reverse("exports:list", args=[name]) + suffix, name)
        for name, f in FORMATS.items()
    ]
    return {"links": links, "count": count}


@register.inclusion_tag("exports/_cite.html")
def cite_this(resource):
    links = [
        (f.label, reverse("exports:one", args=[resource.slug, name]), name)
        for name, f in FORMATS.items()
    ]
    return {"citations": citations.cite(resource), "links": links}
