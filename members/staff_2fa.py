"""
Two-factor log-in (TOTP, django-otp) for everyone who can enter the Wagtail admin.

Editors and moderators reach the admin through the ``wagtailadmin.access_admin`` group
permission, usually without ``is_staff``, so that permission is what decides. After the
password, such a user must enrol an authenticator app (first time) or enter its 6-digit code
before any admin page answers. Residents on the public site are not affected.
"""

import base64
from urllib.parse import urlencode

import qrcode
import qrcode.image.svg
from django import forms
from django.contrib.auth import REDIRECT_FIELD_NAME
from django.db import transaction
from django.shortcuts import redirect, render
from django.urls import Resolver404, resolve, reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django_otp import login as otp_login
from django_otp import user_has_device
from django_otp.models import VerifyNotAllowed
from django_otp.plugins.otp_totp.models import TOTPDevice

ADMIN_PREFIX = "/admin/"
# Admin URLs a password-only session may reach: logging in and out, password reset, enrolment.
EXEMPT_URL_NAMES = {
    "wagtailadmin_login", "wagtailadmin_logout", "wagtailadmin_javascript_catalog", "wagtailadmin_sprite",
    "wagtailadmin_password_reset", "wagtailadmin_password_reset_done", "wagtailadmin_password_reset_confirm",
    "wagtailadmin_password_reset_complete", "members_2fa_verify", "members_2fa_setup",
}
THROTTLED = "確認コードの誤りが続いたため、{seconds}秒ほど待ってから再度お試しください。"
INVALID = "確認コードが正しくありません。"


def requires_2fa(user):
    return user.is_authenticated and (
        user.is_superuser or user.is_staff or user.has_perm("wagtailadmin.access_admin")
    )


class RequireStaff2FAMiddleware:
    """After django_otp's OTPMiddleware (which gives ``user.is_verified()``)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.redirect_to_2fa(request) or self.get_response(request)

    def redirect_to_2fa(self, request):
        if not request.path_info.startswith(ADMIN_PREFIX):
            return None
        user = request.user
        if not requires_2fa(user) or user.is_verified():
            return None
        try:
            if resolve(request.path_info).view_name in EXEMPT_URL_NAMES:
                return None
        except Resolver404:
            return None
        target = "members_2fa_verify" if user_has_device(user, confirmed=True) else "members_2fa_setup"
        return redirect(f"{reverse(target)}?{urlencode({'next': request.get_full_path()})}")


class TokenForm(forms.Form):
    otp_token = forms.RegexField(
        label="確認コード（6桁）", regex=r"^\s*\d{6}\s*$", max_length=10,
        error_messages={"invalid": "6桁の数字を入力してください。", "required": "確認コードを入力してください。"},
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "autofocus": True}),
    )

    def clean_otp_token(self):
        return self.cleaned_data["otp_token"].strip()


def _next_url(request):
    url = request.POST.get(REDIRECT_FIELD_NAME) or request.GET.get(REDIRECT_FIELD_NAME)
    if url and url_has_allowed_host_and_scheme(url, {request.get_host()}, request.is_secure()):
        return url
    return reverse("wagtailadmin_home")


def _check_token(device, token):
    """None when the code is right; otherwise the Japanese message to show."""
    with transaction.atomic():
        device = TOTPDevice.objects.select_for_update().get(pk=device.pk)
        allowed, extra = device.verify_is_allowed()
        if not allowed:
            if extra and extra.get("reason") == VerifyNotAllowed.N_FAILED_ATTEMPTS:
                return THROTTLED.format(seconds=2 ** max(extra.get("failure_count", 1) - 1, 0))
            return INVALID
        if device.verify_token(token):  # django-otp's throttling and replay protection
            return None
    return INVALID


@sensitive_post_parameters("otp_token")
@never_cache
def verify(request):
    device = TOTPDevice.objects.devices_for_user(request.user, confirmed=True).first()
    if device is None:
        return redirect(f"{reverse('members_2fa_setup')}?{urlencode({'next': _next_url(request)})}")
    if request.user.is_verified():
        return redirect(_next_url(request))
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        error = _check_token(device, form.cleaned_data["otp_token"])
        if error is None:
            device.refresh_from_db()
            otp_login(request, device)
            return redirect(_next_url(request))
        form.add_error("otp_token", error)
    return render(request, "members/staff_2fa_verify.html", {"form": form, "next": _next_url(request)})


@sensitive_post_parameters("otp_token")
@never_cache
def setup(request):
    user = request.user
    # A password-only session never adds a device to an account that already has one.
    if user_has_device(user, confirmed=True) and not user.is_verified():
        return redirect(f"{reverse('members_2fa_verify')}?{urlencode({'next': _next_url(request)})}")
    device = TOTPDevice.objects.devices_for_user(user, confirmed=False).first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name="認証アプリ", confirmed=False)
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        error = _check_token(device, form.cleaned_data["otp_token"])
        if error is None:
            device.refresh_from_db()
            device.confirmed = True
            device.save(update_fields=["confirmed"])
            TOTPDevice.objects.devices_for_user(user, confirmed=False).delete()
            otp_login(request, device)
            return redirect(_next_url(request))
        form.add_error("otp_token", error)
    qr_svg = qrcode.make(device.config_url, image_factory=qrcode.image.svg.SvgPathImage).to_string(encoding="unicode")
    return render(request, "members/staff_2fa_setup.html", {
        "form": form, "next": _next_url(request), "qr_svg": qr_svg,
        "secret": base64.b32encode(device.bin_key).decode(),
    })
