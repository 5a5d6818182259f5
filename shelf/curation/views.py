from django.contrib.admin.views.decorators import staff_member_required
from django.shortcuts import render
from django.utils import timezone

from shelf.curation import freshness


@staff_member_required(login_url="login")
def dashboard(request):
    today = timezone.localdate()
    overdue = freshness.overdue(today)
    in_review = freshness.in_review()
    drafts = freshness.drafts()
    ctx = {
        "today": today,
        "overdue": overdue[: freshness.LIMIT],
        "overdue_count": overdue.count(),
        "in_review": in_review[: freshness.LIMIT],
        "in_review_count": in_review.count(),
        "drafts": drafts[: freshness.LIMIT],
        "drafts_count": drafts.count(),
        "failed_files": freshness.failed_files(),
    }
    return render(request, "curation/dashboard.html", ctx)
