"""The reports app's entries in the one audit trail: downloads of the archived usage reports, the ward contacts."""

from django.db import models

from members import audit


class ReportsAction(models.TextChoices):
    DOWNLOAD = "reports_download", "利用状況報告のダウンロード"
    SEND = "reports_send", "利用状況報告の送付"
    REVEAL_CONTACT = "reports_reveal_contact", "区の報告先の閲覧"


audit.register(ReportsAction)
