from django.urls import path

from shelf.submissions import views

app_name = "submissions"
urlpatterns = [
    path("suggest/", views.suggest, name="suggest"),
    path("suggest/sent/", views.sent, name="sent"),
    path("suggest/confirm/<str:token>/", views.confirm, name="confirm"),
]
