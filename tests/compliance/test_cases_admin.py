"""The admin's pages for requests: the list with overdue cases standing out, recording, the steps as POST forms, documents."""

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from compliance import cases
from compliance.audit import ComplianceAction
from compliance.models import Case, CaseDocument
from members.models import AuditEntry
from tests.compliance.c1_helpers import resident
from tests.staff import login_staff

pytestmark = pytest.mark.django_db
INDEX = "/admin/compliance/cases/"
CONTENT = "%PDF-1.4 dummy letter from 見本".encode()


def _case(actor, days_ago=0, **extra):
    fields = {"type": Case.Type.DISCLOSURE, "channel": Case.Channel.POST, "reply_method": Case.ReplyMethod.POST,
              "requester_name": "見本 次郎", "received_at": timezone.now() - datetime.timedelta(days=days_ago)}
    return cases.record_request(actor, **{**fields, **extra})


def test_the_list_shows_overdue_cases_standing_out(client, administrator, settings):
    settings.COMPLIANCE_CASE_TARGET_DAYS = 14
    late, fresh = _case(administrator, days_ago=20), _case(administrator, days_ago=1)
    login_staff(client, administrator)
    html = client.get(INDEX).content.decode()
    assert "期限切れの請求: 1件" in html
    late_row = html[html.rindex("<tr", 0, html.index(f"/admin/compliance/cases/{late.pk}/")):][:800]
    assert "compliance-overdue" in late_row and "期限切れ" in late_row
    fresh_row = html[html.rindex("<tr", 0, html.index(f"/admin/compliance/cases/{fresh.pk}/")):][:800]
    assert "compliance-overdue" not in fresh_row and "あと13日" in fresh_row


def test_staff_without_the_permission_are_refused_every_page(client, moderator, administrator):
    case = _case(administrator)
    login_staff(client, moderator)
    for url in (INDEX, f"{INDEX}new/", f"{INDEX}{case.pk}/"):
        assert client.get(url).status_code in (302, 403)
    response = client.post(f"{INDEX}{case.pk}/", {"action": "decide", "decision": "refuse", "decision_ground": "理由"})
    assert response.status_code in (302, 403)
    assert Case.objects.get(pk=case.pk).state == Case.State.RECEIVED


def test_recording_a_letter_and_bad_input_on_the_form(client, administrator):
    login_staff(client, administrator)
    bad = client.post(f"{INDEX}new/", {"type": "disclosure", "channel": "post", "reply_method": "post",
                                       "received_at": "2026-01-01T10:00", "requester_name": ""})
    assert bad.status_code == 400 and "請求者の氏名を入力してください" in bad.content.decode()
    assert not Case.objects.exists()
    wrong = client.post(f"{INDEX}new/", {"type": "gossip", "channel": "post", "reply_method": "post",
                                         "received_at": "2026-01-01T10:00", "requester_name": "見本"})
    assert wrong.status_code == 400 and not Case.objects.exists()
    unknown_member = client.post(f"{INDEX}new/", {"type": "disclosure", "channel": "post", "reply_method": "post",
                                                  "received_at": "2026-01-01T10:00", "member_id": 999999})
    assert unknown_member.status_code == 400 and "この番号の会員はいません" in unknown_member.content.decode()
    member = resident()
    response = client.post(f"{INDEX}new/", {"type": "correction", "channel": "ward", "reply_method": "post",
                                            "received_at": timezone.localtime().strftime("%Y-%m-%dT%H:%M"),
                                            "member_id": member.pk, "details": "住所の訂正"})
    case = Case.objects.get()
    assert response.status_code == 302 and case.member == member and case.due_on == timezone.localdate() + datetime.timedelta(days=30)


def test_the_case_page_audits_the_opening_and_takes_the_steps_as_posts(client, administrator):
    case = _case(administrator)
    login_staff(client, administrator)
    page = client.get(f"{INDEX}{case.pk}/").content.decode()
    assert "見本 次郎" in page and 'name="csrfmiddlewaretoken"' in page
    opened = AuditEntry.objects.get(action=ComplianceAction.CASE_VIEW)
    assert opened.actor == administrator and "requester_name" in opened.fields
    refused = client.post(f"{INDEX}{case.pk}/", {"action": "decide", "decision": "disclose"})
    assert refused.status_code == 400 and "本人確認が済んでいない" in refused.content.decode()
    assert client.post(f"{INDEX}{case.pk}/", {"action": "identity", "identity_method": "document_shown"}).status_code == 302
    assert client.post(f"{INDEX}{case.pk}/", {"action": "decide", "decision": "disclose"}).status_code == 302
    assert client.post(f"{INDEX}{case.pk}/", {"action": "close"}).status_code == 302
    assert Case.objects.get(pk=case.pk).state == Case.State.CLOSED
    assert client.post(f"{INDEX}{case.pk}/", {"action": "explode"}).status_code == 400


def test_the_steps_need_the_csrf_token(administrator):
    from django.test import Client

    case = _case(administrator)
    client = Client(enforce_csrf_checks=True)
    login_staff(client, administrator)
    response = client.post(f"{INDEX}{case.pk}/", {"action": "identity", "identity_method": "document_shown"})
    assert response.status_code == 403
    assert Case.objects.get(pk=case.pk).state == Case.State.RECEIVED


def test_documents_are_stored_encrypted_and_opened_with_an_audit_entry(client, administrator):
    case = _case(administrator)
    login_staff(client, administrator)
    letter = SimpleUploadedFile("請求書.pdf", CONTENT, content_type="application/pdf")
    assert client.post(f"{INDEX}{case.pk}/", {"action": "document", "kind": "received", "file": letter}).status_code == 302
    document = CaseDocument.objects.get()
    with document.file.open("rb") as stored:
        raw = stored.read()
    assert b"dummy letter" not in raw and "請求書" not in document.file.name
    download = client.get(f"{INDEX}{case.pk}/documents/{document.pk}/")
    assert download.content == CONTENT
    assert "no-store" in download["Cache-Control"]
    assert AuditEntry.objects.filter(action=ComplianceAction.CASE_DOCUMENT_OPEN, actor=administrator).exists()


@pytest.mark.parametrize("upload,kind", [
    (None, "received"),
    (SimpleUploadedFile("x.exe", b"MZ...", content_type="application/x-msdownload"), "received"),
    (SimpleUploadedFile("x.pdf", b"%PDF", content_type="application/pdf"), "package"),
])
def test_bad_documents_are_refused_and_nothing_is_stored(client, administrator, upload, kind):
    case = _case(administrator)
    login_staff(client, administrator)
    data = {"action": "document", "kind": kind}
    if upload is not None:
        data["file"] = upload
    assert client.post(f"{INDEX}{case.pk}/", data).status_code == 400
    assert not CaseDocument.objects.exists()


def test_the_disclosure_package_is_attached_to_a_members_case(client, administrator):
    member = resident()
    case = cases.file_request(member, Case.Type.DISCLOSURE, Case.ReplyMethod.EMAIL, "")
    login_staff(client, administrator)
    assert client.post(f"{INDEX}{case.pk}/", {"action": "package"}).status_code == 302
    document = CaseDocument.objects.get(kind=CaseDocument.Kind.PACKAGE)
    body = client.get(f"{INDEX}{case.pk}/documents/{document.pk}/").content.decode()
    assert member.nickname in body and "第三者提供の記録はありません" in body
