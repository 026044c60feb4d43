"""Staff training in the admin: the roster, recording an attendance or a course, the exports."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from members.staff_views import StaffView

from . import training
from .incident_forms import CourseForm, TrainingRecordForm
from .incident_roles import TRAINING_ADD, TRAINING_VIEW
from .models.training import Course

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _may(permission):
    return lambda user: user.is_authenticated and user.has_perm(permission)


class TrainingView(StaffView):
    template_name = "compliance/training.html"
    page_title = gettext_lazy("研修の受講記録")
    header_icon = "group"
    allowed = staticmethod(_may(TRAINING_VIEW))

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(
            rows=training.roster(), courses=Course.objects.all(),
            may_add=self.request.user.has_perm(TRAINING_ADD),
            may_add_course=self.request.user.has_perm("compliance.add_course"),
            record_form=kwargs.get("record_form") or TrainingRecordForm(
                staff_queryset=training.staff_accounts(), initial={"date": timezone.localdate(), "pledge": True}),
            course_form=kwargs.get("course_form") or CourseForm())
        return context

    def post(self, request):
        if request.POST.get("action") == "course":
            return self._add_course(request)
        if not request.user.has_perm(TRAINING_ADD):
            return self.render_to_response(self.get_context_data(), status=403)
        form = TrainingRecordForm(request.POST, staff_queryset=training.staff_accounts())
        if form.is_valid():
            data = form.cleaned_data
            try:
                training.record_training(request.user, course=data["course"], attendee=data["attendee"],
                                         date_attended=data["date"], version=data["version"],
                                         pledge_signed_at=timezone.now() if data["pledge"] else None)
            except ValidationError as error:
                form.add_error(None, error)
            else:
                messages.success(request, _("受講記録を登録しました。"))
                return redirect("compliance_training")
        return self.render_to_response(self.get_context_data(record_form=form), status=400)

    def _add_course(self, request):
        if not request.user.has_perm("compliance.add_course"):
            return self.render_to_response(self.get_context_data(), status=403)
        form = CourseForm(request.POST)
        if not form.is_valid():
            return self.render_to_response(self.get_context_data(course_form=form), status=400)
        form.save()
        messages.success(request, _("研修を登録しました。"))
        return redirect("compliance_training")


class TrainingExportView(TrainingView):
    def get(self, request):
        file_format = request.GET.get("format", "csv")
        if file_format not in ("csv", "xlsx"):
            return HttpResponse(_("形式は csv か xlsx を指定してください。"), status=400,
                                content_type="text/plain; charset=utf-8")
        kind = request.GET.get("kind", "roster")
        if kind not in ("roster", "records"):
            return HttpResponse(_("種類は roster か records を指定してください。"), status=400,
                                content_type="text/plain; charset=utf-8")
        rows = training.roster_rows() if kind == "roster" else training.records_rows()
        training.record_export(request.user, file_format, kind)
        stamp = timezone.localdate().strftime("%Y%m%d")
        if file_format == "csv":
            response = HttpResponse(training.roster_csv(rows).encode("utf-8"), content_type="text/csv; charset=utf-8")
        else:
            response = HttpResponse(training.roster_xlsx(rows, _("研修受講状況") if kind == "roster" else _("受講記録")),
                                    content_type=XLSX)
        response["Content-Disposition"] = f'attachment; filename="training-{kind}-{stamp}.{file_format}"'
        return response
