from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.module_loading import autodiscover_modules
from wagtail.users.apps import WagtailUsersAppConfig


class MembersConfig(AppConfig):
    default = True  # apps.py holds two configs; this one is the members app's
    name = "members"
    verbose_name = "会員"

    def ready(self):
        from . import (
            checks,  # noqa: F401 (registers the system checks)
            roles,
        )

        # What every app declares in its own modules (see ARCHITECTURE.md, "Adding a capability"):
        # audit actions, staff roles' permissions, its part of a member's export and erasure.
        autodiscover_modules("audit", "roles", "personal_data")
        post_migrate.connect(roles._after_migrate, dispatch_uid="members.roles")


class StaffUsersAppConfig(WagtailUsersAppConfig):
    """Replaces ``wagtail.users`` in INSTALLED_APPS (same label, same models): its user admin
    lists and edits staff accounts only (``members.staff_users``)."""

    default = False
    user_viewset = "members.staff_users.StaffUserViewSet"
