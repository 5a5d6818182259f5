from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.contrib.sitemaps import views as sitemaps
from django.urls import include, path

from shelf.alerts import views as alerts_views
from shelf.api import views as api_views
from shelf.front import views as front_views
from shelf.front.sitemaps import SITEMAPS, robots
from shelf.oai import views as oai

# Machine endpoints: one address whatever the language (they follow
# Accept-Language where they have words at all).
urlpatterns = [
    path("", include("shelf.exports.urls")),
    path("api/v1/", include("shelf.api.urls")),
    path("api/", api_views.reference, name="api-reference"),
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
    path("i18n/switch/<str:code>/", front_views.switch_language, name="switch_language"),
    # In every digest's List-Unsubscribe header: one address, no language
    # prefix, so a mail program's one-click POST is never redirected.
    path(
        "alerts/unsubscribe/<str:token>/",
        alerts_views.unsubscribe,
        name="alerts-unsubscribe",
    ),
]
# Pages: English at /resources/, the other languages at /fr/resources/ ...
urlpatterns += i18n_patterns(
    path("", include("shelf.front.urls")),
    path("accounts/", include("shelf.accounts.urls")),
    path("", include("shelf.curation.urls")),
    path("", include("shelf.stats.urls")),
    path("", include("shelf.links.urls")),
    path("", include("shelf.alerts.urls")),
    path("", include("shelf.packs.urls")),
    path("", include("shelf.submissions.urls")),
    prefix_default_language=False,
)
handler404 = "shelf.api.views.not_found"
handler400 = "shelf.ops.views.bad_request"
handler403 = "shelf.ops.views.permission_denied"
handler500 = "shelf.ops.views.server_error"
