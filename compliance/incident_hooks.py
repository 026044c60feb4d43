"""
The incident register and the training records in the Wagtail admin (imported at the end of
``compliance.wagtail_hooks``): their URLs, menu items, and a dashboard panel telling a staff member
why a gate holds back personal data or moderation from them.
"""

from django.urls import path, reverse
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.menu import MenuItem
from wagtail.admin.ui.components import Component

from members import access

from . import incident_admin, training_admin
from .incident_roles import INCIDENT_VIEW, TRAINING_VIEW


@hooks.register("register_admin_urls")
def register_incident_urls():
    return [
        path("compliance/incidents/", incident_admin.IncidentListView.as_view(), name="compliance_incidents"),
        path("compliance/incidents/new/", incident_admin.IncidentCreateView.as_view(), name="compliance_incident_new"),
        path("compliance/incidents/<int:pk>/", incident_admin.IncidentDetailView.as_view(), name="compliance_incident"),
        path("compliance/incidents/<int:pk>/report.pdf", incident_admin.IncidentPDFView.as_view(),
             name="compliance_incident_pdf"),
        path("compliance/training/", training_admin.TrainingView.as_view(), name="compliance_training"),
        path("compliance/training/export/", training_admin.TrainingExportView.as_view(),
             name="compliance_training_export"),
    ]


class PermissionMenuItem(MenuItem):
    def __init__(self, label, url_name, permission, **kwargs):
        super().__init__(label, "#", **kwargs)
        self.url_name, self.permission = url_name, permission

    def is_shown(self, request):
        return request.user.has_perm(self.permission)

    def render_component(self, request):
        self.url = reverse(self.url_name)
        return super().render_component(request)


@hooks.register("register_admin_menu_item")
def register_incidents_menu():
    return PermissionMenuItem(_("事故報告"), "compliance_incidents", INCIDENT_VIEW, icon_name="warning",
                              name="compliance-incidents", order=292)


@hooks.register("register_admin_menu_item")
def register_training_menu():
    return PermissionMenuItem(_("研修の受講記録"), "compliance_training", TRAINING_VIEW, icon_name="group",
                              name="compliance-training", order=293)


class GatePanel(Component):
    """Why this staff member may not view personal data or moderate (shown only then)."""

    name = "compliance_gate"
    order = 5

    def __init__(self, refusals):
        self.refusals = refusals

    def render_html(self, parent_context=None):
        return format_html('<section class="help-block help-warning" role="alert">{}</section>',
                           format_html_join("", "<p>{}</p>", ((message,) for message, _p in self.refusals)))


@hooks.register("construct_homepage_panels")
def add_gate_panel(request, panels):
    user = request.user
    if user.is_authenticated and (user.is_staff or user.is_superuser or user.groups.exists()):
        refusals = access.refusals(user)
        if refusals:
            panels.insert(0, GatePanel(refusals))
