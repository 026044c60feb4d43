"""
The newsletter on the public site: subscribing, the confirmation page (its button confirms: a mail
scanner that follows the link changes nothing), the unsubscribe page and its one-click POST
(RFC 8058: no cookie, no CSRF token; the signed token is the credential), and a member's choices.
"""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from . import services, tokens
from .forms import PreferencesForm, SubscribeForm
from .models import ConsentRecord

ONE_CLICK = ("List-Unsubscribe", "One-Click")  # the body of RFC 8058's POST: List-Unsubscribe=One-Click


@never_cache
@require_http_methods(["GET", "POST"])
def subscribe(request):
    form = SubscribeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if not services.allow_request(services.client_address(request)):
            return render(request, "newsletter/subscribe.html", {"form": form, "rate_limited": True,
                                                                 "version": settings.NEWSLETTER_CONSENT_VERSION}, status=429)
        services.request_subscription(form.cleaned_data["email"], form.cleaned_data["choices"],
                                      ConsentRecord.Source.WEB)
        # The same page whether the address was new, waiting, subscribed or stopped (no enumeration).
        return redirect("newsletter:subscribe_done")
    status = 400 if form.is_bound else 200
    return render(request, "newsletter/subscribe.html",
                  {"form": form, "version": settings.NEWSLETTER_CONSENT_VERSION}, status=status)


@never_cache
@require_http_methods(["GET", "POST"])
def confirm(request, token):
    """GET: a page whose button confirms. POST: confirm. A bad link says so (400) and changes nothing."""
    try:
        tokens.read_confirm_token(token)
        if request.method == "POST":
            services.confirm(token)
            return render(request, "newsletter/confirm_done.html")
    except tokens.TokenError as error:
        return render(request, "newsletter/invalid_link.html", {"code": error.code}, status=400)
    return render(request, "newsletter/confirm.html")


@csrf_exempt  # the one view without CSRF: mail clients POST here with no cookie (RFC 8058)
@never_cache
@require_http_methods(["GET", "POST"])
def unsubscribe(request, token):
    """
    GET: a page with a button. POST with ``List-Unsubscribe=One-Click`` (the mail client's
    one-click, or that button): stop every mail at once; 200 again for a repeat. Anything else in
    the body is refused (400) and changes nothing.
    """
    try:
        tokens.read_unsubscribe_token(token)
        if request.method == "POST":
            if request.POST.get(ONE_CLICK[0]) != ONE_CLICK[1]:
                return render(request, "newsletter/unsubscribe.html", {"bad_request": True}, status=400)
            source = ConsentRecord.Source.LINK if request.POST.get("from_page") else ConsentRecord.Source.ONE_CLICK
            services.unsubscribe(token, source)
            return render(request, "newsletter/unsubscribe_done.html")
    except tokens.TokenError as error:
        return render(request, "newsletter/invalid_link.html", {"code": error.code}, status=400)
    return render(request, "newsletter/unsubscribe.html")


@login_required
@never_cache
@require_http_methods(["GET", "POST"])
def preferences(request):
    """A member's own choices (also shown on the profile page, whose form posts here)."""
    subscribed, choices = services.member_subscription(request.user)
    form = PreferencesForm(request.POST or None, initial={"subscribed": subscribed, **choices})
    if request.method == "POST" and form.is_valid():
        try:
            services.set_member_subscription(request.user, form.cleaned_data["subscribed"],
                                             form.cleaned_data["choices"])
        except services.SubscriptionError as error:
            form.add_error(None, error.messages)
        else:
            messages.success(request, _("メールマガジンの設定を保存しました。") if form.cleaned_data["subscribed"]
                             else _("メールマガジンの配信を停止しました。"))
            return redirect("members:profile" if request.POST.get("next") == "profile" else "newsletter:preferences")
    return render(request, "newsletter/preferences.html", {"form": form, "subscribed": subscribed},
                  status=400 if form.is_bound else 200)
