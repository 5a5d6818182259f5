from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("", include("shelf.front.urls")),
    path("api/v1/", include("shelf.api.urls")),
    path("admin/", admin.site.urls),
    path("files/", include("shelf.files.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("", include("shelf.curation.urls")),
]

handler404 = "shelf.api.views.not_found"
handler400 = "shelf.ops.views.bad_request"
handler403 = "shelf.ops.views.permission_denied"
handler500 = "shelf.ops.views.server_error"
