"""
Personal-data requests on the real services: a member's request handled to the end on PostgreSQL
(the case's personal data encrypted in the raw rows), the disclosure with staff views, a stop of
use that keeps real SMTP mail away from the member, and the request form in Chromium.
"""

import email.header
import json

import pytest
from django.db import connection
from django.test import override_settings
from django.utils import timezone

from compliance.models import Case, CaseDocument
from members.mail import send_templated_mail
from members.services import reveal_personal_data
from tests.compliance.c1_helpers import resident
from tests.staff import login_staff

pytestmark = pytest.mark.django_db
PASSWORD = "c1-browser-resident-passphrase-2026"
FAST_HASHER = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def _raw_row(table, pk):
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT row_to_json(t)::text FROM {connection.ops.quote_name(table)} t WHERE id = %s", [pk])
        return cursor.fetchone()[0]


def test_a_members_request_is_handled_to_the_end_on_postgresql(client, administrator):
    assert connection.vendor == "postgresql"
    member = resident()
    client.force_login(member)
    details = "登録している住所と閲覧記録の開示を求めます（大久保二丁目の件）"
    assert client.post("/members/me/privacy/requests/", {"type": "disclosure", "reply_method": "email",
                                                         "details": details}).status_code == 302
    case = Case.objects.get(member=member)
    assert details not in _raw_row("compliance_case", case.pk)

    staff = client.__class__()
    login_staff(staff, administrator)
    assert staff.get(f"/admin/compliance/cases/{case.pk}/").status_code == 200
    for step in ({"action": "start"}, {"action": "decide", "decision": "disclose"}, {"action": "package"},
                 {"action": "close"}):
        assert staff.post(f"/admin/compliance/cases/{case.pk}/", step).status_code == 302, step
    package = CaseDocument.objects.get(case=case, kind=CaseDocument.Kind.PACKAGE)
    with package.file.open("rb") as stored:
        assert member.nickname.encode() not in stored.read()

    html = client.get("/members/me/privacy/requests/").content.decode()
    assert "完了" in html and "開示" in html
    disclosed = client.get("/members/me/privacy/").content.decode()
    assert "開示等の請求への対応" in disclosed and "運営スタッフ（管理者）" in disclosed  # the case page's opening


def test_staff_views_reach_the_members_json_on_postgresql(client, administrator):
    member = resident()
    reveal_personal_data(administrator, member, "郵送での回答の宛先を確認するため", fields=("postal_code", "street"))
    client.force_login(member)
    data = json.loads(client.get("/members/me/privacy/data.json").content)
    assert data["staff_views"][0]["why"] == "郵送での回答の宛先を確認するため"
    assert data["staff_views"][0]["fields"] == ["郵便番号", "町名・番地"]
    assert data["third_party_provisions"]["records"] == []


def test_a_stopped_member_gets_no_mail_over_smtp_until_lifted(client, smtp_server):
    member, other = resident(), resident()
    client.force_login(member)
    assert client.post("/members/me/privacy/stop/").status_code == 302
    send_templated_mail([member, other], "moderation/email/sanction", {"user": member, "sanction": None})
    assert [m["To"] for m in smtp_server.messages] == [other.email]
    assert client.post("/members/me/privacy/resume/").status_code == 302
    member.refresh_from_db()
    send_templated_mail(member, "moderation/email/sanction", {"user": member, "sanction": None})
    assert [m["To"] for m in smtp_server.messages] == [other.email, member.email]
    subject = str(email.header.make_header(email.header.decode_header(smtp_server.messages[-1]["Subject"])))
    assert subject


@pytest.fixture(scope="module")
def browser_resident(django_db_setup, django_db_blocker):
    """A verified resident committed for the live server; removed after with their cases and audit entries."""
    from django.contrib.auth import get_user_model

    from members.models import AuditEntry

    stamp = f"{timezone.now().timestamp():.0f}"
    with django_db_blocker.unblock(), override_settings(PASSWORD_HASHERS=FAST_HASHER):
        member = get_user_model().objects.create_user(
            email=f"c1-browser-{stamp}@example.jp", password=PASSWORD, nickname=f"請求する住民{stamp}",
            last_name="見本", first_name="花子", email_verified_at=timezone.now(), self_registered=True)
    yield member
    with django_db_blocker.unblock():
        Case.objects.filter(member=member).delete()
        AuditEntry.objects.filter(subject=member).delete()
        member.delete()


def test_the_request_form_in_chromium(browser, site_url, browser_resident, django_db_blocker):
    context = browser.new_context(locale="ja-JP", viewport={"width": 390, "height": 844})
    tab = context.new_page()
    try:
        tab.goto(f"{site_url}/members/login/")
        tab.fill("input[name=username]", browser_resident.email)
        tab.fill("input[name=password]", PASSWORD)
        with tab.expect_navigation():
            tab.locator("main form button[type=submit]").first.click()
        tab.goto(f"{site_url}/members/me/")
        with tab.expect_navigation():
            tab.get_by_role("link", name="開示・訂正・削除・利用停止などを請求する／請求の状況").click()
        assert tab.locator("main h1").inner_text().strip() == "開示等の請求"
        tab.get_by_label("請求の種類").select_option("correction")
        tab.get_by_label("回答の受け取り方").select_option("post")
        tab.get_by_label("請求の内容（任意）").fill("登録している建物名を訂正してください。")
        with tab.expect_navigation():
            tab.get_by_role("button", name="請求する").click()
        rows = tab.locator("main table tbody tr").all_inner_texts()
        assert len(rows) == 1 and "訂正" in rows[0] and "本人確認済" in rows[0]
        with django_db_blocker.unblock():
            case = Case.objects.get(member=browser_resident)
        assert case.reply_method == "post" and case.details == "登録している建物名を訂正してください。"
    finally:
        context.close()
