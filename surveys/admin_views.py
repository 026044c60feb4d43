"""
Surveys and calls in the Wagtail admin (``/admin/surveys/…``, URL names ``surveys_admin:…``): the
list of every survey and call, a survey's results (counts and SVG charts per question, filtered
by district; CSV and XLSX), a call's applicants (every view of them audited) with the lottery and
the decisions. Each view checks its own permission first; changes go through ``services``.
"""

from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import path
from wagtail.admin import messages
from wagtail.admin.viewsets.base import ViewSet

from members.audit import record
from members.staff_views import StaffView
from pages.terms import visible_districts

from . import exports, selectors, services
from .audit import SurveysAction
from .models import Application, ApplicationState, RecruitmentPage, SurveyPage


def _may(permission):
    return lambda user: user.is_authenticated and user.has_perm(permission)


class SurveysView(StaffView):
    header_icon = "form"
    section = ("surveys_admin:index", "アンケート・募集")


class IndexView(SurveysView):
    template_name = "surveys/admin/index.html"
    page_title = "アンケート・募集"
    allowed = staticmethod(_may("surveys.view_response"))

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        surveys = SurveyPage.objects.order_by("-first_published_at", "-pk")
        calls = RecruitmentPage.objects.order_by("-first_published_at", "-pk")
        context["surveys"] = [(page, selectors.form_status(page), page.responses.count()) for page in surveys]
        context["calls"] = [(page, selectors.form_status(page), page.applications.count()) for page in calls]
        context["may_see_applicants"] = self.request.user.has_perm("surveys.view_applicant")
        return context


class ResultsView(SurveysView):
    template_name = "surveys/admin/results.html"
    page_title = "アンケートの結果"
    allowed = staticmethod(_may("surveys.view_response"))

    def load(self, page_id):
        self.page = get_object_or_404(SurveyPage, pk=page_id)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        districts = list(visible_districts(self.page.locale).order_by("path"))
        chosen = next((d for d in districts if d.slug == self.request.GET.get("district")), None)
        results = selectors.tally(self.page, chosen)
        may_export = self.request.user.has_perm("surveys.export_response")
        for question in results["questions"]:
            if not may_export:  # free text may hold personal data: those who may export read it
                question["texts"] = []
            question["bars"] = selectors.chart_rows(question)
            question["chart_height"] = len(question["bars"]) * 28 + 8
        context.update(page=self.page, results=results, districts=districts, chosen=chosen,
                       by_district=selectors.district_counts(self.page), status=selectors.form_status(self.page),
                       may_export=may_export)
        return context


def export(request, page_id, fmt):
    if not request.user.has_perm("surveys.export_response"):
        raise PermissionDenied
    page = get_object_or_404(SurveyPage, pk=page_id)
    record(request.user, SurveysAction.EXPORT_RESPONSES, target=f"survey:{page.pk}", format=fmt,
           rows=page.responses.count())
    if fmt == "xlsx":
        response = HttpResponse(exports.as_xlsx(page),
                                content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    else:
        response = HttpResponse(exports.as_csv(page), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="survey-{page.pk}.{fmt}"'
    return response


class ApplicantsView(SurveysView):
    """The applicants of one call, with only the items it needs; each opening is an audit entry."""

    template_name = "surveys/admin/applicants.html"
    page_title = "応募者"
    allowed = staticmethod(_may("surveys.view_applicant"))

    def load(self, page_id):
        self.page = get_object_or_404(RecruitmentPage, pk=page_id)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        applications = list(self.page.applications.select_related("member").order_by("created_at", "pk"))
        record(self.request.user, SurveysAction.VIEW_APPLICANTS, target=f"recruitment:{self.page.pk}",
               applications=[a.pk for a in applications])
        context.update(page=self.page, status=selectors.form_status(self.page), draws=self.page.draws.all(),
                       rows=[(a, selectors.applicant_details(a)) for a in applications],
                       states=[(v, label) for v, label in ApplicationState.choices if v != ApplicationState.CANCELLED],
                       may_decide=self.request.user.has_perm("surveys.decide_application"))
        return context

    def post(self, request, *args, **kwargs):
        try:
            if request.POST.get("action") == "lottery":
                draw = services.draw_lottery(self.page, request.user)
                messages.success(request, f"抽選しました（当選 {len(draw.winner_ids)} 人・種 {draw.seed}）。")
            else:
                application = get_object_or_404(Application, pk=request.POST.get("application"), page=self.page)
                services.decide(application, request.POST.get("state", ""), request.user)
                messages.success(request, "応募の状態を変更し、応募者にメールで知らせました。")
        except services.FormError as error:
            messages.error(request, error.message)
        return redirect("surveys_admin:applicants", self.page.pk)


class SurveysAdminViewSet(ViewSet):
    name = "surveys_admin"
    icon = "form"

    def get_urlpatterns(self):
        return [
            path("", IndexView.as_view(), name="index"),
            path("surveys/<int:page_id>/", ResultsView.as_view(), name="results"),
            path("surveys/<int:page_id>/answers.csv", export, {"fmt": "csv"}, name="export_csv"),
            path("surveys/<int:page_id>/answers.xlsx", export, {"fmt": "xlsx"}, name="export_xlsx"),
            path("calls/<int:page_id>/", ApplicantsView.as_view(), name="applicants"),
        ]
