"""The audit actions of the incident register and the training records (C2's part of compliance)."""

from django.db import models

from members import audit


class IncidentAction(models.TextChoices):
    OPEN = "incident_open", "事故の登録"
    AUTO_OPEN = "incident_auto_open", "事故の自動検知（下書き）"
    UPDATE = "incident_update", "事故の更新"
    EVENT = "incident_event", "事故の経過の記録"
    REPORT_SENT = "incident_report_sent", "事故報告の送付"
    NOTIFY = "incident_notify", "事故の本人通知"
    CLOSE = "incident_close", "事故の完了"
    PDF = "incident_pdf", "事故報告書の作成"
    TRAINING_RECORD = "training_record", "研修の受講記録"
    TRAINING_EXPORT = "training_export", "研修記録の書き出し"


audit.register(IncidentAction, words={"ward": "区への報告", "preliminary": "速報", "final": "確報"})
