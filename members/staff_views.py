"""
The common part of the admin pages the apps build themselves (ads, moderation, surveys, ...): the
view's own permission check runs before anything the URL names is looked up, so nobody without the
permission learns what exists; breadcrumbs lead from the dashboard through the section to the page.
"""

from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.views.generic import TemplateView
from wagtail.admin.menu import MenuItem
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin


class StaffView(WagtailAdminTemplateMixin, TemplateView):
    allowed = staticmethod(lambda user: False)  # who may see it, a function of the user: nobody unless said
    section = None  # (URL name, label) of the section between the dashboard and this page, if any

    def dispatch(self, request, *args, **kwargs):
        if not self.allowed(request.user):
            raise PermissionDenied
        self.load(**kwargs)
        return super().dispatch(request, *args, **kwargs)

    def load(self, **kwargs):
        """Find what the URL names (after the permission check, so that nobody else learns what exists)."""

    def get_section(self):
        return self.section

    def get_breadcrumbs_items(self):
        items = [{"url": reverse("wagtailadmin_home"), "label": "ダッシュボード"}]
        if section := self.get_section():
            items.append({"url": reverse(section[0]), "label": section[1]})
        return [*items, {"url": "", "label": self.get_page_title()}]


class AllowedMenuItem(MenuItem):
    """A menu item shown to whom ``allowed(user)`` says, linking to the URL name (reversed when shown)."""

    def __init__(self, label, url_name, allowed, **kwargs):
        self.url_name, self.allowed = url_name, allowed
        super().__init__(label, "#", **kwargs)

    def is_shown(self, request):
        return self.allowed(request.user)

    def render_component(self, request):
        self.url = reverse(self.url_name)
        return super().render_component(request)
