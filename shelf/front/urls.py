from django.urls import path

from shelf.front import feeds, views

app_name = "front"
urlpatterns = [
    path("", views.index, name="index"),
    path("resources/", views.resources, name="resources"),
    path("resources/feed/", feeds.feed, name="feed"),
    path("resources/facets/<str:name>/", views.facet, name="facet"),
    path("resources/<str:slug>/", views.resource, name="resource"),
]
