"""
Drafts opened from the signals the portal already has (the scheduled job ``compliance_watch``,
every 10 minutes):
- a lockout storm: COMPLIANCE_WATCH_LOCKOUTS accounts or addresses locked out (django-axes) within
  COMPLIANCE_WATCH_LOCKOUT_MINUTES;
- one staff member viewing many members' data: more than COMPLIANCE_WATCH_VIEWED_MEMBERS distinct
  members revealed (audit trail) within COMPLIANCE_WATCH_VIEW_MINUTES;
- a burst of audit-log exports: COMPLIANCE_WATCH_EXPORTS within COMPLIANCE_WATCH_EXPORT_MINUTES.
Each opens one draft incident per signal (and staff member) and window — a draft of the same
signal discovered within the window means it is already open — with the evidence in its timeline,
and mails the operator (everyone who may change incidents).
"""

from datetime import timedelta

from axes.models import AccessAttempt
from django.conf import settings
from django.db import transaction
from django.db.models import Count, Q
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django_tasks import task

from members.audit import MemberAction, record
from members.mail import send_templated_mail
from members.models import AuditEntry, User
from members.selectors import AccountState, in_state

from .incident_audit import IncidentAction
from .incident_roles import INCIDENT_CHANGE
from .incidents import add_event
from .models.incidents import Incident

LOCKOUT_STORM, MASS_VIEWING, EXPORT_BURST = "lockout_storm", "mass_viewing", "export_burst"


def _already_open(signal, subject, since):
    return Incident.objects.filter(signal=signal, signal_subject=subject, discovered_at__gte=since).exists()


def operator_addresses():
    """Everyone who may change incidents (the administrators, superusers), active."""
    app_label, codename = INCIDENT_CHANGE.split(".")
    may = (Q(groups__permissions__codename=codename, groups__permissions__content_type__app_label=app_label)
           | Q(user_permissions__codename=codename, user_permissions__content_type__app_label=app_label)
           | Q(is_superuser=True))
    return sorted({user.email for user in in_state(AccountState.ACTIVE, User.objects.filter(may)).distinct()
                   if user.email})


@transaction.atomic
def _open_draft(signal, subject, now, title, category, description, evidence):
    incident = Incident.objects.create(
        title=title, category=category, description=description, discovered_at=now, state=Incident.State.DRAFT,
        signal=signal, signal_subject=subject, wrongful_purpose=category == Incident.Category.UNAUTHORIZED_ACCESS)
    add_event(incident, None, _("自動検知により下書きを作成しました。"), at=now)
    for at, what in evidence:
        add_event(incident, None, what, at=at)
    record(None, IncidentAction.AUTO_OPEN, incident=incident.pk, signal=signal)
    try:
        url = settings.WAGTAILADMIN_BASE_URL.rstrip("/") + reverse("compliance_incident", args=[incident.pk])
    except NoReverseMatch:
        url = ""
    addresses = operator_addresses()
    if addresses:
        send_templated_mail(addresses, "compliance/email/incident_draft", {"incident": incident, "url": url})
    return incident


def lockout_storm(now):
    minutes = settings.COMPLIANCE_WATCH_LOCKOUT_MINUTES
    since = now - timedelta(minutes=minutes)
    locked = list(AccessAttempt.objects.filter(attempt_time__gte=since, attempt_time__lte=now,
                                               failures_since_start__gte=settings.AXES_FAILURE_LIMIT)
                  .order_by("attempt_time"))
    if len(locked) < settings.COMPLIANCE_WATCH_LOCKOUTS or _already_open(LOCKOUT_STORM, "", since):
        return None
    addresses = len({attempt.ip_address for attempt in locked})
    evidence = [(attempt.attempt_time, _("ロックアウト: 接続元 %(ip)s、失敗 %(n)d 回")
                 % {"ip": attempt.ip_address or "-", "n": attempt.failures_since_start}) for attempt in locked[:50]]
    description = _("%(minutes)d 分間に %(count)d 件のロックアウト（接続元 %(addresses)d か所）。"
                    "パスワードリスト攻撃の可能性があります。") % {"minutes": minutes, "count": len(locked),
                                                    "addresses": addresses}
    return _open_draft(LOCKOUT_STORM, "", now, _("ロックアウトの多発"), Incident.Category.UNAUTHORIZED_ACCESS,
                       description, evidence)


def mass_viewing(now):
    minutes = settings.COMPLIANCE_WATCH_VIEW_MINUTES
    since = now - timedelta(minutes=minutes)
    reveals = AuditEntry.objects.filter(action=MemberAction.REVEAL, created_at__gte=since, created_at__lte=now,
                                        actor__isnull=False, subject__isnull=False)
    heavy = (reveals.values("actor").annotate(members=Count("subject", distinct=True))
             .filter(members__gt=settings.COMPLIANCE_WATCH_VIEWED_MEMBERS))
    opened = []
    for row in heavy:
        staff_id = str(row["actor"])
        if _already_open(MASS_VIEWING, staff_id, since):
            continue
        entries = list(reveals.filter(actor_id=row["actor"]).order_by("created_at"))
        affected = {entry.subject_id for entry in entries}
        evidence = [(entry.created_at, _("閲覧: %(staff)s → %(member)s（理由: %(reason)s）")
                     % {"staff": entry.actor_label, "member": entry.subject_label, "reason": entry.reason})
                    for entry in entries[:100]]
        description = _("職員 %(staff)s が %(minutes)d 分間に %(count)d 人の会員の個人情報を閲覧しました。") % {
            "staff": entries[0].actor_label, "minutes": minutes, "count": len(affected)}
        incident = _open_draft(MASS_VIEWING, staff_id, now, _("多数の会員の個人情報の閲覧"), Incident.Category.MISUSE,
                               description, evidence)
        incident.affected_members.add(*affected)
        Incident.objects.filter(pk=incident.pk).update(affected_count=len(affected))
        opened.append(incident)
    return opened


def export_burst(now):
    minutes = settings.COMPLIANCE_WATCH_EXPORT_MINUTES
    since = now - timedelta(minutes=minutes)
    exports = list(AuditEntry.objects.filter(action=MemberAction.EXPORT_LOG, created_at__gte=since,
                                             created_at__lte=now).order_by("created_at"))
    if len(exports) < settings.COMPLIANCE_WATCH_EXPORTS or _already_open(EXPORT_BURST, "", since):
        return None
    evidence = [(entry.created_at, _("監査ログの書き出し: %(staff)s（%(details)s）")
                 % {"staff": entry.actor_label, "details": entry.details}) for entry in exports]
    description = _("%(minutes)d 分間に監査ログが %(count)d 回書き出されました。") % {"minutes": minutes,
                                                                       "count": len(exports)}
    return _open_draft(EXPORT_BURST, "", now, _("監査ログの書き出しの集中"), Incident.Category.LEAK, description, evidence)


def watch(now=None):
    """Look at every signal once; returns the drafts opened."""
    now = now or timezone.now()
    opened = [lockout_storm(now), *mass_viewing(now), export_burst(now)]
    return [incident for incident in opened if incident is not None]


@task()
def watch_signals():
    watch()
