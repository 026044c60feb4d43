"""The surveys app's entries in the one audit trail: lotteries, decisions, staff views of applicants, deletions."""

from django.db import models

from members import audit


class SurveysAction(models.TextChoices):
    LOTTERY = "surveys_lottery", "募集の抽選"
    DECIDE = "surveys_decide", "応募の当落・採否の決定"
    VIEW_APPLICANTS = "surveys_view_applicants", "応募者の個人情報の閲覧"
    EXPORT_RESPONSES = "surveys_export_responses", "アンケート回答の書き出し"
    DELETE_ANSWERS = "surveys_delete_answers", "アンケート回答の削除（削除日）"
    DELETE_APPLICATIONS = "surveys_delete_applications", "応募者情報の削除（保存期間の終了）"


audit.register(SurveysAction, words={"received": "受付", "selected": "当選・採用", "waiting": "補欠",
                                     "rejected": "落選・不採用", "cancelled": "取消"})
