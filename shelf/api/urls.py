from django.urls import path

from shelf.api import views

app_name = "api"
urlpatterns = [
    path("openapi.json", views.openapi, name="openapi"),
    path("resources", views.resources, name="resources"),
    path("resources/facets/<str:facet>", views.facet, name="facet"),
    path("resources/<str:slug>", views.resource, name="resource"),
    path("resources/<str:slug>/files", views.resource_files, name="resource-files"),
]
