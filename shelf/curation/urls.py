from django.urls import path

from shelf.curation import views

urlpatterns = [
    path("curation/", views.dashboard, name="curation-dashboard"),
]
