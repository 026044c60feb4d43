"""The moderation app's entries in the one audit trail: decisions on contributions, sanctions."""

from django.db import models

from members import audit


class ModerationAction(models.TextChoices):
    APPROVE = "moderation_approve", "投稿の承認"
    REFUSE = "moderation_refuse", "投稿の掲載不可"
    HIDE = "moderation_hide", "投稿の非表示"
    RESTORE = "moderation_restore", "投稿の再表示"
    EDIT = "moderation_edit", "投稿の編集"
    SANCTION = "member_sanction", "会員への処分"


audit.register(ModerationAction)
