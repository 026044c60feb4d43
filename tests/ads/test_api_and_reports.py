"""The headless API's shape and errors, the reports (CSV, PDF with a Japanese font, the command), the demo."""

import csv
import io
import re
import shutil
import subprocess

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import timezone

from ads import counting, reports, selectors, services
from ads.demo import ensure_ads_demo
from ads.models import Advertiser, Creative, ReviewStatus
from tests.staff import login_staff

pytestmark = pytest.mark.django_db


def test_the_api_answers_in_the_documented_shape(client, make_creative):
    creative = make_creative(placement="home-top", text="毎朝7時から")
    response = client.get("/api/v3/ads/?placement=home-top&locale=ja")
    assert response.status_code == 200
    [item] = response.json()["items"]
    assert set(item) == {"id", "placement", "advertiser", "label", "alt", "image", "click_url", "text"}
    assert (item["id"], item["label"], item["alt"], item["text"]) == (creative.pk, "広告", creative.alt, "毎朝7時から")
    assert item["image"]["width"] == 1200 and item["image"]["height"] == 200
    assert item["image"]["url"].startswith("http://testserver/ads/i/")
    assert item["click_url"].startswith("http://testserver/ads/c/")
    schema = client.get("/api/v3/openapi.json").json()
    assert "/api/v3/ads/" in schema["paths"]


@pytest.mark.parametrize("query, code", [
    ("placement=sidebar", "unknown_placement"),
    ("placement=section-side&district=nowhere", "unknown_district"),
    ("placement=section-side&theme=nothing", "unknown_theme"),
    ("placement=home-top&locale=fr", "unknown_locale"),
])
def test_unknown_values_are_problems_with_a_code(client, query, code):
    response = client.get(f"/api/v3/ads/?{query}")
    assert response.status_code == 422
    assert response["Content-Type"] == "application/problem+json"
    body = response.json()
    assert body["code"] == code and any("\u3040" <= ch <= "\u9fff" for ch in body["detail"])


def test_a_missing_placement_is_a_validation_problem(client):
    response = client.get("/api/v3/ads/")
    assert response.status_code == 422 and response.json()["code"] == "validation_error"


def _counted(creative, district, impressions, clicks):
    for _ in range(impressions):
        counting.bump(counting.IMPRESSION, creative.pk, creative.booking_id, creative.booking.placement, district)
    for _ in range(clicks):
        counting.bump(counting.CLICK, creative.pk, creative.booking_id, creative.booking.placement, district)
    services.flush_counts()


def test_the_monthly_csv_and_pdf_carry_the_figures(tmp_path, make_booking, make_creative):
    creative = make_creative(booking=make_booking("section-side", districts=["okubo"], price=15000, name="大久保の冬"))
    _counted(creative, "okubo", 40, 3)
    month = timezone.localdate().strftime("%Y-%m")
    report = selectors.monthly_report(month, creative.booking.advertiser)
    rows = list(csv.reader(io.StringIO(reports.monthly_csv(report).lstrip("\ufeff"))))
    assert rows[0][:3] == ["広告主", "予約ID", "件名"]
    assert rows[1][2] == "大久保の冬" and rows[1][5] == "大久保" and rows[1][6:8] == ["40", "3"]
    pdf = reports.monthly_pdf(report)
    assert pdf.startswith(b"%PDF") and b"NotoSansJP" in pdf  # the Japanese font is embedded
    if shutil.which("pdftotext"):
        path = tmp_path / "r.pdf"
        path.write_bytes(pdf)
        text = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True).stdout
        assert "広告掲載レポート" in text and "テスト商店会" in text and "大久保の冬" in text
        assert re.search(r"40\s+3\s+7\.50%", text)


def test_the_report_command_writes_files_and_refuses_a_bad_month(tmp_path, make_creative):
    creative = make_creative(placement="home-top")
    _counted(creative, "", 12, 1)
    month = timezone.localdate().strftime("%Y-%m")
    out = tmp_path / "report.csv"
    call_command("ad_report", "--month", month, "--format", "csv", "--output", str(out),
                 "--advertiser", str(creative.booking.advertiser_id))
    assert "12" in out.read_text(encoding="utf-8")
    pdf = tmp_path / "report.pdf"
    call_command("ad_report", "--month", month, "--format", "pdf", "--output", str(pdf))
    assert pdf.read_bytes().startswith(b"%PDF")
    with pytest.raises(CommandError, match="YYYY-MM"):
        call_command("ad_report", "--month", "2026/11", "--output", str(out))
    with pytest.raises(CommandError, match="広告主 ID"):
        call_command("ad_report", "--month", month, "--advertiser", "999999", "--output", str(out))


def test_an_advertiser_account_reads_only_its_own_reports(client, make_member, make_creative, make_booking):
    mine = make_creative(placement="home-top")
    other_advertiser = Advertiser.objects.create(name="別の広告主")
    theirs = make_creative(booking=make_booking("home-top", advertiser=other_advertiser, name="他社の予約"))
    member = make_member()
    mine.booking.advertiser.report_viewers.add(member)
    client.force_login(member)
    index = client.get(reverse("ads:reports")).content.decode()
    assert mine.booking.name in index and "他社の予約" not in index
    assert client.get(reverse("ads:report_booking", args=[mine.booking_id])).status_code == 200
    assert client.get(reverse("ads:report_booking", args=[theirs.booking_id])).status_code == 404
    assert client.get(reverse("ads:report_booking_csv", args=[theirs.booking_id])).status_code == 404
    stranger = make_member()
    client.force_login(stranger)
    assert client.get(reverse("ads:reports")).status_code == 404


def test_admin_report_downloads(client, administrator, make_creative):
    creative = make_creative(placement="home-top")
    _counted(creative, "", 5, 0)
    login_staff(client, administrator)
    month = timezone.localdate().strftime("%Y-%m")
    page = client.get(reverse("ads_admin:reports"), {"month": month}).content.decode()
    assert creative.booking.name in page
    response = client.get(reverse("ads_admin:report_pdf"), {"month": month})
    assert response["Content-Type"] == "application/pdf" and response.content.startswith(b"%PDF")
    assert client.get(reverse("ads_admin:report_csv"), {"month": "2026-13"}).status_code == 404


def test_the_demo_has_what_the_issue_asks_for(client):
    ensure_ads_demo(report=lambda message: None)
    ensure_ads_demo(report=lambda message: None)  # idempotent
    assert Advertiser.objects.count() >= 3 and Creative.objects.filter(name="スタンプラリー").count() == 1
    okubo = Creative.objects.get(booking__advertiser__name="大久保みらい商店会", booking__placement="section-side")
    ids = [item["id"] for item in client.get("/api/v3/ads/?placement=section-side&district=okubo").json()["items"]]
    assert okubo.pk in ids
    ids = [item["id"] for item in client.get("/api/v3/ads/?placement=section-side&district=yotsuya").json()["items"]]
    assert okubo.pk not in ids
    served = {c.booking.placement for c in Creative.objects.filter(review_status=ReviewStatus.APPROVED)
              if selectors.servable(c.pk)}
    assert served == {"home-top", "section-side", "article-bottom", "search-results", "newsletter"}
    assert Creative.objects.filter(review_status=ReviewStatus.PENDING).exists()
    expired = Creative.objects.get(booking__name__contains="終了")
    assert expired.is_approved and selectors.servable(expired.pk) is None
