"""The member's side of requests (the form, their list) and the reminders in the moderators' digest."""

import datetime

import pytest
from django.utils import timezone

from compliance import cases, digest_sections
from compliance.models import Case
from moderation import digest
from tests.compliance.c1_helpers import resident

pytestmark = pytest.mark.django_db
REQUESTS = "/members/me/privacy/requests/"


def test_the_profile_links_to_the_disclosure_and_the_requests(client):
    client.force_login(resident())
    html = client.get("/members/me/").content.decode()
    assert "/members/me/privacy/" in html and REQUESTS in html


def test_a_member_files_a_request_and_sees_it_with_state_and_due_date(client, settings):
    settings.COMPLIANCE_CASE_TARGET_DAYS = 14
    member = resident()
    client.force_login(member)
    response = client.post(REQUESTS, {"type": "correction", "reply_method": "email", "details": "住所の訂正をお願いします"})
    assert response.status_code == 302
    case = Case.objects.get(member=member)
    assert case.state == Case.State.VERIFIED and case.reply_method == "email"
    html = client.get(REQUESTS).content.decode()
    due = timezone.localdate() + datetime.timedelta(days=14)
    assert f"No.{case.pk}" in html and "訂正" in html and "本人確認済" in html and f"{due.year}/{due.month}/{due.day}" in html


@pytest.mark.parametrize("data", [
    {"type": "gossip", "reply_method": "email"}, {"type": "disclosure", "reply_method": "fax"},
    {"type": "disclosure", "reply_method": "email", "details": "あ" * 2001}, {},
])
def test_bad_input_on_the_request_form_stores_nothing(client, data):
    client.force_login(resident())
    response = client.post(REQUESTS, data)
    assert response.status_code == 400 and "error" in response.content.decode()
    assert not Case.objects.exists()


def test_a_member_sees_only_their_own_requests_and_withdraws_only_those(client):
    member, other = resident(), resident()
    mine = cases.file_request(member, Case.Type.DELETION, Case.ReplyMethod.SCREEN, "")
    theirs = cases.file_request(other, Case.Type.DISCLOSURE, Case.ReplyMethod.SCREEN, "他人の請求")
    client.force_login(member)
    html = client.get(REQUESTS).content.decode()
    assert f"No.{mine.pk}" in html and f"No.{theirs.pk}" not in html
    assert client.post(f"{REQUESTS}{theirs.pk}/withdraw/").status_code == 404
    assert Case.objects.get(pk=theirs.pk).state == Case.State.VERIFIED
    assert client.post(f"{REQUESTS}{mine.pk}/withdraw/").status_code == 302
    assert Case.objects.get(pk=mine.pk).state == Case.State.WITHDRAWN


def test_visitors_are_sent_to_log_in(client):
    assert client.get(REQUESTS).status_code == 302
    assert client.post(REQUESTS, {"type": "disclosure", "reply_method": "email"}).status_code == 302
    assert not Case.objects.exists()


def _due_in(administrator, days_left, **extra):
    received = timezone.now() - datetime.timedelta(days=cases.target_days() - days_left)
    return cases.record_request(administrator, type=Case.Type.DISCLOSURE, channel=Case.Channel.PHONE,
                                reply_method=Case.ReplyMethod.POST, requester_name="見本", received_at=received, **extra)


def test_the_digest_reminds_of_cases_due_within_three_days_and_flags_overdue_ones(administrator):
    later, soon, late = _due_in(administrator, 5), _due_in(administrator, 2), _due_in(administrator, -1)
    section = digest_sections.build(timezone.now())
    text = "\n".join(section.lines)
    assert section.attention is True
    assert f"期限切れ: No.{late.pk}" in text and f"期限が近い: No.{soon.pk}" in text and f"No.{later.pk}" not in text
    assert section in [s for s in digest.sections(timezone.now()) if s.title == section.title]


def test_the_digest_says_nothing_without_cases_due_and_no_attention_when_only_due_soon(administrator):
    assert digest_sections.build(timezone.now()) is None
    _due_in(administrator, 5)
    assert digest_sections.build(timezone.now()) is None
    _due_in(administrator, 1)
    section = digest_sections.build(timezone.now())
    assert section.attention is False and len(section.lines) == 1


def test_closed_and_withdrawn_cases_are_not_reminded(administrator):
    late = _due_in(administrator, -3)
    cases.withdraw(administrator, late, "取下げ")
    assert digest_sections.build(timezone.now()) is None
