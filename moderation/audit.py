"""The moderation app's entries in the one audit trail: decisions on contributions, sanctions."""

from django.db import models

from members import audit

from .models import Sanction, Status


class ModerationAction(models.TextChoices):
    APPROVE = "moderation_approve", "投稿の承認"
    REFUSE = "moderation_refuse", "投稿の掲載不可"
    HIDE = "moderation_hide", "投稿の非表示"
    RESTORE = "moderation_restore", "投稿の再表示"
    EDIT = "moderation_edit", "投稿の編集"
    SANCTION = "member_sanction", "会員への処分"


# The statuses and kinds of sanction its entries record, in words for the audit log.
audit.register(ModerationAction, words={**dict(Status.choices), **dict(Sanction.Kind.choices)})
