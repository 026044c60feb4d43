"""Public member pages: registration, verification, log-in, profile, export, withdrawal, terms, privacy."""

import json

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST
from django.views.generic import TemplateView

from . import postal, services
from .captcha import page_policy
from .forms import EmailChangeForm, LoginForm, MemberDataForm, RegistrationForm, WithdrawForm


def fill_address(form):
    """「住所を検索」: the address fields filled from the postal code (no JavaScript needed); the notice to show."""
    data = form.data.copy()
    try:
        found = postal.lookup(data.get("postal_code", ""))
    except ValueError as exc:
        return str(exc)
    if not found:
        return _("この郵便番号の住所が見つかりませんでした。")
    address = found[0]
    data["prefecture"], data["municipality"] = address.prefecture, address.municipality
    data["street"] = address.town if not data.get("street") else data["street"]
    form.data = data
    return _("郵便番号から住所を入力しました。番地と建物名を確認してください。")


def looked_up(form):
    """The form after a postal-code look-up: everything typed kept, no errors yet (it is not a submission)."""
    notice = fill_address(form)
    form = form.__class__(form.data, instance=form.instance)
    form._errors = {}
    return form, notice


@never_cache
@require_http_methods(["GET", "POST"])
def register(request):
    form = RegistrationForm(request.POST or None)
    notice = None
    if request.method == "POST" and "lookup_postal" in request.POST:
        form, notice = looked_up(form)
        form.keep_passwords()
    elif request.method == "POST" and form.is_valid():
        password = form.cleaned_data["password1"]
        services.register_member(form.cleaned_data, password, services.site_base_url(request))
        return redirect("members:register_done")
    response = render(request, "members/register.html", {"form": form, "postal_notice": notice})
    if policy := page_policy():
        response["Content-Security-Policy"] = policy
    return response


def verify(request, token):
    user = services.verify_email(token)
    return render(request, "members/verify.html", {"verified": user is not None}, status=200 if user else 400)


class LoginView(auth_views.LoginView):
    template_name = "members/login.html"
    authentication_form = LoginForm
    redirect_authenticated_user = True


@login_required
@never_cache
@require_http_methods(["GET", "POST"])
def profile(request):
    form = MemberDataForm(request.POST or None, instance=request.user)
    notice = None
    if request.method == "POST" and "lookup_postal" in request.POST:
        form, notice = looked_up(form)
    elif request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, _("登録内容を更新しました。"))
        return redirect("members:profile")
    return render(request, "members/profile.html", {"form": form, "masked_email": request.user.masked_email,
                                                    "email_form": EmailChangeForm(user=request.user),
                                                    "postal_notice": notice})


@login_required
@never_cache
@require_POST
def change_email(request):
    """The new address is used once its owner follows the link sent there."""
    form = EmailChangeForm(request.POST, user=request.user)
    if form.is_valid():
        services.request_email_change(request.user, form.cleaned_data["email"], services.site_base_url(request))
        messages.success(request, _("新しいメールアドレスに確認用のリンクを送りました。リンクを開くと変更されます。"))
        return redirect("members:profile")
    return render(request, "members/profile.html", {
        "form": MemberDataForm(instance=request.user), "masked_email": request.user.masked_email,
        "email_form": form}, status=400)


@login_required
@never_cache
def export(request):
    """開示: all the member's data as a JSON file."""
    data = json.dumps(services.export_member_data(request.user), ensure_ascii=False, indent=2)
    response = HttpResponse(data, content_type="application/json; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="shinjuku-portal-my-data.json"'
    return response


@login_required
@never_cache
@require_http_methods(["GET", "POST"])
def withdraw(request):
    form = WithdrawForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        services.withdraw_member(request.user, keep_posts=form.cleaned_data["posts"] == "keep",
                                 password=form.cleaned_data["password"])
        logout(request)
        return redirect("members:withdraw_done")
    return render(request, "members/withdraw.html", {"form": form})


@require_POST
def logout_view(request):
    logout(request)
    return redirect("/")


class TermsView(TemplateView):
    """利用規約, versioned like the privacy policy: members agree to TERMS_VERSION (members.Consent)."""

    template_name = "members/terms.html"

    def get_context_data(self, **kwargs):
        return {**super().get_context_data(**kwargs), "version": settings.TERMS_VERSION}


class PrivacyPolicyView(TemplateView):
    template_name = "members/privacy.html"

    def get_context_data(self, **kwargs):
        return {**super().get_context_data(**kwargs), "version": settings.PRIVACY_POLICY_VERSION,
                "unverified_days": settings.UNVERIFIED_MEMBER_DAYS, "audit_years": settings.AUDIT_RETENTION_DAYS // 365,
                # What APPI requires published: the operator and the desk for requests and complaints
                # (as the operator wrote them, in Japanese: marked so inside the translated sentences).
                **{name: format_html('<span lang="ja">{}</span>', getattr(settings, f"PORTAL_{name.upper()}"))
                   for name in ("operator_name", "operator_address", "operator_representative", "operator_contact")},
                "target_days": getattr(settings, "COMPLIANCE_CASE_TARGET_DAYS", 14)}
