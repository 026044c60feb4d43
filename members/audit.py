"""
The one audit trail's vocabulary. Each app declares its own actions, in its own module, as a
``TextChoices`` class registered here; the trail (``AuditEntry``) stores the action's value,
so adding an action needs no migration in ``members``::

    # moderation/audit.py
    class ModerationAction(models.TextChoices):
        APPROVE = "moderation_approve", "投稿の承認"
    audit.register(ModerationAction)

    audit.record(moderator, ModerationAction.APPROVE, subject=author, reason=note, target="post:9")

An app's ``audit.py`` module is imported at start-up (``MembersConfig.ready``), so the admin's
audit log lists and labels every registered action even before one is recorded.
"""

from django.db import models

from .models import AuditEntry

_ACTIONS = {}  # value -> label, in registration order
_WORDS = {}  # a value an app records in its details (a status, a kind) -> how it reads


def register(actions, words=None):
    """
    Register a ``TextChoices`` class of actions; a value already taken by another label is an
    error. ``words``: how the values this app records in its entries' details read in the audit
    log (``{"held": "確認待ち"}``; a ``TextChoices`` class's ``choices`` will do).
    """
    for value, label in actions.choices:
        if _ACTIONS.get(value, label) != label:
            raise ValueError(f"audit action {value!r} is already registered as {_ACTIONS[value]!r}")
        _ACTIONS[value] = label
    _WORDS.update({str(value): str(label) for value, label in dict(words or {}).items()})
    return actions


def word(value):
    """A recorded detail value in words, as its app declared them (the value itself otherwise)."""
    return _WORDS.get(str(value), value) if value is not None else value


def choices():
    return list(_ACTIONS.items())


def label(action):
    """The action's label for people (an action no longer registered shows as stored)."""
    return str(_ACTIONS.get(action, action))


def _label(user):
    return f"{user.nickname or '会員'} (#{user.pk})" if user else ""


def record(actor, action, subject=None, reason="", fields=(), **details):
    """Write one entry of the trail: who, what, whom, why, which fields, and the details."""
    if action not in _ACTIONS:
        raise ValueError(f"unregistered audit action {action!r}: register it in the owning app's audit.py")
    return AuditEntry.objects.create(
        actor=actor, actor_label=_label(actor), action=str(action), subject=subject, subject_label=_label(subject),
        reason=reason, fields=list(fields), details=details,
    )


class MemberAction(models.TextChoices):
    """The members app's own actions: staff access to personal data and decisions about accounts."""

    REVEAL = "reveal_personal_data", "個人情報の閲覧"
    EXPORT_LOG = "export_audit_log", "監査ログの書き出し"
    SUSPEND = "suspend_member", "利用停止"
    REACTIVATE = "reactivate_member", "利用再開"
    DELETE = "delete_member", "会員の削除"


register(MemberAction)
