"""Two-factor sign-in for staff: a code from an authenticator app (TOTP),
or one of ten single-use recovery codes, after the password.

django-otp keeps the devices and checks codes (with its throttling: each
wrong code doubles the wait before the next try). With ``SHELF_STAFF_2FA``
on, every editor, reviewer and admin must set it up before reaching the
admin or the curation pages; with it off, those who set it up anyway are
asked for a code all the same. Members never need it.

The password step signs the person in; until the second step, a staff
account reaches no staff page (:class:`TwoFactorMiddleware` sends it to the
code page), and reads what a member may read.
"""

from __future__ import annotations

import base64

import segno
from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django_otp import devices_for_user, user_has_device
from django_otp import login as otp_login
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from shelf.curation import audit

RECOVERY_CODES = 10
# Paths a staff account reaches before its second step.
STAFF_PREFIXES = ("/admin/", "/curation/")
OPEN_PATHS = ("/admin/login/", "/admin/logout/")


def needs_second_step(user) -> bool:
    """Whether ``user`` must give a code before staff pages."""
    if not (user.is_authenticated and (user.is_staff or user.is_superuser)):
        return False
    return settings.SHELF_STAFF_2FA or user_has_device(user, confirmed=True)


def is_done(request) -> bool:
    user = request.user
    return not needs_second_step(user) or is_verified(user)


def is_verified(user) -> bool:
    # OTPMiddleware adds is_verified to request.user; a user just signed in
    # by the login view is a fresh object without it, and not verified yet.
    return bool(getattr(user, "is_verified", lambda: False)())


def next_step_url(request, next_url: str) -> str:
    """The code page, or the set-up page for a staff account without a device."""
    name = "two_factor" if user_has_device(request.user, confirmed=True) else "two_factor_setup"
    return reverse(name) + "?" + urlencode({"next": next_url})


def strip_language(path: str) -> str:
    prefix, _, rest = path.lstrip("/").partition("/")
    if prefix and prefix in LANGUAGE_PREFIXES:
        return "/" + rest
    return path


LANGUAGE_PREFIXES = {code.lower() for code, _name in settings.LANGUAGES}


class TwoFactorMiddleware:
    """Keeps staff pages from a staff account that has not given its code."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        # /fr/curation/ is the dashboard too: the check reads the path without its language.
        path = strip_language(request.path)
        if (
            path.startswith(STAFF_PREFIXES)
            and not path.startswith(OPEN_PATHS)
            and not is_done(request)
        ):
            return redirect(next_step_url(request, request.get_full_path()))
        return self.get_response(request)


def safe_next(request, default: str = "") -> str:
    url = request.POST.get("next") or request.GET.get("next") or ""
    if url and url_has_allowed_host_and_scheme(
        url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return url
    return default or reverse("curation-dashboard")


class CodeForm(forms.Form):
    code = forms.CharField(
        label=gettext_lazy("Code"),
        max_length=16,
        help_text=gettext_lazy("The 6 digits your app shows now, or one of your recovery codes."),
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "autofocus": True}),
    )

    def clean_code(self) -> str:
        return "".join(self.cleaned_data["code"].split()).lower()


def verify_code(user, code: str):
    """The device that accepts ``code`` (a used recovery code is deleted),
    or None. Each device throttles wrong codes itself."""
    with transaction.atomic():
        for device in devices_for_user(user, confirmed=True, for_verify=True):
            if device.verify_token(code):
                return device
    return None


@login_required
def verify(request):
    """The second step: a code from the app or a recovery code."""
    if is_done(request):
        return redirect(safe_next(request))
    if not user_has_device(request.user, confirmed=True):
        return redirect(next_step_url(request, safe_next(request)))
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        device = verify_code(request.user, form.cleaned_data["code"])
        if device is not None:
            otp_login(request, device)
            audit.record(request.user, "two-factor sign-in", kind=device_kind(device))
            if isinstance(device, StaticDevice):
                left = device.token_set.count()
                messages.warning(
                    request,
                    _("You used a recovery code; %(n)d left. Make new ones on your account page.")
                    % {"n": left},
                )
            return redirect(safe_next(request))
        audit.record(request.user, "two-factor failed")
        form.add_error("code", _("This code is not right, or has been used. Try again."))
    return render(request, "accounts/two_factor.html", context(form=form, request=request))


@login_required
def setup(request):
    """Add an authenticator app: scan the QR code (or type the key), give a
    code to prove it works, then keep the recovery codes shown once."""
    user = request.user
    if user_has_device(user, confirmed=True) and not is_verified(user):
        # Replacing a device takes the current one first.
        return redirect(next_step_url(request, reverse("two_factor_setup")))
    device = TOTPDevice.objects.filter(user=user, confirmed=False).first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name="authenticator", confirmed=False)
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if device.verify_token(form.cleaned_data["code"]):
            with transaction.atomic():
                TOTPDevice.objects.filter(user=user, confirmed=True).delete()
                device.confirmed = True
                device.save()
                codes = new_recovery_codes(user)
                audit.record(user, "two-factor set up")
            otp_login(request, device)
            return render(
                request,
                "accounts/recovery_codes.html",
                context(codes=codes, next=safe_next(request, reverse("account"))),
            )
        form.add_error(
            "code", _("This code is not right. Check the time on your phone and try again.")
        )
    secret = base64.b32encode(device.bin_key).decode()
    qr = segno.make(device.config_url, error="m").svg_data_uri(scale=5, border=2)
    return render(
        request,
        "accounts/two_factor_setup.html",
        context(form=form, secret=secret, qr=qr, request=request),
    )


@login_required
def recovery_codes(request):
    """New recovery codes, replacing the old ones (POST only)."""
    if request.method != "POST" or not user_has_device(request.user, confirmed=True):
        return redirect("account")
    if not is_verified(request.user):
        return redirect(next_step_url(request, reverse("account")))
    codes = new_recovery_codes(request.user)
    audit.record(request.user, "recovery codes replaced")
    return render(
        request, "accounts/recovery_codes.html", context(codes=codes, next=reverse("account"))
    )


def new_recovery_codes(user) -> list[str]:
    device, _created = StaticDevice.objects.get_or_create(
        user=user, name="recovery", defaults={"confirmed": True}
    )
    device.token_set.all().delete()
    codes = [StaticToken.random_token() for _ in range(RECOVERY_CODES)]
    StaticToken.objects.bulk_create([StaticToken(device=device, token=c) for c in codes])
    return codes


def device_kind(device) -> str:
    return "recovery code" if isinstance(device, StaticDevice) else "authenticator"


def context(**extra) -> dict:
    from shelf.accounts.views import site_context

    request = extra.pop("request", None)
    if request is not None:
        extra.setdefault("next", safe_next(request, ""))
    return {**site_context(), **extra}


def status(user) -> dict:
    """For the account page."""
    static = StaticDevice.objects.filter(user=user, name="recovery").first()
    return {
        "enabled": user_has_device(user, confirmed=True),
        "required": needs_second_step(user) and settings.SHELF_STAFF_2FA,
        "recovery_left": static.token_set.count() if static else 0,
        "is_staff": user.is_staff,
    }
