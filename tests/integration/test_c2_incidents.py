"""
The incident register on PostgreSQL with a real SMTP server: the members a staff member viewed
(from the audit trail) become the affected members, each gets the notice once over SMTP; the
signal watch's aggregate and the training gate run on PostgreSQL too.
"""

import email.header
from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.utils import timezone

from compliance import incidents, signals_watch, training
from compliance.models import Course, Incident, IncidentNotification
from members import audit
from members.services import PERSONAL_DATA_PERMISSION

pytestmark = pytest.mark.django_db


def _subject(message):
    return str(email.header.make_header(email.header.decode_header(message["Subject"])))


def test_the_notice_reaches_each_viewed_member_once_over_smtp(smtp_server, administrator, moderator, settings):
    assert connection.vendor == "postgresql"
    User = get_user_model()
    viewed = [User.objects.create_user(email=f"c2-viewed{i}@example.jp", nickname=f"閲覧{i}") for i in range(3)]
    other = User.objects.create_user(email="c2-other@example.jp", nickname="無関係")
    start = timezone.now() - timedelta(minutes=1)
    for member in viewed:
        audit.record(moderator, audit.MemberAction.REVEAL, member, "問い合わせ対応", ["email"])
    audit.record(administrator, audit.MemberAction.REVEAL, other, "別の職員の閲覧", ["email"])
    incident = incidents.open_incident(administrator, title="職員による目的外の閲覧", category="misuse",
                                       description="職員が業務外で会員情報を閲覧した疑い", data_items=["email"])
    incidents.set_affected(incident, administrator,
                           incidents.members_viewed_by(moderator, start, timezone.now() + timedelta(minutes=1)))
    assert incident.affected_count == 3
    assert incidents.notify_affected(incident, administrator) == (3, 0)
    assert incidents.notify_affected(incident, administrator) == (0, 0)
    received = sorted(m["To"] for m in smtp_server.messages)
    assert received == sorted(m.email for m in viewed)
    assert "個人情報の取扱いに関する重要なお知らせ" in _subject(smtp_server.messages[0])
    body = smtp_server.messages[0].get_payload(decode=True).decode("utf-8")
    assert "メールアドレス" in body and "目的外利用" in body
    assert IncidentNotification.objects.filter(incident=incident).count() == 3


def test_the_watch_and_the_gate_on_postgresql(administrator, moderator, settings):
    settings.COMPLIANCE_WATCH_VIEWED_MEMBERS, settings.COMPLIANCE_WATCH_VIEW_MINUTES = 2, 60
    User = get_user_model()
    for i in range(3):
        member = User.objects.create_user(email=f"c2-watch{i}@example.jp", nickname=f"監視{i}")
        audit.record(moderator, audit.MemberAction.REVEAL, member, "確認", ["email"])
    opened = signals_watch.watch()
    assert [i.signal for i in opened] == ["mass_viewing"] and opened[0].state == Incident.State.DRAFT
    assert signals_watch.watch() == []
    settings.COMPLIANCE_TRAINING_REQUIRED = True
    course = Course.objects.create(name="C2 統合テスト研修", version="1")
    assert not User.objects.get(pk=administrator.pk).has_perm(PERSONAL_DATA_PERMISSION)
    training.record_training(None, course=course, attendee=administrator, date_attended=timezone.localdate(),
                             pledge_signed_at=timezone.now())
    assert User.objects.get(pk=administrator.pk).has_perm(PERSONAL_DATA_PERMISSION)
