"""
The mail magazine (メールマガジン): who receives it, what they agreed to, what editors write, and
what was sent to whom.

- ``Subscriber``: one e-mail address (personal data: stored encrypted, found by its keyed hash,
  ``members.crypto``), its choices (districts, themes, language, editors' issues and/or the weekly
  digest) and its state. Changes asked for on the site or the API wait in ``pending`` until the
  address's owner confirms them (double opt-in); a signed-in member's own choices apply at once.
- ``ConsentRecord``: each request, confirmation, change and unsubscription, with what was agreed
  to, when, through which form and the version of the text shown: kept as proof (特定電子メール法).
- ``Issue``: an issue written by editors (a snippet with drafts, revisions, the two-step workflow,
  preview and locking), its segment (districts, themes, language) and its sending time.
- ``Mailing``: one sending of an issue or of a weekly digest; ``Delivery``: one row per recipient
  of a mailing (unique), the unit that makes sending resumable without duplicates or gaps.
- ``Bounce``: a delivery status notification or a complaint received about an address.
"""

from django.conf import settings
from django.db import models
from django.utils import timezone
from modelcluster.fields import ParentalManyToManyField
from modelcluster.models import ClusterableModel
from wagtail.fields import StreamField
from wagtail.models import DraftStateMixin, LockableMixin, PreviewableMixin, RevisionMixin, WorkflowMixin

from members.crypto import EncryptedEmailField, email_digest, normalize_email

from .blocks import IssueBlocks


class Status(models.TextChoices):
    PENDING = "pending", "確認待ち"
    ACTIVE = "active", "配信中"
    UNSUBSCRIBED = "unsubscribed", "配信停止"
    SUSPENDED = "suspended", "停止（不達・苦情・運営者）"


class Subscriber(models.Model):
    email = EncryptedEmailField("メールアドレス", max_length=254)
    email_hash = models.CharField("メールアドレスの照合値", max_length=64, unique=True, editable=False)
    # The member whose verified address this is (their export and withdrawal find it through this link).
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                             related_name="newsletter_subscriptions", verbose_name="会員")
    language = models.CharField("言語", max_length=10, choices=settings.LANGUAGES, default="ja")
    districts = models.ManyToManyField("pages.DistrictPage", blank=True, related_name="+", verbose_name="地域")
    themes = models.ManyToManyField("pages.ThemePage", blank=True, related_name="+", verbose_name="テーマ")
    issues = models.BooleanField("編集部の号を受け取る", default=True)
    digest = models.BooleanField("週刊ダイジェストを受け取る", default=True)
    status = models.CharField("状態", max_length=20, choices=Status.choices, default=Status.PENDING, db_index=True)
    # Choices waiting for the owner's confirmation: {"nonce", "districts", "themes", "language", "issues",
    # "digest", "source"}; empty when nothing waits.
    pending = models.JSONField("確認待ちの設定", default=dict, blank=True)
    confirmation_sent_at = models.DateTimeField("確認メール送信日時", null=True, blank=True)
    confirmed_at = models.DateTimeField("確認日時", null=True, blank=True)
    unsubscribed_at = models.DateTimeField("配信停止日時", null=True, blank=True)
    suspended_at = models.DateTimeField("停止日時", null=True, blank=True)
    suspended_reason = models.CharField("停止の理由", max_length=200, blank=True)
    created_at = models.DateTimeField("登録日時", default=timezone.now)
    updated_at = models.DateTimeField("更新日時", auto_now=True)

    class Meta:
        verbose_name = verbose_name_plural = "配信先"
        ordering = ["-created_at", "-pk"]

    def __str__(self):
        return f"配信先 {self.pk}"

    def save(self, *args, **kwargs):
        self.email = normalize_email(self.email)
        self.email_hash = email_digest(self.email)
        super().save(*args, **kwargs)

    @property
    def masked_email(self):
        from members.models import mask_email

        return mask_email(self.email)


class ConsentRecord(models.Model):
    class Event(models.TextChoices):
        REQUESTED = "requested", "申し込み（確認待ち）"
        CONFIRMED = "confirmed", "確認（同意）"
        CHANGED = "changed", "設定の変更"
        UNSUBSCRIBED = "unsubscribed", "配信停止"
        SUSPENDED = "suspended", "停止"
        REACTIVATED = "reactivated", "再開"

    class Source(models.TextChoices):
        WEB = "web", "サイトの申し込みフォーム"
        API = "api", "API"
        PROFILE = "profile", "会員の登録内容ページ"
        LINK = "link", "メールのリンク"
        ONE_CLICK = "one_click", "ワンクリック配信停止（List-Unsubscribe）"
        MAIL = "mail", "配信停止メール（mailto）"
        BOUNCE = "bounce", "不達"
        COMPLAINT = "complaint", "苦情"
        STAFF = "staff", "運営者"

    subscriber = models.ForeignKey(Subscriber, on_delete=models.CASCADE, related_name="consents",
                                   verbose_name="配信先")
    event = models.CharField("記録", max_length=20, choices=Event.choices)
    source = models.CharField("経路", max_length=20, choices=Source.choices)
    choices = models.JSONField("内容", default=dict, blank=True)
    text_version = models.CharField("同意文の版", max_length=20, blank=True)
    created_at = models.DateTimeField("日時", default=timezone.now)

    class Meta:
        verbose_name = verbose_name_plural = "メールマガジンの同意記録"
        ordering = ["created_at", "pk"]


class Issue(WorkflowMixin, DraftStateMixin, LockableMixin, RevisionMixin, PreviewableMixin, ClusterableModel):
    """An issue written in the admin, reviewed and approved like a page; approval lets it be sent."""

    title = models.CharField("件名", max_length=120, help_text="メールの件名になります。")
    lead = models.TextField("リード文", max_length=1000, blank=True)
    body = StreamField(IssueBlocks(), verbose_name="本文", blank=True)
    districts = ParentalManyToManyField("pages.DistrictPage", blank=True, related_name="+", verbose_name="送る地域",
                                        help_text="選んだ地域のどれかを選んでいる人（地域を選んでいない人を含む）に送ります。空欄ならすべて。")
    themes = ParentalManyToManyField("pages.ThemePage", blank=True, related_name="+", verbose_name="送るテーマ",
                                     help_text="選んだテーマのどれかを選んでいる人（テーマを選んでいない人を含む）に送ります。空欄ならすべて。")
    language = models.CharField("送る言語", max_length=10, choices=settings.LANGUAGES, blank=True,
                                help_text="この言語を選んだ購読者にだけ送ります。空欄ならすべての言語の購読者に送ります。")
    send_at = models.DateTimeField("送信日時（予約）", null=True, blank=True,
                                   help_text="承認後、この日時に送信します。空欄なら承認後すぐに送信します。")
    created_at = models.DateTimeField("作成日時", default=timezone.now)

    class Meta:
        verbose_name = verbose_name_plural = "メールマガジンの号"
        ordering = ["-created_at", "-pk"]

    def __str__(self):
        return self.title

    preview_modes = [("html", "メール（HTML）"), ("text", "メール（テキスト）")]

    @property
    def default_preview_mode(self):
        return "html"

    def serve_preview(self, request, mode_name):
        from .rendering import preview_response

        return preview_response(request, self, mode_name)


class Mailing(models.Model):
    class Kind(models.TextChoices):
        ISSUE = "issue", "編集部の号"
        DIGEST = "digest", "週刊ダイジェスト"

    class State(models.TextChoices):
        PREPARING = "preparing", "宛先の準備中"
        SENDING = "sending", "送信中"
        DONE = "done", "送信済み"

    kind = models.CharField("種類", max_length=10, choices=Kind.choices)
    key = models.CharField("識別子", max_length=80, unique=True)
    issue = models.ForeignKey(Issue, null=True, blank=True, on_delete=models.SET_NULL, related_name="mailings",
                              verbose_name="号")
    revision = models.ForeignKey("wagtailcore.Revision", null=True, blank=True, on_delete=models.SET_NULL,
                                 related_name="+", verbose_name="送った版")
    title = models.CharField("件名・名前", max_length=200)
    period_start = models.DateTimeField("対象期間の始め", null=True, blank=True)
    period_end = models.DateTimeField("対象期間の終わり", null=True, blank=True)
    state = models.CharField("状態", max_length=20, choices=State.choices, default=State.PREPARING, db_index=True)
    created_at = models.DateTimeField("作成日時", default=timezone.now)
    started_at = models.DateTimeField("送信開始", null=True, blank=True)
    finished_at = models.DateTimeField("送信完了", null=True, blank=True)
    # Who is sending it now: one worker at a time (renewed while it works; a dead holder's lease is taken over).
    lease_owner = models.CharField(max_length=120, blank=True, editable=False)
    lease_until = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        verbose_name = verbose_name_plural = "メールマガジンの送信"
        ordering = ["-created_at", "-pk"]

    def __str__(self):
        return self.title


class Delivery(models.Model):
    class State(models.TextChoices):
        PENDING = "pending", "未送信"
        SENT = "sent", "送信済み"
        FAILED = "failed", "送信失敗"
        CANCELLED = "cancelled", "送信取りやめ（配信停止済み）"

    mailing = models.ForeignKey(Mailing, on_delete=models.CASCADE, related_name="deliveries", verbose_name="送信")
    subscriber = models.ForeignKey(Subscriber, on_delete=models.CASCADE, related_name="deliveries",
                                   verbose_name="配信先")
    state = models.CharField("状態", max_length=20, choices=State.choices, default=State.PENDING)
    attempts = models.PositiveSmallIntegerField("試行回数", default=0)
    next_attempt_at = models.DateTimeField("次の試行", null=True, blank=True)
    sent_at = models.DateTimeField("送信日時", null=True, blank=True)
    error = models.CharField("エラー", max_length=300, blank=True)
    bounced_at = models.DateTimeField("不達", null=True, blank=True)
    complained_at = models.DateTimeField("苦情", null=True, blank=True)
    unsubscribed_at = models.DateTimeField("このメールから配信停止", null=True, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "メールマガジンの配信記録"
        constraints = [models.UniqueConstraint(fields=["mailing", "subscriber"], name="newsletter_one_delivery")]
        indexes = [models.Index(fields=["mailing", "state", "id"], name="newsletter_delivery_todo")]


class Bounce(models.Model):
    class Kind(models.TextChoices):
        HARD = "hard", "不達（恒久的）"
        SOFT = "soft", "不達（一時的）"
        COMPLAINT = "complaint", "苦情"

    subscriber = models.ForeignKey(Subscriber, on_delete=models.CASCADE, related_name="bounces",
                                   verbose_name="配信先")
    delivery = models.ForeignKey(Delivery, null=True, blank=True, on_delete=models.SET_NULL, related_name="bounces",
                                 verbose_name="配信記録")
    kind = models.CharField("種類", max_length=10, choices=Kind.choices)
    status = models.CharField("ステータスコード", max_length=20, blank=True)
    diagnostic = models.CharField("詳細", max_length=300, blank=True)
    report_key = models.CharField("通知の照合値", max_length=64, unique=True)
    received_at = models.DateTimeField("処理日時", default=timezone.now)

    class Meta:
        verbose_name = verbose_name_plural = "不達・苦情"
        ordering = ["-received_at", "-pk"]
