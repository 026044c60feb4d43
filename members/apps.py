from django.apps import AppConfig
from wagtail.users.apps import WagtailUsersAppConfig


class MembersConfig(AppConfig):
    default = True  # apps.py holds two configs; this one is the members app's
    name = "members"
    verbose_name = "会員"

    def ready(self):
        from . import checks  # noqa: F401 (registers the system checks)


class StaffUsersAppConfig(WagtailUsersAppConfig):
    """Replaces ``wagtail.users`` in INSTALLED_APPS (same label, same models): its user admin
    lists and edits staff accounts only (``members.staff_users``)."""

    default = False
    user_viewset = "members.staff_users.StaffUserViewSet"
