"""Asking for an offline pack, following its build, and downloading it."""

from __future__ import annotations

from django.conf import settings
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from shelf.ops import throttle
from shelf.packs import builder, services
from shelf.packs.models import Pack
from shelf.search import browse


@require_safe
def new(request):
    """What the pack of a listing would hold, and the form to ask for it."""
    try:
        query = browse.parse(request.GET)
        count = len(builder.listing_ids(query, None))
    except (browse.QueryError, builder.PackError) as problem:
        return refused(request, str(problem), 400)
    params = [(k, v) for k, v in query.params() if k != "page"]
    ctx = {
        "count": count,
        "params": params,
        "members_option": services.may_pack_members_only(request.user),
        "listing_url": reverse("front:resources") + query.url(page=1).rstrip("?"),
    }
    return render(request, "packs/new.html", ctx)


@require_POST
def request_pack(request):
    """From the listing page's form: the listing's parameters, posted."""
    if not throttle.hit(request, "packs", limit=settings.SHELF_PACK_RATE_LIMIT):
        return refused(request, _("Too many packs were asked for from here; try again later."), 429)
    try:
        pack = services.request_pack(
            query=browse.parse(request.POST),
            user=request.user,
            language=translation.get_language(),
            members_only=request.POST.get("members_only") == "on",
        )
    except (browse.QueryError, builder.PackError) as problem:
        return refused(request, str(problem), 400)
    return redirect(pack)


def refused(request, reason: str, status: int):
    return render(request, "packs/refused.html", {"reason": reason}, status=status)


def pack_for(request, token) -> Pack:
    """The pack if ``request.user`` may have it; otherwise it does not exist."""
    pack = get_object_or_404(Pack, token=token)
    if not pack.may_have(request.user):
        raise Http404
    return pack


def private(request, response, pack: Pack):
    # A pack with members-only items stays out of shared caches.
    response["Cache-Control"] = "private, no-cache" if pack.owner_id else "no-cache"
    return response


@require_safe
def status(request, token):
    pack = pack_for(request, token)
    response = render(request, "packs/status.html", {"pack": pack})
    return private(request, response, pack)


@require_safe
def download(request, token):
    pack = pack_for(request, token)
    if not pack.is_ready:
        raise Http404
    name = f"shelf-pack-{pack.finished:%Y-%m-%d}-{str(pack.token)[:8]}.zip"
    response = FileResponse(
        pack.zip_file.open("rb"), as_attachment=True, filename=name, content_type="application/zip"
    )
    response["X-Content-Type-Options"] = "nosniff"
    return private(request, response, pack)
