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


@register.inclusion_tag("exports/_cite.html", takes_context=True)
def cite_this(context, resource):
    """The item's citation in one style (?style=, APA by default), links to
    the others and its downloads. One style, not all: each costs several
    milliseconds to format, and most readers want one."""
    request = context.get("request")
    chosen = request.GET.get("style") if request else None
    if chosen not in citations.STYLES:
        chosen = citations.DEFAULT_STYLE
    others = [
        (label, "?" + urlencode({"style": key}) + "#cite-heading")
        for key, (label, _file) in citations.STYLES.items()
        if key != chosen
    ]
    links = [
        (f.label, reverse("exports:one", args=[resource.slug, name]), name)
        for name, f in FORMATS.items()
    ]
    return {"citation": citations.cite(resource, [chosen])[0], "others": others, "links": links}
