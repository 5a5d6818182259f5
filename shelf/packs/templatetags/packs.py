from django import template
from django.urls import reverse
from django.utils.http import urlencode

register = template.Library()


@register.inclusion_tag("packs/_offline.html")
def offline_pack(query):
    """ "Download for offline use": a plain link (the listing carries no form,
    so no CSRF token for anonymous readers) to the page that asks for the
    pack of this listing, pages aside."""
    pairs = [(k, v) for k, v in query.params() if k != "page"]
    return {"url": reverse("packs:new") + ("?" + urlencode(pairs) if pairs else "")}
