"""
The monthly usage report: its figures and their definitions in every format, month validation,
the archive (mailed to the ward contacts, downloaded only with the permission, every download
audited), and the figures registry.
"""

import csv
import io
import subprocess
from datetime import date, datetime

import pytest
from django.core import mail as django_mail
from django.core.management import CommandError, call_command
from django.db import connection
from django.utils import timezone
from openpyxl import load_workbook

from members import usage
from members.models import AuditEntry, OutboxMail
from moderation.models import Flag, Post
from reports import report, services
from reports.models import PageViewDay, UsageReport, VisitorDay, WardContact
from tests.staff import login_staff

pytestmark = pytest.mark.django_db

MONTH = date(2026, 10, 1)


@pytest.fixture
def counted():
    PageViewDay.objects.create(day=date(2026, 10, 3), path="/", page_id=0, language="ja", device="desktop", views=30)
    PageViewDay.objects.create(day=date(2026, 10, 4), path="/", page_id=0, language="en", device="mobile", views=7,
                               referrer_domain="www.google.co.jp")
    PageViewDay.objects.create(day=date(2026, 11, 1), path="/", page_id=0, language="ja", device="desktop", views=99)
    VisitorDay.objects.create(day=date(2026, 10, 3), visitors=12)
    VisitorDay.objects.create(day=date(2026, 10, 4), visitors=5)


def csv_rows(path):
    with open(path, encoding="utf-8-sig", newline="") as handle:
        return list(csv.reader(handle))


def figure(rows, label):
    return next(row[2] for row in rows if len(row) > 3 and row[1] == label)


def test_csv_counts_the_month_only_and_defines_every_figure(counted, tmp_path):
    out = tmp_path / "report.csv"
    call_command("usage_report", month="2026-10", format="csv", output=str(out))
    rows = csv_rows(out)
    assert rows[0][:2] == ["利用状況報告", "2026年10月"]
    assert figure(rows, "ページの閲覧数") == "37"  # November's 99 are not October's
    assert figure(rows, "日別訪問者数の延べ") == "17"
    defined = [row for row in rows[2:] if row[0] and row[1]]
    assert len(defined) > 20
    assert all(row[3].strip() for row in defined), [row[:2] for row in defined if not row[3].strip()]
    sections = {row[0] for row in defined}
    assert {"サイトの利用", "サイト内検索", "会員", "投稿と審査", "区のお知らせの取り込み", "広告", "メールマガジン",
            "稼働状況と日常確認", "個人情報の取り扱い"} <= sections
    assert ["", "", "www.google.co.jp", "7"] in rows


def test_pdf_has_extractable_japanese_text_a_chart_and_the_definitions(counted, tmp_path):
    out = tmp_path / "report.pdf"
    call_command("usage_report", month="2026-10", format="pdf", output=str(out))
    data = out.read_bytes()
    assert data.startswith(b"%PDF")
    assert b"/Subtype /Image" in data  # the charts are images
    text = subprocess.run(["pdftotext", "-enc", "UTF-8", str(out), "-"], capture_output=True, check=True,
                          text=True).stdout
    for expected in ("利用状況報告", "2026年10月", "数値の定義", "日別訪問者数の延べ", "掲載不可の理由"):
        assert expected in text


def test_xlsx_has_the_figures_with_their_definitions(counted, tmp_path):
    out = tmp_path / "report.xlsx"
    call_command("usage_report", month="2026-10", format="xlsx", output=str(out))
    book = load_workbook(out)
    summary = [[cell.value for cell in row] for row in book.worksheets[0].iter_rows()]
    row = next(row for row in summary if row[1] == "ページの閲覧数")
    assert row[2] == 37 and row[3]
    assert any(row[0] == "よく見られたページ" for row in book.worksheets[1].iter_rows(values_only=True))


@pytest.mark.parametrize("month", ["2026-13", "11-2026", "2026/11", "", "1999-12", "２０２６-１１"])
def test_a_bad_month_is_a_clear_error_and_nothing_is_written(month, tmp_path):
    out = tmp_path / "report.csv"
    with pytest.raises(CommandError) as error:
        call_command("usage_report", month=month, format="csv", output=str(out))
    assert "月" in str(error.value)
    assert not out.exists() and not list(tmp_path.iterdir())


def test_an_unknown_format_is_refused(tmp_path):
    with pytest.raises(CommandError):
        call_command("usage_report", "--month", "2026-10", "--format", "docx", "--output", str(tmp_path / "x"))
    assert not list(tmp_path.iterdir())


def test_small_counts_about_people_are_hidden():
    assert [usage.small(n) for n in (0, 1, 4, 5, 12)] == [0, "5未満", "5未満", 5, 12]
    assert usage.percentile([5, 1, 3, 2, 4], 0.5) == 3
    assert usage.percentile(list(range(1, 101)), 0.95) == 95
    assert usage.percentile([], 0.5) is None


def test_a_broken_section_is_reported_without_stopping_the_report(counted, tmp_path):
    usage.register("broken_for_test", "壊れた節", lambda start, end: 1 / 0, order=1)
    try:
        rows = report.to_csv(report.build(MONTH)).decode("utf-8-sig")
    finally:
        usage._SECTIONS.pop("broken_for_test")
    assert "壊れた節" in rows and "ZeroDivisionError" in rows
    assert "ページの閲覧数" in rows


def test_moderation_figures_count_the_months_flags_by_reason(counted, moderator):
    post = Post.objects.first()
    assert post is not None, "the demo has board posts"
    Flag.objects.create(post=post, reporter=moderator, reason=Flag.Reason.SPAM,
                        created_at=timezone.make_aware(datetime(2026, 10, 10, 12)))
    Flag.objects.create(post=post, reporter=moderator.__class__.objects.exclude(pk=moderator.pk).first(),
                        reason=Flag.Reason.ABUSE, created_at=timezone.make_aware(datetime(2026, 11, 2, 12)))
    rows = csv_rows_of(report.build(MONTH))
    index = next(n for n, row in enumerate(rows) if row[1] == "通報")
    assert rows[index + 1][2:] == ["理由", "件数"]
    assert rows[index + 2][2:] == ["宣伝・スパム", "1"]  # November's flag is not October's
    assert rows[index + 3][1] != "" or not rows[index + 3][2:] or rows[index + 3][2] != "誹謗中傷・差別"


def csv_rows_of(built):
    return list(csv.reader(io.StringIO(report.to_csv(built).decode("utf-8-sig"))))


def test_the_archive_mails_the_active_contacts_a_link_and_keeps_their_address_encrypted(counted):
    WardContact.objects.create(name="区役所 担当", email="ward-contact@example.jp", active=True)
    WardContact.objects.create(name="前任者", email="former@example.jp", active=False)
    with connection.cursor() as cursor:
        cursor.execute("SELECT email FROM reports_wardcontact")
        assert all(value.startswith("enc1:") for (value,) in cursor.fetchall())
    archived = services.archive(MONTH)
    assert archived.mailed_to == 1
    assert bytes(archived.pdf).startswith(b"%PDF") and bytes(archived.xlsx).startswith(b"PK")
    assert "ページの閲覧数" in bytes(archived.csv).decode("utf-8-sig")
    assert [mail.recipient for mail in OutboxMail.objects.filter(template="reports/email/report")] == [
        "ward-contact@example.jp"]
    [sent] = [message for message in django_mail.outbox if "利用状況報告" in message.subject]
    assert sent.to == ["ward-contact@example.jp"] and "2026年10月" in sent.subject
    assert f"http://testserver/admin/reports/usage/{archived.pk}/pdf" in sent.body
    again = services.archive(MONTH, send=False)
    assert again.pk == archived.pk and UsageReport.objects.count() == 1


def test_archived_reports_are_downloaded_only_with_the_permission_and_each_download_is_audited(
        client, counted, editor, moderator):
    archived = services.archive(MONTH, send=False)
    url = f"/admin/reports/usage/{archived.pk}/pdf"
    assert client.get(url).status_code == 302  # to the log-in
    login_staff(client, editor)
    refused = client.get(url)  # Wagtail turns the refusal into a way back to the dashboard
    assert refused.status_code == 302 and refused["Location"] == "/admin/"
    assert client.get("/admin/reports/usage/")["Location"] == "/admin/"
    assert not AuditEntry.objects.filter(action="reports_download").exists()
    client.logout()
    login_staff(client, moderator)
    listing = client.get("/admin/reports/usage/")
    assert listing.status_code == 200 and url in listing.content.decode()
    response = client.get(url)
    assert response.status_code == 200 and response.content.startswith(b"%PDF")
    assert "no-store" in response["Cache-Control"]
    assert "attachment" in response["Content-Disposition"]
    entry = AuditEntry.objects.get(action="reports_download")
    assert entry.actor == moderator and entry.details == {"month": "2026-10", "format": "pdf"}
    assert client.get(f"/admin/reports/usage/{archived.pk}/docx").status_code == 404


def test_building_a_report_in_the_admin_refuses_a_bad_month(client, administrator):
    login_staff(client, administrator)
    response = client.post("/admin/reports/usage/", {"month": "2026-99"})
    assert response.status_code == 400
    assert "という月はありません" in response.content.decode()
    assert not UsageReport.objects.exists()
    response = client.post("/admin/reports/usage/", {"month": "2026-10"})
    assert response.status_code == 302 and UsageReport.objects.get().month == MONTH


def test_opening_a_ward_contact_in_the_admin_is_audited(client, administrator, moderator):
    contact = WardContact.objects.create(name="区役所 担当", email="ward-contact@example.jp")
    login_staff(client, moderator)
    refused = client.get(f"/admin/reports_contacts/edit/{contact.pk}/")
    assert refused.status_code == 302 and "ward-contact" not in refused.content.decode()
    client.logout()
    login_staff(client, administrator)
    response = client.get(f"/admin/reports_contacts/edit/{contact.pk}/")
    assert response.status_code == 200 and "ward-contact@example.jp" in response.content.decode()
    assert AuditEntry.objects.filter(action="reports_reveal_contact", actor=administrator).count() == 1
