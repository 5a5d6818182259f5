from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.shortcuts import render

from shelf.links.models import Link
from shelf.links.report import LinkFilterForm

PAGE_SIZE = 50


def results(request):
    """Every checked link, for curators: it names members-only items and
    drafts, so it is staff only, like the dashboard."""
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    if not request.user.is_staff:
        raise PermissionDenied
    form = LinkFilterForm(request.GET)
    if form.is_valid():
        links, status = form.links(), 200
    else:
        links, status = Link.objects.none(), 400
    page = Paginator(links, PAGE_SIZE, orphans=5).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    ctx = {"form": form, "page": page, "query": query.urlencode()}
    return render(request, "links/results.html", ctx, status=status)
