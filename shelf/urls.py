from django.contrib import admin
from django.contrib.sitemaps import views as sitemaps
from django.urls import include, path

from shelf.front.sitemaps import SITEMAPS, robots
from shelf.oai import views as oai

urlpatterns = [
    path("", include("shelf.front.urls")),
    path("api/v1/", include("shelf.api.urls")),
    path("admin/", admin.site.urls),
    path("files/", include("shelf.files.urls")),
    path("oai", oai.endpoint, name="oai"),
    path("robots.txt", robots, name="robots"),
    path("sitemap.xml", sitemaps.index, {"sitemaps": SITEMAPS}, name="sitemap-index"),
    path(
        "sitemap-<section>.xml",
        sitemaps.sitemap,
        {"sitemaps": SITEMAPS},
        name="django.contrib.sitemaps.views.sitemap",
    ),
    path("oai/schemas/<str:name>.xsd", oai.schema, name="oai-schema"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("", include("shelf.curation.urls")),
]

handler404 = "shelf.api.views.not_found"
