"""The newsletter's entries in the one audit trail: sending an issue, a test send, suspending an address."""

from django.db import models

from members import audit


class NewsletterAction(models.TextChoices):
    SEND_ISSUE = "newsletter_send_issue", "メールマガジンの送信"
    TEST_SEND = "newsletter_test_send", "メールマガジンのテスト送信"
    SUSPEND = "newsletter_suspend", "メールマガジン配信先の停止"
    REACTIVATE = "newsletter_reactivate", "メールマガジン配信先の再開"


audit.register(NewsletterAction, words={"schedule": "予約送信", "command": "コマンド", "admin": "管理画面"})
