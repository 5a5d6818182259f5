import datetime
from urllib.parse import urlencode

from django import forms
from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from shelf.lib import charts
from shelf.stats import labels
from shelf.stats.models import DailyCount, Kind

PERIODS = [
    (7, gettext_lazy("Last 7 days")),
    (30, gettext_lazy("Last 30 days")),
    (90, gettext_lazy("Last 90 days")),
    (365, gettext_lazy("Last 12 months")),
]
# Longer periods are drawn one column per week: a day would be a hairline.
WEEKLY_FROM = 90
TOP = 10
TOP_QUERIES = 20


class PeriodForm(forms.Form):
    days = forms.TypedChoiceField(
        label=gettext_lazy("Period"), choices=PERIODS, coerce=int, initial=30
    )


def buckets(first: datetime.date, days: int) -> list[tuple[datetime.date, datetime.date]]:
    """(first day, last day) of each column: days, or weeks from a Monday."""
    last = first + datetime.timedelta(days=days - 1)
    step = 7 if days >= WEEKLY_FROM else 1
    start = first - datetime.timedelta(days=first.weekday()) if step == 7 else first
    spans = []
    while start <= last:
        end = min(start + datetime.timedelta(days=step - 1), last)
        spans.append((max(start, first), end))
        start += datetime.timedelta(days=step)
    return spans


def over_time(counts, first: datetime.date, days: int) -> dict:
    views, downloads = counts.per_day(Kind.VIEW), counts.per_day(Kind.DOWNLOAD)
    rows = []
    for start, end in buckets(first, days):
        span = [start + datetime.timedelta(days=i) for i in range((end - start).days + 1)]
        rows.append(
            {
                "start": start,
                "end": end,
                "views": sum(views.get(d, 0) for d in span),
                "downloads": sum(downloads.get(d, 0) for d in span),
            }
        )
    periods = [row["start"].isoformat() for row in rows]
    series = [
        ("views", _("Views"), [row["views"] for row in rows]),
        ("downloads", _("Downloads"), [row["downloads"] for row in rows]),
    ]
    return {"rows": rows, "chart": charts.columns(periods, series), "weekly": days >= WEEKLY_FROM}


def top_items(counts, user) -> list[dict]:
    """The items most viewed or downloaded, named only for whoever may see
    them (the catalogue's rule)."""
    keys = {k for k, _n in counts.top(Kind.VIEW, TOP)} | {
        k for k, _n in counts.top(Kind.DOWNLOAD, TOP)
    }
    views = counts.totals(Kind.VIEW, list(keys))
    downloads = counts.totals(Kind.DOWNLOAD, list(keys))
    names = labels.items(list(keys), user)
    rows = [
        {"item": names.get(key), "views": views.get(key, 0), "downloads": downloads.get(key, 0)}
        for key in keys
    ]
    rows.sort(key=lambda r: (-r["views"], -r["downloads"], r["item"]["label"] if r["item"] else ""))
    for row in rows:
        row["label"] = row["item"]["label"] if row["item"] else _("An item you may not see")
    return rows[:TOP]


def zero_queries(counts, user) -> list[dict]:
    may_add = user.has_perm("search.add_synonym")
    add = reverse("admin:search_synonym_add")
    return [
        {
            "text": text,
            "count": n,
            # The admin's add form takes its first values from the address.
            "synonym_url": f"{add}?{urlencode({'alternatives': text})}" if may_add else "",
        }
        for text, n in counts.top(Kind.ZERO, TOP_QUERIES)
    ]


def page(request):
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    if not request.user.is_staff:
        raise PermissionDenied
    form = PeriodForm(request.GET or None)
    valid = form.is_valid() if request.GET else True
    days = form.cleaned_data["days"] if request.GET and valid else 30
    today = timezone.localdate()
    first = today - datetime.timedelta(days=days - 1)
    counts = DailyCount.objects.between(first, today)
    items = top_items(counts, request.user)
    facets = [(labels.facet(key), n) for key, n in counts.top(Kind.FACET, TOP)]
    languages = [(labels.language(key), n) for key, n in counts.top(Kind.LANGUAGE, TOP)]
    ctx = {
        "form": form if request.GET else PeriodForm(initial={"days": days}),
        "days": days,
        "first": first,
        "today": today,
        "totals": {kind: counts.total(kind) for kind in Kind.values},
        "time": over_time(counts, first, days),
        "items": items,
        "items_chart": charts.bars([(r["label"], r["views"]) for r in items], "views"),
        "queries": zero_queries(counts, request.user),
        "query_days": settings.STATS_QUERY_DAYS,
        "facets": facets,
        "facets_chart": charts.bars(facets, "facet"),
        "languages": languages,
        "languages_chart": charts.bars(languages, "language"),
    }
    return render(request, "stats/page.html", ctx, status=200 if valid else 400)
