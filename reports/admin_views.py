"""
The usage reports in the Wagtail admin: the archive (利用状況報告) with a form that builds a month's
report now, and the download of an archived file — permission first, every download in the audit
trail, never cached, never public.
"""

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from members.staff_views import StaffView

from . import report, services
from .models import UsageReport


def may_view(user):
    return user.is_authenticated and user.is_active and user.has_perm("reports.view_usagereport")


def may_download(user):
    return may_view(user) and user.has_perm("reports.download_usagereport")


class MonthForm(forms.Form):
    month = forms.CharField(label=gettext_lazy("対象月（YYYY-MM）"), max_length=7)
    send = forms.BooleanField(label=gettext_lazy("区の報告先にメールで知らせる"), required=False)

    def clean_month(self):
        try:
            return report.parse_month(self.cleaned_data["month"])
        except report.MonthError as exc:
            raise forms.ValidationError(str(exc)) from exc


class UsageReportsView(StaffView):
    template_name = "reports/report_list.html"
    page_title = gettext_lazy("利用状況報告")
    header_icon = "table"
    allowed = staticmethod(may_view)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(reports=UsageReport.objects.defer("pdf", "csv", "xlsx"), formats=report.FORMATS,
                       form=kwargs.get("form") or MonthForm(initial={"month": f"{report.last_month():%Y-%m}"}),
                       may_download=may_download(self.request.user))
        return context

    def post(self, request, *args, **kwargs):
        if not may_download(request.user):
            raise PermissionDenied
        form = MonthForm(request.POST)
        if not form.is_valid():
            return self.render_to_response(self.get_context_data(form=form), status=400)
        archived = services.archive(form.cleaned_data["month"], send=form.cleaned_data["send"])
        messages.success(request, _("%(month)s の報告を作成しました（メール %(sent)s 通）。") % {
            "month": report.month_label(archived.month), "sent": archived.mailed_to})
        return redirect("reports_usage")


def download(request, report_id, fmt):
    """One archived file; the permission is checked before the report is looked up, and the download audited."""
    if not may_download(request.user):
        raise PermissionDenied
    if fmt not in report.FORMATS:
        raise Http404(_("形式は pdf、csv、xlsx のいずれかです。"))
    archived = get_object_or_404(UsageReport, pk=report_id)
    services.record_download(request.user, archived, fmt)
    response = HttpResponse(bytes(getattr(archived, fmt)), content_type=report.CONTENT_TYPES[fmt])
    response["Content-Disposition"] = f'attachment; filename="usage-report-{archived.month:%Y-%m}.{fmt}"'
    response["Cache-Control"] = "private, no-store"
    return response
