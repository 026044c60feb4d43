"""
Functions that change members' state or reveal their data. Views, API endpoints and admin
actions call these; each writes its audit entry here, once.
"""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from .models import PERSONAL_FIELDS, AuditEntry, User

PERSONAL_DATA_PERMISSION = "members.view_personal_data"


def _label(user):
    return f"{user.nickname or '会員'} (#{user.pk})" if user else ""


def record(actor, action, subject=None, reason="", fields=(), **details):
    return AuditEntry.objects.create(
        actor=actor, actor_label=_label(actor), action=action, subject=subject, subject_label=_label(subject),
        reason=reason, fields=list(fields), details=details,
    )


def reveal_personal_data(actor, member, reason, fields=PERSONAL_FIELDS):
    """A member's personal data for a staff member with the permission and a stated reason."""
    if not actor.has_perm(PERSONAL_DATA_PERMISSION):
        raise PermissionDenied("個人情報を閲覧する権限がありません。")
    reason = (reason or "").strip()
    if len(reason) < 5:
        raise ValidationError({"reason": "閲覧する理由を5文字以上で入力してください。"})
    unknown = set(fields) - set(PERSONAL_FIELDS)
    if unknown:
        raise ValidationError({"fields": f"不明な項目です: {', '.join(sorted(unknown))}"})
    record(actor, AuditEntry.Action.REVEAL, member, reason, fields)
    return {name: getattr(member, name) for name in fields}


@transaction.atomic
def suspend_member(actor, member, reason):
    member.is_active = False
    member.save(update_fields=["is_active"])
    record(actor, AuditEntry.Action.SUSPEND, member, reason)


@transaction.atomic
def reactivate_member(actor, member, reason):
    member.is_active = True
    member.save(update_fields=["is_active"])
    record(actor, AuditEntry.Action.REACTIVATE, member, reason)


@transaction.atomic
def delete_member(actor, member, reason):
    record(actor, AuditEntry.Action.DELETE, member, reason, subject_id=member.pk)
    member.delete()


