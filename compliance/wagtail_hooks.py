"""The compliance app in the Wagtail admin: 「開示等の請求」 (``admin_views``), shown to those who handle them."""

from django.urls import reverse
from wagtail import hooks
from wagtail.admin.menu import MenuItem

from .admin_views import CasesViewSet
from .cases import HANDLE_PERMISSION

VIEWSET = CasesViewSet("compliance_cases", url_prefix="compliance/cases")


@hooks.register("register_admin_viewset")
def register_cases_viewset():
    return VIEWSET


class CasesMenuItem(MenuItem):
    def is_shown(self, request):
        return request.user.has_perm(HANDLE_PERMISSION)

    def render_component(self, request):
        self.url = reverse("compliance_cases:index")
        return super().render_component(request)


@hooks.register("register_admin_menu_item")
def register_cases_menu():
    return CasesMenuItem("開示等の請求", "#", icon_name="doc-full", name="compliance-cases", order=290)
from . import incident_hooks  # noqa: F401,E402 - the incident register and training admin (C2)
