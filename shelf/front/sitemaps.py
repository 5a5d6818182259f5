"""/sitemap.xml for search engines: the listing and every public item, with
the date each last changed, at its address in every interface language
(``hreflang`` alternates, and ``x-default`` for the unprefixed English
address). An index, so a catalogue past 50,000 addresses (the protocol's
limit per file) still fits."""

from __future__ import annotations

import math
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.sitemaps import Sitemap
from django.db.models import Max, QuerySet
from django.http import HttpResponse
from django.urls import reverse

from shelf.catalogue.models import Resource


class LanguagePairs:
    """Django's i18n sitemap pages through (item, language) pairs and builds
    the whole list of them for every page; this is that list, read from the
    queryset one page at a time, so a page costs the same at any size."""

    def __init__(self, items, languages: list[str]):
        self.items = items
        self.languages = languages

    def count(self) -> int:
        found = self.items.count() if isinstance(self.items, QuerySet) else len(self.items)
        return found * len(self.languages)

    def __len__(self) -> int:
        return self.count()

    def __getitem__(self, where: slice) -> list:
        n = len(self.languages)
        first, stop = where.start // n, math.ceil(where.stop / n)
        pairs = [(item, code) for item in self.items[first:stop] for code in self.languages]
        return pairs[where.start - first * n : where.stop - first * n]


class SiteRootSitemap(Sitemap):
    """Addresses under SITE_ROOT, whatever host the request came to, one per
    interface language, each listing the others as alternates."""

    limit = 10000
    i18n = True
    alternates = True
    x_default = True

    def _items(self):
        return LanguagePairs(self.items(), self._languages())

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
