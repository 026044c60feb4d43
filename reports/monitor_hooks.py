"""
The 運用状況 page and the daily check in the Wagtail admin (imported by ``reports/wagtail_hooks.py``).
"""

from django.urls import path, reverse
from django.utils.translation import gettext_lazy
from wagtail import hooks
from wagtail.admin.menu import MenuItem

from .models import Alert
from .monitor_views import DailyCheckView, MonitorView, may_monitor


@hooks.register("register_admin_urls")
def register_monitor_urls():
    return [
        path("reports/monitor/", MonitorView.as_view(), name="reports_monitor"),
        path("reports/monitor/check/<str:token>/", DailyCheckView.as_view(), name="reports_daily_check"),
    ]


class MonitorMenuItem(MenuItem):
    def is_shown(self, request):
        return may_monitor(request.user)

    def render_component(self, request):
        self.url = reverse("reports_monitor")
        component = super().render_component(request)
        open_alerts = Alert.objects.filter(state=Alert.State.OPEN).count()
        if open_alerts:
            component.label = f"{self.label}（{open_alerts}）"
        return component


@hooks.register("register_admin_menu_item")
def register_monitor_menu_item():
    return MonitorMenuItem(gettext_lazy("運用状況"), "#", name="reports-monitor", icon_name="desktop", order=9000)
