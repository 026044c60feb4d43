"""
Personal-data requests in the Wagtail admin (``/admin/compliance/cases/…``, URL names
``compliance_cases:…``): the list (overdue cases stand out), recording a request received by letter,
phone, counter or via the ward, and a case's page with its steps, documents and the actions as
POST forms. Each view checks its permission first; every change goes through ``compliance.cases``.
"""

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext as _
from wagtail.admin import messages
from wagtail.admin.viewsets.base import ViewSet

from members.audit import label as action_label
from members.models import AuditEntry
from members.staff_views import StaffView

from . import cases, documents, selectors
from .forms import StaffCaseForm
from .models import Case, CaseDocument


def _may_handle(user):
    return user.is_authenticated and user.has_perm(cases.HANDLE_PERMISSION)


class CasesView(StaffView):
    header_icon = "doc-full"
    section = ("compliance_cases:index", "開示等の請求")
    allowed = staticmethod(_may_handle)


class IndexView(CasesView):
    template_name = "compliance/case_admin_index.html"
    page_title = "開示等の請求"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        state = self.request.GET.get("state", "open")
        today = timezone.localdate()
        rows = [(case, cases.is_overdue(case, today), cases.days_left(case, today))
                for case in selectors.cases_for_admin(state)[:500]]
        context.update(rows=rows, state=state, states=Case.State.choices, overdue=len(selectors.overdue_cases(today)))
        return context


class NewCaseView(CasesView):
    template_name = "compliance/case_admin_new.html"
    page_title = "請求を記録する"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.setdefault("form", StaffCaseForm(initial={"received_at": timezone.localtime().strftime("%Y-%m-%dT%H:%M")}))
        return context

    def post(self, request, *args, **kwargs):
        form = StaffCaseForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                case = cases.record_request(request.user, type=data["type"], channel=data["channel"],
                                            reply_method=data["reply_method"], received_at=data["received_at"],
                                            member=data["member_id"], requester_name=data["requester_name"],
                                            requester_contact=data["requester_contact"], details=data["details"],
                                            for_ward=data["for_ward"])
            except ValidationError as error:
                _add_errors(form, error)
            else:
                messages.success(request, _("請求を記録しました（期限 %(due)s）。") % {"due": case.due_on.isoformat()})
                return redirect("compliance_cases:case", case.pk)
        return self.render_to_response(self.get_context_data(form=form), status=400)


def _add_errors(form, error):
    if hasattr(error, "error_dict"):
        for field, errors in error.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error.messages)


ACTIONS = {
    "identity": lambda actor, case, post: cases.check_identity(actor, case, post.get("identity_method", "")),
    "start": lambda actor, case, post: cases.start(actor, case),
    "extend": lambda actor, case, post: cases.extend(actor, case, post.get("extension_reason", "")),
    "decide": lambda actor, case, post: cases.decide(actor, case, post.get("decision", ""),
                                                     post.get("decision_ground", "")),
    "close": lambda actor, case, post: cases.close(actor, case),
    "withdraw": lambda actor, case, post: cases.withdraw(actor, case, post.get("reason", "")),
    "package": lambda actor, case, post: documents.attach_package(actor, case),
}


class CaseView(CasesView):
    template_name = "compliance/case_admin_detail.html"
    page_title = "開示等の請求"

    def load(self, pk):
        self.case = get_object_or_404(Case.objects.select_related("member"), pk=pk)

    def get_page_title(self):
        return f"No.{self.case.pk} {self.case.get_type_display()}"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        case = self.case
        if self.request.method == "GET":
            cases.open_case(self.request.user, case)
        steps = AuditEntry.objects.filter(details__target=f"case:{case.pk}").order_by("created_at", "pk")
        context.update(case=case, overdue=cases.is_overdue(case), days_left=cases.days_left(case),
                       steps=[(entry, action_label(entry.action)) for entry in steps],
                       documents=case.documents.all(), identity_methods=[
                           c for c in Case.IdentityMethod.choices if c[0] != Case.IdentityMethod.LOGIN],
                       decisions=[(v, Case.Decision(v).label) for v in cases.DECISIONS[case.type]],
                       for_ward=cases.handled_for_ward(case), document_kinds=[
                           c for c in CaseDocument.Kind.choices if c[0] != CaseDocument.Kind.PACKAGE])
        return context

    def post(self, request, *args, **kwargs):
        action = request.POST.get("action", "")
        try:
            if action == "document":
                documents.add_document(request.user, self.case, request.FILES.get("file"),
                                       request.POST.get("kind", ""))
            elif action in ACTIONS:
                ACTIONS[action](request.user, self.case, request.POST)
            else:
                raise ValidationError(_("不明な操作です。"), code="unknown_action")
        except ValidationError as error:
            for message in error.messages:
                messages.error(request, message)
            self.case.refresh_from_db()
            return self.render_to_response(self.get_context_data(), status=400)
        messages.success(request, _("記録しました。"))
        return redirect("compliance_cases:case", self.case.pk)


def download(request, pk, document_id):
    if not _may_handle(request.user):
        raise PermissionDenied
    document = get_object_or_404(CaseDocument, pk=document_id, case_id=pk)
    data = documents.open_document(request.user, document)
    response = HttpResponse(data, content_type=document.content_type)
    extension = documents.ALLOWED_TYPES.get(document.content_type, ".bin")
    response["Content-Disposition"] = f'attachment; filename="case-{pk}-{document.pk}{extension}"'
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


class CasesViewSet(ViewSet):
    name = "compliance_cases"
    icon = "doc-full"

    def get_urlpatterns(self):
        return [
            path("", IndexView.as_view(), name="index"),
            path("new/", NewCaseView.as_view(), name="new"),
            path("<int:pk>/", CaseView.as_view(), name="case"),
            path("<int:pk>/documents/<int:document_id>/", download, name="document"),
        ]

