from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.shortcuts import render
from django.utils import timezone

from shelf.curation import freshness
from shelf.links import report as links_report


def dashboard(request):
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    # A signed-in member sent back to the sign-in page would bounce between
    # the two pages; tell them plainly instead.
    if not request.user.is_staff:
        raise PermissionDenied
    today = timezone.localdate()
    overdue = freshness.overdue(today)
    in_review = freshness.in_review()
    drafts = freshness.drafts()
    superseded = freshness.superseded(today)
    ctx = {
        "today": today,
        "overdue": overdue[: freshness.LIMIT],
        "overdue_count": overdue.count(),
        "in_review": in_review[: freshness.LIMIT],
        "in_review_count": in_review.count(),
        "superseded": superseded[: freshness.LIMIT],
        "superseded_count": superseded.count(),
        "drafts": drafts[: freshness.LIMIT],
        "drafts_count": drafts.count(),
        "failed_files": freshness.failed_files(),
        "links": links_report.dashboard(),
    }
    return render(request, "curation/dashboard.html", ctx)
