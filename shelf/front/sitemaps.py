"""/sitemap.xml for search engines: the listing and every public item, with
the date each last changed. An index, so a catalogue past 50,000 items
(the protocol's limit per file) still fits."""

from __future__ import annotations

from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.sitemaps import Sitemap
from django.db.models import Max
from django.http import HttpResponse
from django.urls import reverse

from shelf.catalogue.models import Resource


class SiteRootSitemap(Sitemap):
    """Addresses under SITE_ROOT, whatever host the request came to."""

    limit = 10000

    def get_domain(self, site=None) -> str:
        return urlsplit(settings.SITE_ROOT).netloc

    def get_protocol(self, protocol=None) -> str:
        return urlsplit(settings.SITE_ROOT).scheme


class ResourceSitemap(SiteRootSitemap):
    def items(self):
        # Crawlers are anonymous: public items only, through the one gate.
        return Resource.objects.visible_to(None).only("slug", "updated").order_by("pk")

    def lastmod(self, item: Resource):
        return item.updated


class ListingSitemap(SiteRootSitemap):
    changefreq = "daily"

    def items(self):
        return ["front:resources"]

    def location(self, item: str) -> str:
        return reverse(item)

    def lastmod(self, item: str):
        return Resource.objects.visible_to(None).aggregate(latest=Max("updated"))["latest"]


SITEMAPS = {"pages": ListingSitemap, "resources": ResourceSitemap}


def robots(request):
    lines = [
        "User-agent: *",
        # Curators' pages and the sign-in form are of no use in a search engine.
        "Disallow: /admin/",
        "Disallow: /curation/",
        "Disallow: /accounts/",
        f"Sitemap: {settings.SITE_ROOT}{reverse('sitemap-index')}",
    ]
    return HttpResponse("\n".join(lines) + "\n", content_type="text/plain; charset=utf-8")
