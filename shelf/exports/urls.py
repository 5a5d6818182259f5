from django.urls import path

from shelf.exports import views

app_name = "exports"
urlpatterns = [
    path("resources/download.<str:fmt>", views.download_list, name="list"),
    path("resources/<str:slug>/download.<str:fmt>", views.download_one, name="one"),
]
