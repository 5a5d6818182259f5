from django import template

from shelf.packs.services import may_pack_members_only

register = template.Library()


@register.inclusion_tag("packs/_offline.html", takes_context=True)
def offline_pack(context, query, count):
    """ "Download for offline use": a form posting this listing's parameters
    (pages aside) to ask for a pack."""
    request = context["request"]
    return {
        "csrf_token": context.get("csrf_token"),
        "params": [(k, v) for k, v in query.params() if k != "page"],
        "count": count,
        "members_option": may_pack_members_only(request.user),
    }
