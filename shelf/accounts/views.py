"""Signing in and out, passwords, and each person's own settings.

Django's auth views name the site after the request's host (``site_name``
from ``get_current_site``); Shelf's pages and e-mails name it by the
``SHELF_SITE_NAME`` setting instead, so no view here relies on the host.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth import views as auth_views
from django.urls import reverse_lazy


def site_context() -> dict:
    return {"site_name": settings.SHELF_SITE_NAME, "site_root": settings.SITE_ROOT}


class SiteNameMixin:
    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(site_context())
        return context


class LoginView(SiteNameMixin, auth_views.LoginView):
    template_name = "accounts/login.html"
    redirect_authenticated_user = True

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["axes_failure_limit"] = settings.AXES_FAILURE_LIMIT
        return context


class PasswordChangeView(SiteNameMixin, auth_views.PasswordChangeView):
    template_name = "accounts/password_change.html"


class PasswordChangeDoneView(SiteNameMixin, auth_views.PasswordChangeDoneView):
    template_name = "accounts/password_change_done.html"


class PasswordResetView(SiteNameMixin, auth_views.PasswordResetView):
    """Asks for an e-mail address and always answers the same, so the page
    does not tell who has an account."""

    template_name = "accounts/password_reset_form.html"
    email_template_name = "accounts/password_reset_email.txt"
    subject_template_name = "accounts/password_reset_subject.txt"
    success_url = reverse_lazy("password_reset_done")

    def form_valid(self, form):
        # The link is built from SITE_ROOT, never from the Host header a
        # client may forge.
        self.extra_email_context = site_context()
        return super().form_valid(form)


class PasswordResetDoneView(SiteNameMixin, auth_views.PasswordResetDoneView):
    template_name = "accounts/password_reset_done.html"


class PasswordResetConfirmView(SiteNameMixin, auth_views.PasswordResetConfirmView):
    template_name = "accounts/password_reset_confirm.html"
    success_url = reverse_lazy("password_reset_complete")


class PasswordResetCompleteView(SiteNameMixin, auth_views.PasswordResetCompleteView):
    template_name = "accounts/password_reset_complete.html"
