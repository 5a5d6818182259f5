from django.conf import settings
from django.contrib.auth import views as auth_views
from django.urls import path

from shelf.curation import views

# Names without a namespace, as Django's LOGIN_URL and admin expect:
# {% url "login" %}, {% url "logout" %} (POST), {% url "curation-dashboard" %}.
urlpatterns = [
    path(
        "accounts/login/",
        auth_views.LoginView.as_view(
            template_name="curation/login.html",
            redirect_authenticated_user=True,
            extra_context={"axes_failure_limit": settings.AXES_FAILURE_LIMIT},
        ),
        name="login",
    ),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path(
        "accounts/password/",
        auth_views.PasswordChangeView.as_view(template_name="curation/password_change.html"),
        name="password_change",
    ),
    path(
        "accounts/password/done/",
        auth_views.PasswordChangeDoneView.as_view(
            template_name="curation/password_change_done.html"
        ),
        name="password_change_done",
    ),
    path("curation/", views.dashboard, name="curation-dashboard"),
]
