from django.contrib import admin
from django.urls import include, path

from shelf.oai import views as oai

urlpatterns = [
    path("", include("shelf.front.urls")),
    path("api/v1/", include("shelf.api.urls")),
    path("admin/", admin.site.urls),
    path("files/", include("shelf.files.urls")),
    path("oai", oai.endpoint, name="oai"),
    path("oai/schemas/<str:name>.xsd", oai.schema, name="oai-schema"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("", include("shelf.curation.urls")),
]

handler404 = "shelf.api.views.not_found"
