from django.urls import path

from shelf.alerts import views

# Pages, under each language's prefix (shelf/urls.py).
app_name = "alerts"
urlpatterns = [
    path("alerts/follow/", views.follow, name="follow"),
    path("alerts/follow/sent/", views.sent, name="sent"),
    path("alerts/confirm/<str:token>/", views.confirm, name="confirm"),
]
