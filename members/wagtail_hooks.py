from django.urls import path
from wagtail import hooks

from . import staff_2fa


@hooks.register("register_admin_urls")
def register_2fa_urls():
    # Wagtail wraps these in require_admin_access: only logged-in admin users reach them.
    return [
        path("2fa/verify/", staff_2fa.verify, name="members_2fa_verify"),
        path("2fa/setup/", staff_2fa.setup, name="members_2fa_setup"),
    ]
