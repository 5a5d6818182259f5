from django.contrib import admin
from django.urls import include, path

from shelf.api import views as api_views

urlpatterns = [
    path("", include("shelf.exports.urls")),
    path("", include("shelf.front.urls")),
    path("api/v1/", include("shelf.api.urls")),
    path("api/", api_views.reference, name="api-reference"),
    path("admin/", admin.site.urls),
    path("files/", include("shelf.files.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("accounts/", include("shelf.accounts.urls")),
    path("", include("shelf.curation.urls")),
]

handler404 = "shelf.api.views.not_found"
