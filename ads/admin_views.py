"""
The ads admin beyond the plain lists (広告 → …): the review queue and the review of one creative
(checklist, decision, reason), the stop-all switch, revealing an advertiser's contact person with a
reason, and the reports (a month's figures, CSV and the invoicing PDF).

One ``ViewSet`` (``AdsAdminViewSet``, URLs under ``/admin/ads/``). Every view checks its own
permission first (deny unless allowed); decisions go through ``services`` (audited).
"""

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.storage import default_storage
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import path, reverse
from django.utils import timezone
from wagtail.admin import messages
from wagtail.admin.viewsets.base import ViewSet

from members.staff_views import StaffView

from . import reports, selectors, services
from .forms import MonthForm, RevealForm, ReviewForm, SwitchForm, masked_contact
from .models import AdsSwitch, Advertiser, Booking, Creative
from .placements import PLACEMENTS


def _errors(form, error):
    for message in error.messages:
        form.add_error(None, message)


class AdsView(StaffView):
    """Common part: the view's own permission check, before anything is looked up (members.staff_views)."""

    header_icon = "pick"


class ReviewQueueView(AdsView):
    template_name = "ads/admin/review_queue.html"
    page_title = "広告の審査"
    allowed = staticmethod(selectors.can_review)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["creatives"] = list(selectors.pending_creatives())
        context["now"] = timezone.now()
        return context


class ReviewView(AdsView):
    template_name = "ads/admin/review.html"
    page_title = "広告の審査"
    allowed = staticmethod(selectors.can_review)

    def load(self, creative_id):
        self.creative = get_object_or_404(Creative.objects.select_related("booking__advertiser", "created_by",
                                                                          "reviewed_by"), pk=creative_id)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(creative=self.creative, rule=PLACEMENTS[self.creative.booking.placement],
                       form=kwargs.get("form") or ReviewForm(), queue_url=reverse("ads_admin:review_queue"),
                       checklist=dict(services.CHECKLIST))
        return context

    def post(self, request, *args, **kwargs):
        form = ReviewForm(request.POST)
        if form.is_valid():
            try:
                services.review(self.creative, request.user, form.cleaned_data["decision"], form.checklist(),
                                form.cleaned_data["reason"])
            except ValidationError as error:
                _errors(form, error)
            else:
                messages.success(request, f"「{self.creative.name}」の審査結果を記録しました（監査ログに記録しました）。")
                return redirect("ads_admin:review_queue")
        return self.render_to_response(self.get_context_data(form=form))


def creative_image(request, creative_id):
    """The uploaded image, for those who review or manage creatives (whatever its review state)."""
    if not (selectors.can_review(request.user) or request.user.has_perm("ads.view_creative")):
        raise PermissionDenied
    creative = get_object_or_404(Creative, pk=creative_id)
    try:
        stored = default_storage.open(creative.image.name, "rb")
    except FileNotFoundError:
        raise Http404 from None
    response = FileResponse(stored, content_type=f"image/{(creative.image_format or 'png').lower()}")
    response["Cache-Control"] = "private, no-store"
    response["Content-Security-Policy"] = "default-src 'none'; img-src 'self'; style-src 'unsafe-inline'; sandbox"
    return response


class SwitchView(AdsView):
    template_name = "ads/admin/switch.html"
    page_title = "広告の一括停止"
    header_icon = "warning"
    allowed = staticmethod(selectors.can_switch)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        switch = AdsSwitch.current()
        context.update(switch=switch, form=kwargs.get("form") or SwitchForm(
            initial={"action": "resume" if switch.stopped else "stop"}))
        return context

    def post(self, request, *args, **kwargs):
        form = SwitchForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                if data["action"] == "stop":
                    services.stop_all(request.user, data["reason"], data["message"])
                else:
                    services.resume_all(request.user, data["reason"])
            except ValidationError as error:
                _errors(form, error)
            else:
                messages.success(request, "すべての広告を止めました。" if data["action"] == "stop" else "広告の配信を再開しました。")
                return redirect("ads_admin:switch")
        return self.render_to_response(self.get_context_data(form=form))


class RevealContactView(AdsView):
    template_name = "ads/admin/contact.html"
    page_title = "広告主の連絡先"
    allowed = staticmethod(selectors.can_see_contact)

    def load(self, advertiser_id):
        self.advertiser = get_object_or_404(Advertiser, pk=advertiser_id)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(advertiser=self.advertiser, masked=masked_contact(self.advertiser),
                       form=kwargs.get("form") or RevealForm(), revealed=kwargs.get("revealed"))
        return context

    def post(self, request, *args, **kwargs):
        form = RevealForm(request.POST)
        revealed = None
        if form.is_valid():
            try:
                revealed = services.reveal_contact(self.advertiser, request.user, form.cleaned_data["reason"])
            except ValidationError as error:
                _errors(form, error)
        response = self.render_to_response(self.get_context_data(form=form, revealed=revealed))
        response["Cache-Control"] = "private, no-store"
        return response


class ReportsView(AdsView):
    template_name = "ads/admin/reports.html"
    page_title = "広告のレポート"
    header_icon = "table"
    allowed = staticmethod(selectors.can_see_reports)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        form = MonthForm(self.request.GET or {"month": timezone.localdate().strftime("%Y-%m")})
        context["form"] = form
        if form.is_valid():
            services.flush_counts()
            context["report"] = selectors.monthly_report(form.cleaned_data["month"])
        return context


def _report_for(request):
    if not selectors.can_see_reports(request.user):
        raise PermissionDenied
    form = MonthForm(request.GET)
    if not form.is_valid():
        raise Http404("月は YYYY-MM の形で指定してください。")
    advertiser = None
    if request.GET.get("advertiser"):
        advertiser = get_object_or_404(Advertiser, pk=request.GET["advertiser"])
    services.flush_counts()
    return selectors.monthly_report(form.cleaned_data["month"], advertiser), form.cleaned_data["month"]


def report_csv(request):
    report, month = _report_for(request)
    return reports.csv_response(reports.monthly_csv(report), f"ad-report-{month}.csv")


def report_pdf(request):
    report, month = _report_for(request)
    response = HttpResponse(reports.monthly_pdf(report), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="ad-report-{month}.pdf"'
    return response


class BookingReportView(AdsView):
    template_name = "ads/admin/booking_report.html"
    page_title = "予約のレポート"
    header_icon = "table"
    allowed = staticmethod(selectors.can_see_reports)

    def load(self, booking_id):
        self.booking = get_object_or_404(Booking.objects.select_related("advertiser"), pk=booking_id)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        services.flush_counts()
        context["figures"] = selectors.booking_figures(self.booking)
        return context


def booking_csv(request, booking_id):
    if not selectors.can_see_reports(request.user):
        raise PermissionDenied
    booking = get_object_or_404(Booking, pk=booking_id)
    return reports.csv_response(reports.booking_csv(booking), f"ad-report-booking-{booking.pk}.csv")


class AdsAdminViewSet(ViewSet):
    """``/admin/ads/…`` (URL names ``ads_admin:…``): review, switch, contact, reports. Each view checks its permission."""

    name = "ads_admin"
    icon = "pick"

    def get_urlpatterns(self):
        return [
            path("review/", ReviewQueueView.as_view(), name="review_queue"),
            path("review/<int:creative_id>/", ReviewView.as_view(), name="review"),
            path("creatives/<int:creative_id>/image", creative_image, name="creative_image"),
            path("switch/", SwitchView.as_view(), name="switch"),
            path("advertisers/<int:advertiser_id>/contact/", RevealContactView.as_view(), name="contact"),
            path("reports/", ReportsView.as_view(), name="reports"),
            path("reports/csv", report_csv, name="report_csv"),
            path("reports/pdf", report_pdf, name="report_pdf"),
            path("reports/bookings/<int:booking_id>/", BookingReportView.as_view(), name="booking_report"),
            path("reports/bookings/<int:booking_id>/csv", booking_csv, name="booking_csv"),
        ]
