"""
The reports app in the Wagtail admin: 利用状況報告 (the archive of monthly usage reports and their
audited downloads) and 区の報告先 (the ward contacts the report is mailed to: a model viewset for the
administrators, opening a contact's form is a view of personal data and audited). The 運用状況 page
is registered by ``monitor_hooks`` (imported at the end).
"""

from django.urls import path
from django.utils.translation import gettext_lazy
from wagtail import hooks
from wagtail.admin.views.generic import EditView
from wagtail.admin.viewsets.model import ModelViewSet

from members import audit
from members.staff_views import AllowedMenuItem

from .admin_views import UsageReportsView, download, may_view
from .audit import ReportsAction
from .models import WardContact


class ContactEditView(EditView):
    def get(self, request, *args, **kwargs):
        response = super().get(request, *args, **kwargs)
        audit.record(request.user, ReportsAction.REVEAL_CONTACT, target=f"wardcontact:{self.object.pk}")
        response["Cache-Control"] = "private, no-store"
        return response


class WardContactViewSet(ModelViewSet):
    model = WardContact
    icon = "mail"
    menu_label = gettext_lazy("区の報告先")
    add_to_admin_menu = False
    name = "reports_contacts"
    list_display = ["name", "active", "created_at"]
    list_filter = ["active"]
    form_fields = ["name", "email", "active"]
    edit_view_class = ContactEditView
    copy_view_enabled = False
    inspect_view_enabled = False


@hooks.register("register_admin_viewset")
def register_reports_viewsets():
    return [WardContactViewSet()]


@hooks.register("register_admin_urls")
def register_reports_urls():
    return [
        path("reports/usage/", UsageReportsView.as_view(), name="reports_usage"),
        path("reports/usage/<int:report_id>/<str:fmt>", download, name="reports_download"),
    ]


@hooks.register("register_admin_menu_item")
def register_usage_menu_item():
    return AllowedMenuItem(gettext_lazy("利用状況報告"), "reports_usage", may_view, name="reports-usage",
                           icon_name="table", order=8900)


@hooks.register("register_settings_menu_item")
def register_contacts_menu_item():
    return AllowedMenuItem(gettext_lazy("区の報告先"), "reports_contacts:index",
                           lambda user: user.is_authenticated and user.has_perm("reports.view_wardcontact"),
                           name="reports-contacts", icon_name="mail", order=900)


from . import monitor_hooks  # noqa: E402,F401 - the 運用状況 page and the daily check (R2)
