from django.urls import path

from shelf.links import views

app_name = "links"
urlpatterns = [
    path("curation/links/", views.results, name="results"),
]
