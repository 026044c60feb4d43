"""Drafts opened from the portal's own signals, once per window."""

from datetime import timedelta

import pytest
from axes.models import AccessAttempt
from django.contrib.auth import get_user_model
from django.core import mail
from django.utils import timezone

from compliance import incidents, signals_watch
from compliance.models import Incident
from members import audit
from members.models import AuditEntry

pytestmark = pytest.mark.django_db


@pytest.fixture
def thresholds(settings):
    settings.COMPLIANCE_WATCH_LOCKOUTS, settings.COMPLIANCE_WATCH_LOCKOUT_MINUTES = 3, 10
    settings.COMPLIANCE_WATCH_VIEWED_MEMBERS, settings.COMPLIANCE_WATCH_VIEW_MINUTES = 3, 60
    settings.COMPLIANCE_WATCH_EXPORTS, settings.COMPLIANCE_WATCH_EXPORT_MINUTES = 2, 60
    return settings


def _lockouts(n, settings, failures=None, agent="bot"):
    for i in range(n):
        AccessAttempt.objects.create(user_agent=agent, ip_address=f"192.0.2.{i + 1}", username=f"hash{i}",
                                     http_accept="*/*", path_info="/login/", get_data="", post_data="",
                                     failures_since_start=failures or settings.AXES_FAILURE_LIMIT)


def test_a_lockout_storm_opens_one_draft_and_mails_the_operator(thresholds, administrator):
    _lockouts(3, thresholds)
    mail.outbox.clear()
    opened = signals_watch.watch()
    assert [i.signal for i in opened] == ["lockout_storm"]
    draft = opened[0]
    assert draft.state == Incident.State.DRAFT and draft.category == Incident.Category.UNAUTHORIZED_ACCESS
    assert draft.events.filter(what__contains="192.0.2.2").exists()  # the evidence in the timeline
    assert administrator.email in [m.to[0] for m in mail.outbox]
    assert signals_watch.watch() == []  # the same window: not twice
    assert Incident.objects.filter(signal="lockout_storm").count() == 1


def test_failures_below_the_limit_or_too_few_lockouts_open_nothing(thresholds):
    _lockouts(5, thresholds, failures=1)
    _lockouts(2, thresholds, agent="other")
    assert signals_watch.watch() == []


def _reveal(staff, members, at=None):
    for member in members:
        entry = audit.record(staff, audit.MemberAction.REVEAL, member, "問い合わせ対応のため", ["email"])
        if at:
            AuditEntry.objects.filter(pk=entry.pk).update(created_at=at)


def test_one_staff_member_viewing_many_members_opens_a_draft_with_them(thresholds, administrator, moderator):
    User = get_user_model()
    members = [User.objects.create_user(email=f"m{i}@example.jp", nickname=f"会員{i}") for i in range(5)]
    _reveal(moderator, members[:3])
    assert signals_watch.watch() == []  # 3 is not more than 3
    _reveal(moderator, members[3:])
    _reveal(administrator, members[:2])
    opened = signals_watch.watch()
    assert len(opened) == 1 and opened[0].signal_subject == str(moderator.pk)
    assert set(opened[0].affected_members.values_list("pk", flat=True)) == {m.pk for m in members}
    assert Incident.objects.get(pk=opened[0].pk).affected_count == 5
    assert signals_watch.watch() == []


def test_old_views_do_not_count_and_the_audit_trail_names_whom_staff_viewed(thresholds, moderator):
    User = get_user_model()
    members = [User.objects.create_user(email=f"o{i}@example.jp", nickname=f"古{i}") for i in range(5)]
    long_ago = timezone.now() - timedelta(hours=5)
    _reveal(moderator, members, at=long_ago)
    assert signals_watch.watch() == []
    viewed = incidents.members_viewed_by(moderator, long_ago - timedelta(minutes=1), long_ago + timedelta(minutes=1))
    assert set(viewed) == set(members)


def test_a_burst_of_audit_log_exports_opens_a_draft(thresholds, administrator):
    audit.record(administrator, audit.MemberAction.EXPORT_LOG, format="csv")
    assert signals_watch.watch() == []
    audit.record(administrator, audit.MemberAction.EXPORT_LOG, format="xlsx")
    opened = signals_watch.watch()
    assert [i.signal for i in opened] == ["export_burst"]
    assert opened[0].events.filter(what__contains="監査ログの書き出し").count() == 2
    assert signals_watch.watch() == []


def test_the_watch_is_scheduled_every_ten_minutes(settings):
    job = settings.SCHEDULED_TASKS["compliance_watch"]
    assert job == {"task": "compliance.signals_watch.watch_signals", "cron": "*/10 * * * *"}
