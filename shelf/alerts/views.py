from django.conf import settings
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from shelf.alerts import services, tokens
from shelf.alerts.describe import describe
from shelf.alerts.forms import FollowForm
from shelf.alerts.models import Alert, Frequency, canonical
from shelf.front import listing
from shelf.ops import throttle
from shelf.search import browse as catalogue


def saved_search(params) -> catalogue.Query:
    """The listing named by ``params``, as an alert keeps it: any sort, the
    first page (raises QueryError for a bad value)."""
    query = catalogue.parse(params)
    query.sort, query.page = "relevance", 1
    return query


def follow_page(request, query, form, status=200, error=""):
    ctx = {
        "form": form,
        "error": error,
        "pairs": query.params(),
        "what": describe(query, request.user),
        "listing_url": listing.href(reverse("front:resources"), query.url()),
    }
    return render(request, "alerts/follow.html", ctx, status=status)


@never_cache
@require_http_methods(["GET", "POST"])
def follow(request):
    params = request.POST if request.method == "POST" else request.GET
    try:
        query = saved_search(params)
        # Every filter checked as the listing checks them.
        catalogue.browse(query, request.user, per_page=1)
    except catalogue.QueryError as e:
        return render(request, "alerts/follow.html", {"query_error": str(e)}, status=400)
    if request.method == "GET":
        frequency = request.GET.get("frequency")
        initial = {"frequency": frequency if frequency in Frequency.values else Frequency.WEEKLY}
        if request.user.is_authenticated:
            initial["email"] = request.user.email
        return follow_page(request, query, FollowForm(initial=initial))

    form = FollowForm(request.POST)
    limit = settings.SHELF_ALERTS_FOLLOW_LIMIT
    if not throttle.hit(request, "alerts-follow", limit=limit, window=3600):
        error = _("Too many requests came from your connection. Please try again in an hour.")
        return follow_page(request, query, form, status=429, error=error)
    if not form.is_valid():
        return follow_page(request, query, form, status=400)
    services.follow(
        email=form.cleaned_data["email"],
        query=canonical(query),
        frequency=form.cleaned_data["frequency"],
        language=get_language(),
        user=request.user,
    )
    return redirect("alerts:sent")


def sent(request):
    return render(request, "alerts/sent.html")


def refused(request, error: tokens.BadToken, template: str):
    if error.expired:
        message = _("This link has expired. Follow the search again to get a new one.")
    else:
        message = _("This link is not valid: it may have been cut short or changed.")
    return render(request, template, {"refused": message}, status=400)


@never_cache
@require_http_methods(["GET", "POST"])
def confirm(request, token):
    try:
        data = tokens.read_confirmation(token)
        alert = Alert.objects.filter(key=data["k"]).first()
        if alert is None:
            raise tokens.BadToken
        if request.method == "POST":
            alert = services.confirm(token)
    except tokens.BadToken as e:
        return refused(request, e, "alerts/confirm.html")
    ctx = {
        "alert": alert,
        "done": request.method == "POST",
        "what": describe(alert.search(), request.user),
        "frequency": dict(Frequency.choices).get(data.get("f"), alert.get_frequency_display()),
        "listing_url": listing.href(reverse("front:resources"), alert.search().url(page=1)),
        "unsubscribe_url": reverse("alerts-unsubscribe", args=[tokens.unsubscribe(alert.key)]),
    }
    return render(request, "alerts/confirm.html", ctx)


# The one view that takes a POST without a CSRF token: mail programs send
# RFC 8058's one-click POST without cookies, and the signed token in the
# address is what authorises it (it is in no page another site can read).
@csrf_exempt
@never_cache
@require_http_methods(["GET", "POST"])
def unsubscribe(request, token):
    try:
        key = tokens.read_unsubscribe(token)
    except tokens.BadToken as e:
        return refused(request, e, "alerts/unsubscribe.html")
    alert = Alert.objects.filter(key=key).first()
    # The subscriber's language: the header's address has no language prefix.
    language = alert.language if alert else get_language()
    with translation.override(language):
        if request.method == "POST":
            services.unsubscribe(token)
            return render(request, "alerts/unsubscribe.html", {"done": True})
        ctx = {"alert": alert, "what": describe(alert.search(), None) if alert else ""}
        return render(request, "alerts/unsubscribe.html", ctx)
