from __future__ import annotations

from django.conf import settings
from django.core import signing
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import get_language
from django.views.decorators.cache import never_cache

from shelf.ops import throttle
from shelf.submissions import services
from shelf.submissions.forms import SuggestForm


@never_cache
def suggest(request):
    """The public "Suggest a resource" form. Every refusal shows the form
    again with what was typed and the reason (the file must be chosen again:
    browsers never refill a file field)."""
    direct = services.can_submit_directly(request.user)
    if request.method != "POST":
        form = SuggestForm(
            user=request.user,
            initial={"email": request.user.email or ""} if request.user.is_authenticated else None,
        )
        return page(request, form, direct)
    form = SuggestForm(request.POST, request.FILES, user=request.user)
    # Partners are known accounts; everyone else is counted by a keyed hash
    # of their address that expires with the window.
    if not direct and not throttle.hit(
        request, "suggest", limit=settings.SHELF_SUGGEST_RATE_LIMIT, window=3600
    ):
        form.is_valid()  # to show the form again as typed
        return page(request, form, direct, status=429, limited=True)
    if not form.is_valid():
        return page(request, form, direct, status=400)
    try:
        submission = services.submit(
            fields=form.fields_for_submission(),
            terms=form.chosen_terms(),
            upload=form.cleaned_data.get("file"),
            user=request.user,
            language=get_language(),
        )
    except ValidationError as e:
        form.add_error("file", e)
        return page(request, form, direct, status=400)
    url = reverse("submissions:sent")
    return redirect(f"{url}?draft=1" if submission.resource_id else url)


def page(request, form, direct, *, status=200, limited=False):
    ctx = {"form": form, "direct": direct, "limited": limited}
    return render(request, "submissions/suggest.html", ctx, status=status)


def sent(request):
    return render(request, "submissions/sent.html", {"draft": request.GET.get("draft") == "1"})


@never_cache
def confirm(request, token):
    """The link in the confirmation e-mail: a page with a button, so a mail
    program that opens links to check them does not confirm on its own."""
    try:
        submission = services.from_token(token)
    except signing.SignatureExpired:
        return refused(request, "expired")
    except signing.BadSignature:
        return refused(request, "tampered")
    if submission is None:
        return refused(request, "gone", status=404)
    done = submission.state != "unconfirmed"
    if request.method == "POST" and not done:
        services.confirm(submission)
        return render(request, "submissions/confirmed.html", {"already": False})
    if done:
        return render(request, "submissions/confirmed.html", {"already": True})
    return render(request, "submissions/confirm.html", {"submission": submission})


def refused(request, why: str, status: int = 400):
    ctx = {"why": why, "hours": settings.SHELF_SUGGEST_CONFIRM_HOURS}
    return render(request, "submissions/refused.html", ctx, status=status)
