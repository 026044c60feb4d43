"""
メール送信状況 in the Wagtail admin: the outbox (``members.outbox``) as a list staff can read —
what waits, what was sent, what failed and why — with the recipient masked. Nobody adds, edits
or deletes mail here (a view-only permission policy, even for superusers); the text of a mail is
never shown. Who may open it: ``members.view_outboxmail`` (Administrators, ``members.roles``).
"""

from wagtail import hooks
from wagtail.admin.ui.tables import Column
from wagtail.admin.viewsets.model import ModelViewSet
from wagtail.permission_policies import ModelPermissionPolicy
from wagtail.permissions import register_permission_policy

from .models import OutboxMail


class ViewOnlyPolicy(ModelPermissionPolicy):
    def user_has_permission(self, user, action):
        return action == "view" and super().user_has_permission(user, action)

    def users_with_any_permission(self, actions):
        return super().users_with_any_permission([action for action in actions if action == "view"])


register_permission_policy(OutboxMail, ViewOnlyPolicy(OutboxMail))


class OutboxViewSet(ModelViewSet):
    model = OutboxMail
    icon = "mail"
    menu_label = "メール送信状況"
    add_to_settings_menu = True
    name = "mail_outbox"
    inspect_view_enabled = False
    list_display = ["created_at", "template", Column("masked_recipient", label="宛先（一部のみ）"), "status",
                    "attempts", "next_attempt_at", "last_error", "sent_at"]
    list_filter = ["status"]
    list_export = []
    ordering = ["-created_at"]
    form_fields = ["status"]  # the edit views exist but the policy never lets anyone in


@hooks.register("register_admin_viewset")
def register_outbox_admin():
    return OutboxViewSet()
