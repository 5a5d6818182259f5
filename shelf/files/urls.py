from django.urls import path

from shelf.files import views

app_name = "files"
urlpatterns = [
    path("<int:pk>/thumbnail.webp", views.thumbnail, name="thumbnail"),
    path("<int:pk>/<str:filename>", views.download, name="download"),
]
