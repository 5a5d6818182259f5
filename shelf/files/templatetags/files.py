from django import template

from shelf.files.models import ResourceFile

register = template.Library()


@register.inclusion_tag("files/_file_list.html", takes_context=True)
def resource_files(context, resource):
    """``{% resource_files resource %}`` on a detail page: the files the
    reader may download, in one query."""
    request = context.get("request")
    user = getattr(request, "user", None)
    return {"files": files_for(resource, user)}


def files_for(resource, user) -> list[ResourceFile]:
    if resource is None or not resource.pk:
        return []
    # The page checked the resource; readers still only get ready files.
    return list(ResourceFile.objects.for_resource(resource, user))
