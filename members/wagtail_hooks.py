from django.urls import path
from wagtail import hooks

from . import outbox_admin, staff_2fa  # noqa: F401 - outbox_admin registers メール送信状況
from .admin_views import MemberAdminGroup


@hooks.register("register_admin_urls")
def register_2fa_urls():
    # Wagtail wraps these in require_admin_access: only logged-in admin users reach them.
    return [
        path("2fa/verify/", staff_2fa.verify, name="members_2fa_verify"),
        path("2fa/setup/", staff_2fa.setup, name="members_2fa_setup"),
    ]


@hooks.register("register_admin_viewset")
def register_member_admin():
    # 会員管理: the member list (/admin/members/) and the audit log (/admin/audit-log/). Each view
    # checks its own permission; the menu shows only what the user may open.
    return MemberAdminGroup()
