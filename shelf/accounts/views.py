"""Signing in and out, passwords, and each person's own settings.

Django's auth views name the site after the request's host (``site_name``
from ``get_current_site``); Shelf's pages and e-mails name it by the
``SHELF_SITE_NAME`` setting instead, so no view here relies on the host.
"""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import reverse_lazy
from django.utils.translation import gettext as _

from shelf.accounts import twofactor
from shelf.accounts.models import Profile
from shelf.curation import roles, workflow


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

    def get_success_url(self):
        url = super().get_success_url()
        if not twofactor.is_done(self.request):
            # Signed in with the password; staff pages wait for the code.
            return twofactor.next_step_url(self.request, url)
        return url


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


class NotificationsForm(forms.ModelForm):
    class Meta:
        model = Profile
        fields = ["notify_review", "notify_outcome", "weekly_digest"]

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        # Only the notifications the person's role can get.
        if not user.has_perm(workflow.PUBLISH):
            del self.fields["notify_review"]
        if not user.has_perm(workflow.EDIT):
            del self.fields["notify_outcome"]
            del self.fields["weekly_digest"]


@login_required
def account(request):
    """The signed-in person's page: role, password, two-factor sign-in, e-mails."""
    profile = Profile.of(request.user)
    form = NotificationsForm(request.POST or None, instance=profile, user=request.user)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, _("Your e-mail settings are saved."))
        return redirect("account")
    role = roles.role_of(request.user)
    ctx = {
        **site_context(),
        "form": form,
        "role": roles.ROLE_LABELS.get(role, "") if role else "",
        "two_factor": twofactor.status(request.user),
    }
    return render(request, "accounts/account.html", ctx)
