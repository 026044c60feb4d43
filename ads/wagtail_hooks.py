"""
The ads app in the Wagtail admin: one menu 「広告」 with the lists (広告主, 予約, 広告画像: Wagtail's
model viewsets, whose views check the model permissions) and the views of ``admin_views`` (審査,
レポート, 一括停止), each shown only to those allowed.
"""

from wagtail import hooks
from wagtail.admin.menu import Menu, SubmenuMenuItem
from wagtail.admin.panels import FieldPanel, FieldRowPanel, MultiFieldPanel, ObjectList
from wagtail.admin.ui.tables import Column
from wagtail.admin.viewsets.model import ModelViewSet
from wagtail.admin.widgets import AdminDateInput

from members.staff_views import AllowedMenuItem

from . import selectors
from .admin_views import AdsAdminViewSet
from .forms import AdvertiserForm, BookingForm, CreativeForm, mask_text
from .models import Advertiser, Booking, Creative


class MaskedColumn(Column):
    """A contact field in the list, masked (the clear value only through the audited reveal)."""

    def get_value(self, instance):
        return mask_text(getattr(instance, self.accessor))


class AdvertiserViewSet(ModelViewSet):
    model = Advertiser
    icon = "group"
    menu_label = "広告主"
    add_to_admin_menu = False
    name = "ad_advertisers"
    list_display = ["name", "corporate_number", MaskedColumn("contact_name", label="担当者（一部のみ）"), "active"]
    list_filter = ["active"]
    search_fields = ["name", "corporate_number"]
    edit_handler = ObjectList([
        FieldPanel("name"), FieldPanel("corporate_number"), FieldPanel("website"),
        MultiFieldPanel([FieldPanel("contact_name"), FieldPanel("contact_email"), FieldPanel("contact_phone")],
                        heading="担当者（個人情報: 暗号化して保存。表示は「連絡先を表示」から理由を添えて）"),
        FieldPanel("report_viewers"), FieldPanel("active"), FieldPanel("note"),
    ], base_form_class=AdvertiserForm)


class BookingViewSet(ModelViewSet):
    model = Booking
    icon = "date"
    menu_label = "予約"
    add_to_admin_menu = False
    name = "ad_bookings"
    list_display = ["name", "advertiser", "placement", "starts_on", "ends_on", "weight", "invoice_state", "active"]
    list_filter = ["placement", "invoice_state", "active"]
    search_fields = ["name"]
    edit_handler = ObjectList([
        FieldPanel("advertiser"), FieldPanel("name"), FieldPanel("placement"),
        MultiFieldPanel([FieldPanel("month"), FieldRowPanel([FieldPanel("starts_on", widget=AdminDateInput),
                                                             FieldPanel("ends_on", widget=AdminDateInput)])],
                        heading="掲載期間"),
        MultiFieldPanel([FieldPanel("districts"), FieldPanel("themes"), FieldPanel("language")],
                        heading="表示するページ（ページの内容だけで選びます。閲覧者の情報は使いません）"),
        FieldRowPanel([FieldPanel("weight"), FieldPanel("impression_goal")]),
        FieldRowPanel([FieldPanel("price"), FieldPanel("invoice_state")]), FieldPanel("active"),
    ], base_form_class=BookingForm)


class CreativeViewSet(ModelViewSet):
    model = Creative
    icon = "image"
    menu_label = "広告画像"
    add_to_admin_menu = False
    name = "ad_creatives"
    list_display = ["name", "booking", "review_status", "image_width", "image_height", "created_at"]
    list_filter = ["review_status"]
    search_fields = ["name", "alt"]
    copy_view_enabled = False
    edit_handler = ObjectList([
        FieldPanel("booking"), FieldPanel("name"), FieldPanel("image"), FieldPanel("alt"),
        FieldPanel("destination_url"), FieldPanel("text"),
    ], base_form_class=CreativeForm)


VIEWSETS = [AdvertiserViewSet(), BookingViewSet(), CreativeViewSet(), AdsAdminViewSet(url_prefix="ads")]


@hooks.register("register_admin_viewset")
def register_ads_viewsets():
    return VIEWSETS


def _may(permission):
    return lambda user: user.is_authenticated and user.has_perm(permission)


class AdsMenuItem(SubmenuMenuItem):
    def render_component(self, request):
        component = super().render_component(request)
        waiting = selectors.pending_creatives().count() if selectors.can_review(request.user) else 0
        if waiting:
            component.label = f"{self.label}（審査待ち{waiting}件）"
        return component


@hooks.register("register_admin_menu_item")
def register_ads_menu():
    items = [
        AllowedMenuItem("広告主", "ad_advertisers:index", _may("ads.view_advertiser"), icon_name="group", order=100),
        AllowedMenuItem("予約", "ad_bookings:index", _may("ads.view_booking"), icon_name="date", order=200),
        AllowedMenuItem("広告画像", "ad_creatives:index", _may("ads.view_creative"), icon_name="image", order=300),
        AllowedMenuItem("広告の審査", "ads_admin:review_queue", selectors.can_review, icon_name="tick", order=400),
        AllowedMenuItem("レポート", "ads_admin:reports", selectors.can_see_reports, icon_name="table", order=500),
        AllowedMenuItem("一括停止", "ads_admin:switch", selectors.can_switch, icon_name="warning", order=600),
    ]
    return AdsMenuItem("広告", Menu(items=items), icon_name="pick", name="ads", order=270)
