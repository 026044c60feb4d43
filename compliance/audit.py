"""
The compliance app's audit actions (``members.audit``): every step of a personal-data request
(開示等の請求), every opening of a case's documents, and the member's own stop of use (利用停止).
"""

from django.db import models

from members import audit

from .models import Case


class ComplianceAction(models.TextChoices):
    CASE_RECEIVE = "case_receive", "開示等の請求の受付"
    CASE_VIEW = "case_view", "開示等の請求の閲覧"
    CASE_IDENTITY = "case_identity", "開示等の請求の本人確認"
    CASE_START = "case_start", "開示等の請求の対応開始"
    CASE_EXTEND = "case_extend", "開示等の請求の期限延長"
    CASE_DECIDE = "case_decide", "開示等の請求の決定"
    CASE_CLOSE = "case_close", "開示等の請求の完了"
    CASE_WITHDRAW = "case_withdraw", "開示等の請求の取下げ"
    CASE_DOCUMENT_ADD = "case_document_add", "開示等の請求の書類の登録"
    CASE_DOCUMENT_OPEN = "case_document_open", "開示等の請求の書類の閲覧"
    USE_STOP = "use_stop", "利用停止（本人の請求）"
    USE_LIFT = "use_lift", "利用停止の解除（本人の請求）"


# The actions by which staff saw a member's data: listed in the member's disclosure (「運営者による閲覧の記録」).
VIEW_ACTIONS = (ComplianceAction.CASE_VIEW, ComplianceAction.CASE_DOCUMENT_OPEN)

audit.register(ComplianceAction, words={**dict(Case.Type.choices), **dict(Case.State.choices),
                                        **dict(Case.Decision.choices)})
