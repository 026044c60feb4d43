"""Scheduled jobs of the moderation app: the retention purge and the moderators' daily digest."""

from django.conf import settings
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django_tasks import task

from members.mail import send_templated_mail
from members.selectors import AccountState, in_state

from . import digest, registry
from .models import Status, Thread
from .selectors import MODERATE_PERMISSION, queue_counts


def purge_expired(now=None):
    """
    Delete refused, hidden and deleted contributions of every registered kind older than
    MODERATION_RETENTION_DAYS (counted from the decision, or from the post for deletions), and
    threads left empty. Returns {kind name: contributions deleted}.
    """
    now = now or timezone.now()
    cutoff = now - timezone.timedelta(days=settings.MODERATION_RETENTION_DAYS)
    # Refused and hidden: counted from the decision (or, refused by screening, from the post).
    # Deleted by the author: counted from the deletion (the last change), whatever was decided before.
    expired = (Q(status__in=[Status.REFUSED, Status.HIDDEN])
               & (Q(decided_at__lt=cutoff) | Q(decided_at=None, updated_at__lt=cutoff))) | Q(
        status=Status.DELETED, updated_at__lt=cutoff)
    purged = {}
    for kind in registry.kinds():
        items = kind.model.objects.filter(expired)
        purged[kind.name] = items.count()
        items.delete()
    Thread.objects.filter(posts=None).delete()
    return purged


@task()
def purge_expired_contributions():
    purge_expired()


def moderator_addresses():
    """Everyone who may decide in the queue (the same permission the queue checks)."""
    from members.models import User

    app_label, codename = MODERATE_PERMISSION.split(".")
    has_perm = (Q(groups__permissions__codename=codename, groups__permissions__content_type__app_label=app_label)
                | Q(user_permissions__codename=codename, user_permissions__content_type__app_label=app_label)
                | Q(is_superuser=True))
    users = in_state(AccountState.ACTIVE, User.objects.filter(has_perm)).distinct()
    return sorted({user.email for user in users if user.email})


def send_digest(now=None):
    """
    The daily e-mail to moderators: what waits in the queue, by kind, and the longest wait, then the
    sections other apps contribute (``moderation.digest``). None when there is nothing to say.
    """
    now = now or timezone.now()
    counts = queue_counts()
    recipients = moderator_addresses()
    sections = digest.sections(now)
    if not recipients or not (counts or sections):
        return None
    rows = [(label, count, round(oldest.total_seconds() / 3600)) for label, (count, oldest) in sorted(counts.items())]
    context = {"rows": rows, "total": sum(count for _label, count, _hours in rows), "sections": sections,
               "attention": any(section.attention for section in sections),
               "admin_url": settings.WAGTAILADMIN_BASE_URL.rstrip("/") + reverse("moderation:queue")}
    send_templated_mail(recipients, "moderation/email/digest", context)  # one mail each
    return context


@task()
def send_moderation_digest():
    send_digest()
