"""
The 運用状況 admin page (everything the monitoring knows, at a glance) and the daily check
(「確認しました」): the 8:00 digest links to a signed URL naming the day; GET shows what is being
confirmed and changes nothing, POST records ``DailyCheck(day, checked_by, checked_at)`` once.
Both need ``reports.view_monitoring`` (the moderators and the administrators).
"""

from datetime import date, timedelta

from django.contrib import messages
from django.core import signing
from django.db import IntegrityError, transaction
from django.http import Http404
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from members.staff_views import StaffView

from . import selectors
from .models import DailyCheck
from .monitor_roles import VIEW_MONITORING

SALT = "reports.daily-check"
LINK_DAYS = 2  # the link of a day's digest works that day and the next


def may_monitor(user):
    return user.is_authenticated and user.is_active and user.has_perm(VIEW_MONITORING)


def check_token(day):
    return signing.dumps(day.isoformat(), salt=SALT)


def day_of(token):
    """The day a token names, or None when it is forged, damaged or too old."""
    try:
        day = date.fromisoformat(signing.loads(token, salt=SALT, max_age=timedelta(days=LINK_DAYS + 1)))
    except (signing.BadSignature, ValueError, TypeError):
        return None
    return day if timezone.localdate() - day <= timedelta(days=LINK_DAYS - 1) else None


def check_path(day):
    return reverse("reports_daily_check", args=[check_token(day)])


class MonitorView(StaffView):
    template_name = "reports/monitor.html"
    page_title = gettext_lazy("運用状況")
    header_icon = "desktop"
    allowed = staticmethod(may_monitor)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(selectors.monitor_overview())
        context["check_url"] = check_path(context["today"])
        return context


class DailyCheckView(StaffView):
    template_name = "reports/monitor_check.html"
    page_title = gettext_lazy("日常確認")
    header_icon = "tick"
    allowed = staticmethod(may_monitor)
    section = ("reports_monitor", gettext_lazy("運用状況"))

    def load(self, token):
        self.day = day_of(token)
        if self.day is None:
            raise Http404

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(day=self.day, check=selectors.daily_check(self.day),
                       errors_yesterday=selectors.errors_on(self.day - timedelta(days=1)))
        return context

    def post(self, request, *args, **kwargs):
        try:
            with transaction.atomic():
                DailyCheck.objects.create(day=self.day, checked_by=request.user, checked_at=timezone.now())
            messages.success(request, _("%(day)s の日常確認を記録しました。") % {"day": self.day})
        except IntegrityError:
            messages.info(request, _("%(day)s の日常確認はすでに記録されています。") % {"day": self.day})
        return redirect("reports_monitor")
