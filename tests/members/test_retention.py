import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.utils import timezone

from members.audit import MemberAction
from members.models import AuditEntry
from members.tasks import purge_expired

pytestmark = pytest.mark.django_db
User = get_user_model()


def test_unverified_registrations_go_after_seven_days_and_old_audit_entries_after_the_retention(settings):
    now = timezone.now()
    old = User.objects.create_user(email="old@example.jp", password="x" * 12, self_registered=True)
    User.objects.filter(pk=old.pk).update(date_joined=now - timezone.timedelta(days=8))
    recent = User.objects.create_user(email="new@example.jp", password="x" * 12, self_registered=True)
    verified = User.objects.create_user(email="ok@example.jp", password="x" * 12, self_registered=True,
                                        email_verified_at=now)
    User.objects.filter(pk=verified.pk).update(date_joined=now - timezone.timedelta(days=30))
    staff = User.objects.create_user(email="staff@example.jp", password="x" * 12)
    User.objects.filter(pk=staff.pk).update(date_joined=now - timezone.timedelta(days=30))
    stale = AuditEntry.objects.create(actor_label="a", action=MemberAction.REVEAL, reason="r")
    AuditEntry.objects.filter(pk=stale.pk).update(created_at=now - timezone.timedelta(days=settings.AUDIT_RETENTION_DAYS + 1))
    fresh = AuditEntry.objects.create(actor_label="a", action=MemberAction.REVEAL, reason="r")

    assert purge_expired() == (1, 1)
    assert set(User.objects.filter(pk__in=[old.pk, recent.pk, verified.pk, staff.pk]).values_list("pk", flat=True)) \
        == {recent.pk, verified.pk, staff.pk}
    assert list(AuditEntry.objects.values_list("pk", flat=True)) == [fresh.pk]


def test_the_purge_is_a_scheduled_job(capsys):
    call_command("run_scheduler", "--list")
    assert "purge_expired_member_data" in capsys.readouterr().out
