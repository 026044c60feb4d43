"""Surveys and calls in the Wagtail admin: the menu item 「アンケート・募集」 and its views (``admin_views``)."""

from django.urls import reverse
from wagtail import hooks
from wagtail.admin.menu import MenuItem

from .admin_views import SurveysAdminViewSet

VIEWSET = SurveysAdminViewSet("surveys_admin", url_prefix="surveys")


@hooks.register("register_admin_viewset")
def register_surveys_viewset():
    return VIEWSET


class ResultsMenuItem(MenuItem):
    def is_shown(self, request):
        return request.user.has_perm("surveys.view_response")

    def render_component(self, request):
        self.url = reverse("surveys_admin:index")
        return super().render_component(request)


@hooks.register("register_admin_menu_item")
def register_surveys_menu():
    return ResultsMenuItem("アンケート・募集の結果", "#", icon_name="form", name="surveys", order=280)
