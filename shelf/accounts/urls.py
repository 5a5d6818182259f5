from django.contrib.auth import views as auth_views
from django.urls import path

from shelf.accounts import twofactor, views

# Names without a namespace, as Django's LOGIN_URL, admin and auth views
# expect: {% url "login" %}, {% url "logout" %} (POST), {% url "password_reset" %}.
urlpatterns = [
    path("", views.account, name="account"),
    path("login/", views.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("two-factor/", twofactor.verify, name="two_factor"),
    path("two-factor/setup/", twofactor.setup, name="two_factor_setup"),
    path("two-factor/recovery-codes/", twofactor.recovery_codes, name="recovery_codes"),
    path("password/", views.PasswordChangeView.as_view(), name="password_change"),
    path("password/done/", views.PasswordChangeDoneView.as_view(), name="password_change_done"),
    path("password-reset/", views.PasswordResetView.as_view(), name="password_reset"),
    path("password-reset/sent/", views.PasswordResetDoneView.as_view(), name="password_reset_done"),
    path(
        "password-reset/<uidb64>/<token>/",
        views.PasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path(
        "password-reset/done/",
        views.PasswordResetCompleteView.as_view(),
        name="password_reset_complete",
    ),
]
