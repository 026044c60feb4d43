"""Review before anything is shown: checklist, decision with reason, audit entry; who may do what in the admin."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from ads import selectors, services
from ads.models import Creative, ReviewStatus
from members.models import AuditEntry
from tests.staff import login_staff

from .conftest import upload

pytestmark = pytest.mark.django_db

ALL_CHECKED = {f"check_{code}": "on" for code in services.CHECKLIST_CODES}


def test_a_moderator_approves_through_the_checklist_and_it_is_audited(client, make_creative, moderator):
    creative = make_creative(placement="home-top", approved=False)
    assert selectors.servable(creative.pk) is None
    login_staff(client, moderator)
    page = client.get(reverse("ads_admin:review", args=[creative.pk]))
    assert page.status_code == 200 and "消費者金融" in page.content.decode()
    incomplete = {**ALL_CHECKED, "decision": "approve"}
    incomplete.pop("check_gambling")
    response = client.post(reverse("ads_admin:review", args=[creative.pk]), incomplete)
    assert "すべてのチェック項目を確かめてください" in response.content.decode()
    assert Creative.objects.get(pk=creative.pk).review_status == ReviewStatus.PENDING
    response = client.post(reverse("ads_admin:review", args=[creative.pk]), {**ALL_CHECKED, "decision": "approve"})
    assert response.status_code == 302
    creative.refresh_from_db()
    assert creative.review_status == ReviewStatus.APPROVED and creative.reviewed_by == moderator
    assert selectors.servable(creative.pk) is not None
    entry = AuditEntry.objects.get(action="ads_approve")
    assert entry.actor == moderator and entry.details["target"] == f"creative:{creative.pk}"
    assert all(entry.details["checklist"].values())


def test_a_refusal_needs_a_reason_and_stops_serving(make_creative, moderator):
    creative = make_creative(placement="home-top")  # approved and served
    with pytest.raises(ValidationError) as error:
        services.review(creative, moderator, "refuse", {}, "")
    assert "理由" in error.value.messages[0]
    services.review(creative, moderator, "refuse", {}, "リンク先が消費者金融の申込ページでした。")
    assert selectors.servable(creative.pk) is None
    assert AuditEntry.objects.get(action="ads_refuse").reason.startswith("リンク先が消費者金融")


def test_nobody_reviews_their_own_creative_and_sales_cannot_review(make_creative, make_staff, administrator):
    creative = make_creative(placement="home-top", approved=False, created_by=administrator)
    Creative.objects.filter(pk=creative.pk).update(created_by=administrator)
    creative.refresh_from_db()
    with pytest.raises(ValidationError) as error:
        services.review(creative, administrator, "approve", dict.fromkeys(services.CHECKLIST_CODES, True))
    assert "自分が登録した広告は審査できません" in error.value.messages[0]
    with pytest.raises(PermissionDenied):
        services.review(creative, make_staff("広告担当"), "approve", dict.fromkeys(services.CHECKLIST_CODES, True))


def test_changing_what_visitors_see_sends_an_approved_creative_back_to_review(make_creative):
    creative = make_creative(placement="home-top")
    creative.destination_url = "https://another.example.jp/"
    services.save_creative(creative, changed=["destination_url"])
    assert Creative.objects.get(pk=creative.pk).review_status == ReviewStatus.PENDING
    assert selectors.servable(creative.pk) is None


@pytest.mark.parametrize("role, url_name, status", [
    ("Editors", "ads_admin:review_queue", "denied"),
    ("Editors", "ads_admin:switch", "denied"),
    ("Editors", "ads_admin:reports", "denied"),
    ("広告担当", "ads_admin:review_queue", "denied"),
    ("広告担当", "ads_admin:switch", "denied"),
    ("広告担当", "ads_admin:reports", 200),
    ("Moderators", "ads_admin:review_queue", 200),
    ("Moderators", "ads_admin:switch", "denied"),
    ("Administrators", "ads_admin:switch", 200),
])
def test_every_admin_view_denies_unless_allowed(client, make_staff, role, url_name, status):
    login_staff(client, make_staff(role))
    response = client.get(reverse(url_name))
    if status == "denied":  # Wagtail turns PermissionDenied into a redirect to the dashboard with a message
        assert response.status_code in (302, 403) and response.get("Location", "/admin/") == "/admin/"
    else:
        assert response.status_code == status


def test_sales_book_and_upload_through_the_admin_and_bad_input_stores_nothing(client, make_staff, make_booking):
    sales = make_staff("広告担当")
    login_staff(client, sales)
    booking = make_booking("home-top")
    add = reverse("ad_creatives:add")
    bad = client.post(add, {"booking": booking.pk, "name": "SVG", "alt": "代替テキスト",
                            "destination_url": "javascript:alert(1)", "text": "",
                            "image": upload("home-top", "x.svg", b"<svg xmlns='http://www.w3.org/2000/svg'/>",
                                            "image/svg+xml")})
    body = bad.content.decode()
    assert bad.status_code == 200 and "SVG 画像は使えません" in body and "javascript: や data:" in body
    assert not Creative.objects.filter(booking=booking).exists()
    good = client.post(add, {"booking": booking.pk, "name": "冬のバナー", "alt": "冬の新作パンの広告",
                             "destination_url": "https://bakery.example.jp/", "text": "", "image": upload("home-top")})
    assert good.status_code == 302, good.content.decode()[:2000]
    creative = Creative.objects.get(booking=booking)
    assert creative.review_status == ReviewStatus.PENDING and creative.created_by == sales
    assert (creative.image_width, creative.image_height) == (1200, 200)


def test_a_booking_form_by_month_and_dates_in_the_wrong_order(client, administrator, advertiser):
    login_staff(client, administrator)
    data = {"advertiser": advertiser.pk, "name": "12月の予約", "placement": "home-top", "month": "",
            "starts_on": "2026-12-20", "ends_on": "2026-12-01", "weight": 10, "price": 30000,
            "invoice_state": "unbilled", "active": "on"}
    response = client.post(reverse("ad_bookings:add"), data)
    assert "掲載終了日は掲載開始日以降の日付にしてください" in response.content.decode()
    response = client.post(reverse("ad_bookings:add"), {**data, "month": "2026-12"})
    assert response.status_code == 302
    from ads.models import Booking

    booking = Booking.objects.get(name="12月の予約")
    assert (str(booking.starts_on), str(booking.ends_on)) == ("2026-12-01", "2026-12-31")


def test_the_advertiser_list_masks_the_contact_and_a_reveal_is_audited(client, administrator, advertiser):
    login_staff(client, administrator)
    listing = client.get(reverse("ad_advertisers:index")).content.decode()
    assert "山***" in listing and "山田 花子" not in listing and "hanako@example.jp" not in listing
    edit = client.get(reverse("ad_advertisers:edit", args=[advertiser.pk])).content.decode()
    assert "hanako@example.jp" not in edit and "03-1234-5678" not in edit and "h***@e***.jp" in edit
    url = reverse("ads_admin:contact", args=[advertiser.pk])
    assert "hanako@example.jp" not in client.get(url).content.decode()
    shown = client.post(url, {"reason": "請求書の送付先の確認"}).content.decode()
    assert "hanako@example.jp" in shown and "03-1234-5678" in shown
    entry = AuditEntry.objects.get(action="ads_reveal_contact")
    assert entry.reason == "請求書の送付先の確認" and "contact_email" in entry.fields


def test_saving_the_advertiser_with_empty_contact_fields_keeps_them(client, administrator, advertiser):
    login_staff(client, administrator)
    response = client.post(reverse("ad_advertisers:edit", args=[advertiser.pk]), {
        "name": advertiser.name, "corporate_number": "7000012050002", "website": "", "contact_name": "",
        "contact_email": "", "contact_phone": "", "active": "on", "note": ""})
    assert response.status_code == 302, response.content.decode()[:3000]
    advertiser.refresh_from_db()
    assert (advertiser.contact_name, advertiser.contact_email) == ("山田 花子", "hanako@example.jp")
    assert advertiser.corporate_number == "7000012050002"
    bad = client.post(reverse("ad_advertisers:edit", args=[advertiser.pk]), {
        "name": advertiser.name, "corporate_number": "1234567890123", "active": "on"})
    assert "法人番号が正しくありません" in bad.content.decode()
