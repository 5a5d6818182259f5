from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect
from django.views.decorators.http import require_safe

from shelf.catalogue.models import Visibility
from shelf.files.models import ResourceFile
from shelf.stats import counting as stats

# A downloaded file is the uploader's content, not ours: it runs no script,
# is not sniffed into HTML, opens in no frame of ours.
FILE_CSP = "sandbox; default-src 'none'; frame-ancestors 'none'"


def _file_for(request, pk: int) -> ResourceFile:
    """The file if ``request.user`` may have it; otherwise it does not exist."""
    return get_object_or_404(
        ResourceFile.objects.visible_to(request.user).select_related("resource"), pk=pk
    )


def _protect(response, item: ResourceFile):
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = FILE_CSP
    resource = item.resource
    if resource.visibility == Visibility.PUBLIC and resource.is_visible_to(None):
        response["Cache-Control"] = "public, max-age=3600"
    else:
        # Members-only and unpublished files stay out of shared caches.
        response["Cache-Control"] = "private, no-cache"
    return response


@require_safe
def download(request, pk: int, filename: str):
    item = _file_for(request, pk)
    if filename != item.download_name:
        return redirect(item.get_absolute_url())
    # Always an attachment, PDFs too: Chrome's PDF viewer does not run under
    # a sandbox policy, and a download cannot act on our origin.
    response = FileResponse(
        item.file.open("rb"),
        as_attachment=True,
        filename=item.download_name,
        content_type=item.content_type,
    )
    stats.downloaded(request, item.resource_id)
    return _protect(response, item)


@require_safe
def thumbnail(request, pk: int):
    item = _file_for(request, pk)
    if not item.thumbnail:
        raise Http404
    response = FileResponse(item.thumbnail.open("rb"), content_type="image/webp")
    return _protect(response, item)
