"""What the dashboard and the results page show of the link checks."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from shelf.links.models import Link, ReviewFlag

LIMIT = 20


def dashboard() -> dict:
    """The dashboard's section: broken, redirected and slow links with the
    items carrying them, and the items sent for review."""
    links = Link.objects.carried().with_items()
    broken = links.broken().order_by("-consecutive_failures", "url")
    redirected = links.redirected().order_by("url")
    slow = links.slow(settings.SHELF_LINKS_SLOW_SECONDS).order_by("-elapsed", "url")
    flagged = ReviewFlag.objects.select_related("resource", "link").order_by("-created")
    return {
        "broken": broken[:LIMIT],
        "broken_count": broken.count(),
        "redirected": redirected[:LIMIT],
        "redirected_count": redirected.count(),
        "slow": slow[:LIMIT],
        "slow_count": slow.count(),
        "flagged": flagged[:LIMIT],
        "flagged_count": flagged.count(),
        "dead_after": settings.SHELF_LINKS_DEAD_AFTER,
    }


class LinkFilterForm(forms.Form):
    STATES = [
        ("", _("All")),
        ("broken", _("Broken")),
        ("dead", _("Dead (failed several checks in a row)")),
        ("redirected", _("Redirected")),
        ("slow", _("Slow")),
        ("working", _("Working")),
        ("unchecked", _("Not checked yet")),
    ]
    state = forms.ChoiceField(label=_("Result"), choices=STATES, required=False)
    host = forms.CharField(label=_("Host"), max_length=255, required=False)
    q = forms.CharField(label=_("Address contains"), max_length=200, required=False)

    def links(self):
        """The links matching the form's choices (call after is_valid)."""
        links = Link.objects.carried().with_items()
        state = self.cleaned_data["state"]
        if state == "dead":
            links = links.dead(settings.SHELF_LINKS_DEAD_AFTER)
        elif state == "slow":
            links = links.slow(settings.SHELF_LINKS_SLOW_SECONDS)
        elif state:
            links = getattr(links, state)()
        if host := self.cleaned_data["host"].strip().lower():
            links = links.filter(host=host)
        if q := self.cleaned_data["q"].strip():
            links = links.filter(url__icontains=q)
        return links.order_by("-consecutive_failures", "url")
