"""The incident register in the admin: the list with its clocks, an incident's page, the PDF."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from members.audit import record
from members.staff_views import StaffView

from . import incidents
from .incident_audit import IncidentAction
from .incident_forms import AffectedFromAuditForm, EventForm, IncidentForm
from .incident_report import incident_pdf
from .incident_roles import INCIDENT_CHANGE, INCIDENT_VIEW
from .models.incidents import Incident
from .training import staff_accounts

SECTION = ("compliance_incidents", gettext_lazy("事故報告"))


def _may(permission):
    return lambda user: user.is_authenticated and user.has_perm(permission)


def _errors(request, error):
    for message in (error.message_dict.values() if hasattr(error, "error_dict") else [error.messages]):
        for text in message:
            messages.error(request, text)


class IncidentListView(StaffView):
    template_name = "compliance/incident_list.html"
    page_title = gettext_lazy("事故報告")
    header_icon = "warning"
    allowed = staticmethod(_may(INCIDENT_VIEW))

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        now = timezone.now()
        rows = []
        for incident in Incident.objects.all()[:200]:
            rows.append({"incident": incident, "clocks": incidents.clocks(incident),
                         "overdue": bool(incidents.overdue_clocks(incident, now))})
        context.update(rows=rows, now=now, may_change=self.request.user.has_perm(INCIDENT_CHANGE))
        return context


class IncidentCreateView(StaffView):
    template_name = "compliance/incident_form.html"
    page_title = gettext_lazy("事故の登録")
    section = SECTION
    allowed = staticmethod(_may("compliance.add_incident"))

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["form"] = kwargs.get("form") or IncidentForm(initial={"discovered_at": timezone.localtime()})
        return context

    def post(self, request):
        form = IncidentForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                incident = incidents.open_incident(request.user, **data)
            except ValidationError as error:
                form.add_error(None, error)
            else:
                return redirect("compliance_incident", incident.pk)
        return self.render_to_response(self.get_context_data(form=form), status=400)


class IncidentDetailView(StaffView):
    template_name = "compliance/incident_detail.html"
    section = SECTION
    allowed = staticmethod(_may(INCIDENT_VIEW))

    def load(self, pk):
        self.incident = Incident.objects.filter(pk=pk).first()
        if self.incident is None:
            raise Http404

    def get_page_title(self):
        return f"#{self.incident.pk} {self.incident.title}"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        incident = self.incident
        context.update(
            incident=incident, clocks=incidents.clocks(incident), now=timezone.now(),
            events=incident.events.select_related("by"), notified=incident.notifications.count(),
            items=incidents.data_item_labels(incident), may_change=self.request.user.has_perm(INCIDENT_CHANGE),
            close_refusal=incidents.close_refusal(incident), event_form=EventForm(),
            edit_form=kwargs.get("edit_form") or IncidentForm(instance=incident),
            affected_form=AffectedFromAuditForm(staff_queryset=staff_accounts()))
        return context

    def post(self, request, pk):
        if not request.user.has_perm(INCIDENT_CHANGE):
            raise Http404
        action = request.POST.get("action", "")
        handler = getattr(self, f"do_{action}", None)
        if handler is None:
            messages.error(request, _("不明な操作です。"))
            return self.render_to_response(self.get_context_data(), status=400)
        try:
            response = handler(request)
        except ValidationError as error:
            _errors(request, error)
            return self.render_to_response(self.get_context_data(), status=400)
        return response or redirect("compliance_incident", self.incident.pk)

    def do_report(self, request):
        incidents.mark_report_sent(self.incident, request.user, request.POST.get("clock", ""))
        messages.success(request, _("送付を記録しました。"))

    def do_event(self, request):
        form = EventForm(request.POST)
        if not form.is_valid():
            raise ValidationError(_("経過を入力してください。"))
        incidents.add_event(self.incident, request.user, form.cleaned_data["what"])
        record(request.user, IncidentAction.EVENT, incident=self.incident.pk)

    def do_edit(self, request):
        form = IncidentForm(request.POST, instance=self.incident)
        if not form.is_valid():
            return self.render_to_response(self.get_context_data(edit_form=form), status=400)
        incidents.update_incident(self.incident, request.user, form)
        messages.success(request, _("保存しました。"))
        return None

    def do_affected(self, request):
        form = AffectedFromAuditForm(request.POST, staff_queryset=staff_accounts())
        if not form.is_valid():
            raise ValidationError(_("職員と期間を正しく指定してください。"))
        data = form.cleaned_data
        members = incidents.members_viewed_by(data["staff"], data["start"], data["end"])
        incidents.set_affected(self.incident, request.user, members,
                               _("（監査ログ: %(staff)s の閲覧）") % {"staff": data["staff"]})

    def do_notify(self, request):
        notified, unreachable = incidents.notify_affected(self.incident, request.user)
        messages.success(request, _("%(notified)d 人に通知しました（連絡できない本人 %(unreachable)d 人）。")
                         % {"notified": notified, "unreachable": unreachable})

    def do_close(self, request):
        incidents.close_incident(self.incident, request.user)

    def do_dismiss(self, request):
        incidents.close_incident(self.incident, request.user, Incident.State.DISMISSED, request.POST.get("reason", ""))


class IncidentPDFView(IncidentDetailView):
    def get(self, request, pk):
        pdf = incident_pdf(self.incident)
        record(request.user, IncidentAction.PDF, incident=self.incident.pk)
        response = HttpResponse(pdf, content_type="application/pdf")
        response["Content-Disposition"] = f'attachment; filename="incident-{self.incident.pk}.pdf"'
        return response
