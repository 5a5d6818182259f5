from django.urls import path

from shelf.packs import views

app_name = "packs"
urlpatterns = [
    path("packs/", views.request_pack, name="request"),
    path("packs/new/", views.new, name="new"),
    path("packs/<uuid:token>/", views.status, name="status"),
    path("packs/<uuid:token>/download/", views.download, name="download"),
]
