"""An Atom feed of any listing: the same query string as the page, the same
``browse()`` call (so the same permissions), newest first.

A feed reader fetches without the reader's session, so in practice a feed
lists public items only; a signed-in member's browser would see what the
member sees on the page, never more.
"""

from __future__ import annotations

import datetime

from django.conf import settings
from django.contrib.syndication.views import Feed
from django.http import HttpResponse
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed, Enclosure
from django.utils.html import linebreaks
from django.utils.translation import gettext as _

from shelf.catalogue.models import Resource
from shelf.front import listing
from shelf.search import browse as catalogue


class Listing:
    def __init__(self, request):
        query = catalogue.parse(request.GET)
        # A feed is the first page of the newest; sort and page do not apply.
        query.sort, query.page = "newest", 1
        self.query = query
        self.results = catalogue.browse(query, request.user, per_page=settings.SHELF_FEED_SIZE)
        self.resources = self.results.resources
        # The page's rows read only the columns the page shows; the feed
        # also needs the dates and files, read through the same gate.
        extra = (
            Resource.objects.visible_to(request.user)
            .filter(pk__in=[r.pk for r in self.resources])
            .only("id", "created", "updated")
        )
        try:
            from shelf.files.models import ready_files_prefetch

            extra = extra.prefetch_related(ready_files_prefetch())
        except ImportError:  # the files app is optional
            pass
        extra = extra.in_bulk()
        for resource in self.resources:
            found = extra[resource.pk]
            resource.updated, resource.created = found.updated, found.created
            resource.ready_files = getattr(found, "ready_files", [])

    def listing_url(self) -> str:
        return listing.href(reverse("front:resources"), self.query.url(sort="relevance"))

    def feed_url(self) -> str:
        return listing.href(reverse("front:feed"), self.query.url(sort="relevance"))


def absolute(path: str) -> str:
    return settings.SITE_ROOT + path


class ResourcesFeed(Feed):
    feed_type = Atom1Feed

    def get_object(self, request, *args, **kwargs) -> Listing:
        return Listing(request)

    def title(self, obj: Listing) -> str:
        labels = [label for facet in obj.results.facets for label in selected(facet)]
        described = ", ".join(([f"“{obj.query.q}”"] if obj.query.q else []) + labels)
        if described:
            return _("%(site)s: new resources for %(what)s") % {
                "site": settings.SITE_NAME,
                "what": described,
            }
        return _("%(site)s: new resources") % {"site": settings.SITE_NAME}

    def subtitle(self, obj: Listing) -> str:
        return _("The newest resources in this list, with their summaries and files.")

    def link(self, obj: Listing) -> str:
        return absolute(obj.listing_url())

    def feed_url(self, obj: Listing) -> str:
        return absolute(obj.feed_url())

    def feed_guid(self, obj: Listing) -> str:
        return absolute(obj.feed_url())

    def get_feed(self, obj, request):
        feed = super().get_feed(obj, request)
        dates = [r.updated for r in obj.resources]
        # The feed changed when its newest entry did (an empty feed: now).
        feed.feed["updateddate"] = max(dates) if dates else None
        return feed

    def items(self, obj: Listing) -> list[Resource]:
        return obj.resources

    def item_title(self, item: Resource) -> str:
        return item.title

    def item_description(self, item: Resource) -> str:
        # Atom summaries are HTML: the plain-text summary is escaped.
        return linebreaks(item.summary, autoescape=True) if item.summary else ""

    def item_link(self, item: Resource) -> str:
        # SITE_ROOT, not the request's host: links stay right behind a proxy.
        return absolute(item.get_absolute_url())

    def item_guid(self, item: Resource) -> str:
        return absolute(item.get_absolute_url())

    def item_updateddate(self, item: Resource) -> datetime.datetime:
        return item.updated

    def item_pubdate(self, item: Resource) -> datetime.datetime:
        if item.date:
            return datetime.datetime.combine(item.date, datetime.time(), datetime.UTC)
        return item.created

    def item_author_name(self, item: Resource) -> str:
        return ", ".join(t.display_label for t in item.publishers)

    def item_categories(self, item: Resource) -> list[str]:
        return [t.display_label for t in item.terms.all() if t.vocabulary != "publisher"]

    def item_enclosures(self, item: Resource) -> list[Enclosure]:
        return [
            Enclosure(absolute(f.get_absolute_url()), str(f.size), f.content_type)
            for f in item.ready_files
        ]


def selected(facet) -> list[str]:
    return [v.label for v in facet.values if v.selected]


resources_feed = ResourcesFeed()


def feed(request):
    try:
        return resources_feed(request)
    except catalogue.QueryError as e:
        return HttpResponse(str(e), status=400, content_type="text/plain; charset=utf-8")
