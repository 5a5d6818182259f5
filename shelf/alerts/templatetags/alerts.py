from django import template

from shelf.alerts.models import Frequency

register = template.Library()


@register.inclusion_tag("alerts/_follow.html")
def follow_search(query):
    """The listing's "Follow this search by e-mail". It is a GET form to the
    follow page, which asks for the address: an anonymous reader's listing
    page carries no CSRF token (it is compressed and sets no cookie), so
    the address cannot be posted from it."""
    return {
        "pairs": query.params(sort="relevance", page=1),
        "choices": Frequency.choices,
        "initial": Frequency.WEEKLY,
    }
