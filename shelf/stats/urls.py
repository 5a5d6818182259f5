from django.urls import path

from shelf.stats import views

app_name = "stats"
urlpatterns = [
    path("curation/stats/", views.page, name="page"),
]
