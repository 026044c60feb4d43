"""
Lockout after repeated failed log-ins (django-axes), per account and per address.

The account counter is keyed by the e-mail's keyed hash, never the address itself, so the
attempt records hold no e-mail in plain text.
"""

from axes.helpers import get_cool_off, get_lockout_message
from django.conf import settings
from django.shortcuts import render

from apikit.errors import problem

from .crypto import email_digest


def username_for_axes(request, credentials):
    value = (credentials or {}).get("username") or (credentials or {}).get("email")
    if value is None and request is not None:
        value = request.POST.get("username") or request.POST.get("email")
    return email_digest(value)[:40] if value else value


def client_ip(request):
    """
    The client's address. Behind our proxy (TRUST_X_FORWARDED_PROTO) it is the last hop of
    X-Forwarded-For, which nginx appends; otherwise the connection's own address.
    """
    if settings.SECURE_PROXY_SSL_HEADER and request.META.get("HTTP_X_FORWARDED_FOR"):
        return request.META["HTTP_X_FORWARDED_FOR"].split(",")[-1].strip()
    return request.META.get("REMOTE_ADDR")


def retry_after(request):
    """Seconds a locked-out client is told to wait (``Retry-After``): the cool-off, which a new failure restarts."""
    cool_off = get_cool_off(request)
    return int(cool_off.total_seconds()) if cool_off else None


def lockout_response(request, original_response=None, credentials=None):
    message = get_lockout_message()
    status = settings.AXES_HTTP_RESPONSE_CODE
    if request.path.startswith("/api/") or "application/json" in request.headers.get("Accept", ""):
        return problem(status, message, code="locked_out", retry_after=retry_after(request))
    seconds = retry_after(request)
    minutes = seconds // 60 if seconds else None
    response = render(request, "members/lockout.html", {"message": message, "minutes": minutes}, status=status)
    if seconds:
        response["Retry-After"] = str(seconds)
    return response
