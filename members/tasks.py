"""Scheduled retention jobs for members' data."""

from django.conf import settings
from django.utils import timezone
from django_tasks import task

from .models import AuditEntry
from .selectors import stale_registrations


def purge_expired():
    """
    Delete registrations never verified within UNVERIFIED_MEMBER_DAYS, and audit entries older
    than AUDIT_RETENTION_DAYS. Returns (registrations, audit entries) deleted.
    """
    now = timezone.now()
    unverified = stale_registrations(now - timezone.timedelta(days=settings.UNVERIFIED_MEMBER_DAYS))
    registrations = unverified.count()
    unverified.delete()
    audit, _ = AuditEntry.objects.filter(
        created_at__lt=now - timezone.timedelta(days=settings.AUDIT_RETENTION_DAYS)
    ).delete()
    return registrations, audit


@task()
def purge_expired_member_data():
    purge_expired()
