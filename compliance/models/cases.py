"""
Personal-data requests (開示等の請求) as cases: who asked for what, by which route, how their
identity was checked (method, by whom, when — never a copy of an ID document), the due date, the
state, the decision with its ground, the reply method the requester chose, and the documents.

The rules (due dates, state changes, the identity check before a disclosure is closed) are in
``compliance.cases``; these models hold the data and the field-level rules only. A requester
whose account cannot be matched (a letter) keeps a name and a contact, encrypted like every
member's personal data (``members.crypto``).
"""

import secrets

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from members.crypto import EncryptedCharField, EncryptedTextField

__all__ = ["Case", "CaseDocument"]


class Case(models.Model):
    class Type(models.TextChoices):
        DISCLOSURE = "disclosure", _("開示")
        CORRECTION = "correction", _("訂正")
        ADDITION = "addition", _("追加")
        DELETION = "deletion", _("削除")
        STOP_USE = "stop_use", _("利用停止")
        STOP_PROVISION = "stop_provision", _("第三者提供の停止")
        PROVISION_RECORDS = "provision_records", _("第三者提供記録の開示")

    class Channel(models.TextChoices):
        PROFILE = "profile", _("プロフィール")
        POST = "post", _("郵送")
        PHONE = "phone", _("電話")
        COUNTER = "counter", _("窓口")
        WARD = "ward", _("区経由")

    class State(models.TextChoices):
        RECEIVED = "received", _("受付")
        VERIFIED = "verified", _("本人確認済")
        IN_PROGRESS = "in_progress", _("対応中")
        DECIDED = "decided", _("決定")
        CLOSED = "closed", _("完了")
        WITHDRAWN = "withdrawn", _("取下げ")

    class Decision(models.TextChoices):
        DISCLOSE = "disclose", _("開示")
        PARTIAL = "partial", _("一部開示")
        REFUSE = "refuse", _("不開示")
        CORRECT = "correct", _("訂正")
        NOT_CORRECT = "not_correct", _("訂正しない")
        STOP = "stop", _("利用停止")
        NOT_STOP = "not_stop", _("利用停止しない")
        DELETE = "delete", _("削除")
        NOT_DELETE = "not_delete", _("削除しない")
        NONE_HELD = "none_held", _("該当する記録なし")

    class ReplyMethod(models.TextChoices):
        POST = "post", _("郵送")
        EMAIL = "email", _("メール")
        COUNTER = "counter", _("窓口")
        SCREEN = "screen", _("画面")

    class IdentityMethod(models.TextChoices):
        LOGIN = "login", _("ログイン中の本人（パスワードによる確認）")
        DOCUMENT_SHOWN = "document_shown", _("本人確認書類の提示（写しは保管しない）")
        POSTAL_MATCH = "postal_match", _("登録住所への郵送による照合")
        PHONE_MATCH = "phone_match", _("電話での登録事項の照合")
        WARD = "ward", _("区による確認")

    member = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                               related_name="compliance_cases", verbose_name=_("会員"))
    requester_name = EncryptedCharField(_("請求者の氏名"), max_length=100, blank=True)
    requester_contact = EncryptedCharField(_("請求者の連絡先"), max_length=200, blank=True)
    type = models.CharField(_("種類"), max_length=20, choices=Type.choices)
    channel = models.CharField(_("受付経路"), max_length=10, choices=Channel.choices)
    details = EncryptedTextField(_("請求の内容"), blank=True)
    for_ward = models.BooleanField(_("区のために対応"), default=False)
    received_at = models.DateTimeField(_("受付日時"), default=timezone.now, db_index=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+", verbose_name=_("記録したスタッフ"))
    identity_method = models.CharField(_("本人確認の方法"), max_length=20, choices=IdentityMethod.choices, blank=True)
    identity_checked_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                            on_delete=models.SET_NULL, related_name="+",
                                            verbose_name=_("本人確認をした人"))
    identity_checked_at = models.DateTimeField(_("本人確認の日時"), null=True, blank=True)
    due_on = models.DateField(_("期限"), db_index=True)
    extended_at = models.DateTimeField(_("延長した日時"), null=True, blank=True)
    extension_reason = models.TextField(_("延長の理由"), blank=True)
    state = models.CharField(_("状態"), max_length=12, choices=State.choices, default=State.RECEIVED, db_index=True)
    decision = models.CharField(_("決定"), max_length=12, choices=Decision.choices, blank=True)
    decision_ground = EncryptedTextField(_("決定の理由"), blank=True)
    decided_at = models.DateTimeField(_("決定日時"), null=True, blank=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+", verbose_name=_("決定したスタッフ"))
    reply_method = models.CharField(_("回答の方法"), max_length=10, choices=ReplyMethod.choices)
    closed_at = models.DateTimeField(_("完了日時"), null=True, blank=True)

    class Meta:
        verbose_name = _("開示等の請求")
        verbose_name_plural = _("開示等の請求")
        ordering = ["due_on", "pk"]
        permissions = [("handle_case", _("開示等の請求に対応できる"))]

    def __str__(self):
        return f"No.{self.pk} {self.get_type_display()}"

    @property
    def is_open(self):
        return self.state not in (self.State.CLOSED, self.State.WITHDRAWN)

    @property
    def identity_checked(self):
        return bool(self.identity_method and self.identity_checked_at)


def _document_path(instance, filename):
    # A random name: nothing of the requester's file name is kept in the storage's listing.
    return f"compliance/cases/{instance.case_id}/{secrets.token_hex(16)}.bin"


class CaseDocument(models.Model):
    """
    A document of a case: a letter received (scanned), a reply sent, or the generated disclosure
    package. Stored encrypted (``members.crypto``) in the media storage under a random name; never
    under a public URL — staff download it through the case's page (an audited view).
    """

    class Kind(models.TextChoices):
        RECEIVED = "received", _("受け取った書類")
        REPLY = "reply", _("回答書")
        PACKAGE = "package", _("開示データ（自動生成）")

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="documents", verbose_name=_("請求"))
    kind = models.CharField(_("種類"), max_length=10, choices=Kind.choices)
    name = EncryptedCharField(_("ファイル名"), max_length=200)
    content_type = models.CharField(_("形式"), max_length=100)
    size = models.PositiveIntegerField(_("大きさ（バイト）"))
    file = models.FileField(_("ファイル（暗号化）"), upload_to=_document_path, max_length=200)
    added_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                 related_name="+", verbose_name=_("登録したスタッフ"))
    added_at = models.DateTimeField(_("登録日時"), default=timezone.now)

    class Meta:
        verbose_name = _("請求の書類")
        verbose_name_plural = _("請求の書類")
        ordering = ["added_at", "pk"]
