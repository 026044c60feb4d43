"""The ads app's entries in the one audit trail: review decisions, the stop-all switch, contact reveals."""

from django.db import models

from members import audit


class AdsAction(models.TextChoices):
    APPROVE = "ads_approve", "広告の承認"
    REFUSE = "ads_refuse", "広告の不承認"
    STOP_ALL = "ads_stop_all", "広告の一括停止"
    RESUME_ALL = "ads_resume_all", "広告の配信再開"
    REVEAL_CONTACT = "ads_reveal_contact", "広告主の連絡先の閲覧"


audit.register(AdsAction)
