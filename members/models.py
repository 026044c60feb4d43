"""
The member account: residents and staff share one user model, logged in by e-mail.

Residents post under their public ``nickname``; nothing else about them is ever shown. The
personal data the contract lists — name and its kana reading, date of birth, gender, e-mail and
address — is stored encrypted (``members.crypto``); the e-mail is found by its keyed hash.
Nothing more is collected.
"""

from django.contrib.auth.base_user import AbstractBaseUser, BaseUserManager
from django.contrib.auth.models import PermissionsMixin
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .crypto import EncryptedCharField, EncryptedDateField, EncryptedEmailField, email_digest, normalize_email


def mask_email(email):
    local, _, domain = (email or "").partition("@")
    host, _, tld = domain.rpartition(".")
    if not (local and host and tld):
        return "***"
    return f"{local[:1]}***@{host[:1]}***.{tld}"


# The fields holding personal data, in the order a member's data is shown and exported.
PERSONAL_FIELDS = (
    "last_name", "first_name", "last_name_kana", "first_name_kana", "date_of_birth", "gender", "email",
    "postal_code", "prefecture", "municipality", "street", "building",
)


class UserManager(BaseUserManager):
    use_in_migrations = True

    def get_by_natural_key(self, email):
        # Log-in: the address is matched by its keyed hash, whatever its case or width.
        return self.get(email_hash=email_digest(email))

    def by_email(self, email):
        return self.filter(email_hash=email_digest(email))

    def _create_user(self, email, password, **extra_fields):
        if not email:
            raise ValueError("メールアドレスは必須です。")
        user = self.model(email=normalize_email(email), **extra_fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email, password=None, **extra_fields):
        extra_fields.setdefault("is_staff", False)
        extra_fields.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra_fields)

    def create_superuser(self, email, password=None, **extra_fields):
        extra_fields.setdefault("is_staff", True)
        extra_fields.setdefault("is_superuser", True)
        if not extra_fields["is_staff"] or not extra_fields["is_superuser"]:
            raise ValueError("管理者は is_staff と is_superuser が必要です。")
        return self._create_user(email, password, **extra_fields)


class User(AbstractBaseUser, PermissionsMixin):
    class Gender(models.TextChoices):
        FEMALE = "female", _("女性")
        MALE = "male", _("男性")
        OTHER = "other", _("その他")
        UNANSWERED = "unanswered", _("回答しない")

    email = EncryptedEmailField(_("メールアドレス"), max_length=254)
    email_hash = models.CharField(_("メールアドレスの照合値"), max_length=64, unique=True, editable=False)
    pending_email = EncryptedEmailField(_("変更後のメールアドレス（確認待ち）"), max_length=254, blank=True, editable=False)
    nickname = models.CharField(_("ニックネーム"), max_length=40, blank=True, help_text=_("投稿に表示される名前です。"))
    # Wagtail's admin reads first_name / last_name; for residents they hold the legal name.
    last_name = EncryptedCharField(_("姓"), max_length=50, blank=True)
    first_name = EncryptedCharField(_("名"), max_length=50, blank=True)
    last_name_kana = EncryptedCharField(_("姓（よみがな）"), max_length=50, blank=True)
    first_name_kana = EncryptedCharField(_("名（よみがな）"), max_length=50, blank=True)
    date_of_birth = EncryptedDateField(_("生年月日"), null=True, blank=True)
    gender = EncryptedCharField(_("性別"), max_length=12, choices=Gender.choices, blank=True)
    postal_code = EncryptedCharField(_("郵便番号"), max_length=8, blank=True)
    prefecture = EncryptedCharField(_("都道府県"), max_length=10, blank=True)
    municipality = EncryptedCharField(_("市区町村"), max_length=50, blank=True)
    street = EncryptedCharField(_("町名・番地"), max_length=100, blank=True)
    building = EncryptedCharField(_("建物名・部屋番号"), max_length=100, blank=True)
    is_staff = models.BooleanField(_("スタッフ"), default=False)
    is_active = models.BooleanField(_("有効"), default=True, help_text=_("無効にするとログインできません（利用停止）。"))
    date_joined = models.DateTimeField(_("登録日時"), default=timezone.now)
    email_verified_at = models.DateTimeField(_("メール確認日時"), null=True, blank=True)
    self_registered = models.BooleanField(_("本人が登録"), default=False, editable=False,
                                          help_text=_("公開サイトから本人が登録した会員（メール確認まではログインできません）"))
    withdrawn_at = models.DateTimeField(_("退会日時"), null=True, blank=True)
    # 利用停止 at the member's own request (compliance): the account is kept but frozen — no mail, their
    # posts not listed — until lifted; unlike a suspension (is_active False) they still log in to see it.
    use_stopped_at = models.DateTimeField(_("利用停止（本人の請求）の日時"), null=True, blank=True, editable=False)
    # The site language the member uses (set at registration, followed while they browse logged in:
    # members.middleware); the mails staff send them are in it.
    language = models.CharField(_("言語"), max_length=10, default="ja", editable=False,
                                help_text=_("この会員に送るメールの言語（登録時と、ログイン中に使った言語）"))

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = []

    class Meta:
        verbose_name = "会員"
        verbose_name_plural = "会員"
        permissions = [("view_personal_data", "会員の個人情報を閲覧できる（理由を記録）")]

    def __str__(self):
        return self.nickname or f"会員 {self.pk}"

    def save(self, *args, **kwargs):
        self.email = normalize_email(self.email)
        self.email_hash = email_digest(self.email)
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and "email" in update_fields:
            kwargs["update_fields"] = {*update_fields, "email_hash"}
        super().save(*args, **kwargs)

    def validate_unique(self, exclude=None):
        super().validate_unique(exclude)
        if self.email and (exclude is None or "email" not in exclude):
            taken = User.objects.by_email(self.email).exclude(pk=self.pk).exists()
            if taken:
                raise ValidationError({"email": _("このメールアドレスは登録できません。")})

    def has_perm(self, perm, obj=None):
        """The roles' answer, then the gates (``members.access``: e.g. no personal data without training)."""
        if not super().has_perm(perm, obj):
            return False
        from . import access

        return access.allowed(self, perm)

    def get_full_name(self):
        return f"{self.last_name} {self.first_name}".strip() or self.nickname or str(self)

    def get_short_name(self):
        return self.nickname or self.first_name or str(self)

    @property
    def masked_email(self):
        """h***@e***.jp: enough for staff to tell accounts apart, not to read the address."""
        return mask_email(self.email)

    @property
    def public_name(self):
        """The only name shown to the public: the nickname."""
        if self.withdrawn_at:
            return WITHDRAWN_NAME
        return self.nickname or "会員"


WITHDRAWN_NAME = "退会したユーザー"


class Consent(models.Model):
    """A member's agreement to one version of a document, and when."""

    class Document(models.TextChoices):
        TERMS = "terms", "利用規約"
        PRIVACY = "privacy", "プライバシーポリシー"

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="consents", verbose_name="会員")
    document = models.CharField("文書", max_length=20, choices=Document.choices)
    version = models.CharField("版", max_length=20)
    agreed_at = models.DateTimeField("同意日時", default=timezone.now)

    class Meta:
        verbose_name = "同意記録"
        verbose_name_plural = "同意記録"
        ordering = ["-agreed_at"]


class AuditEntry(models.Model):
    """
    The one audit trail: every access by staff to a member's personal data, and every staff
    decision about members, contributions and whatever later apps register (``members.audit``).
    Who, what, whom, when, why.
    Entries are never edited; they are purged after AUDIT_RETENTION_DAYS.
    """

    created_at = models.DateTimeField("日時", default=timezone.now, db_index=True)
    actor = models.ForeignKey(User, null=True, on_delete=models.SET_NULL, related_name="+", verbose_name="操作者")
    actor_label = models.CharField("操作者（記録時）", max_length=80)
    # An action's value; each app registers its own actions and their labels (members.audit).
    action = models.CharField("操作", max_length=40, db_index=True)
    subject = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
                                verbose_name="対象の会員")
    subject_label = models.CharField("対象（記録時）", max_length=80, blank=True)
    reason = models.TextField("理由", blank=True)
    fields = models.JSONField("項目", default=list, blank=True)
    details = models.JSONField("詳細", default=dict, blank=True)

    class Meta:
        verbose_name = "監査ログ"
        verbose_name_plural = "監査ログ"
        ordering = ["-created_at", "-pk"]


class OutboxMail(models.Model):
    """
    One e-mail of the portal, stored before it is sent (``members.outbox``): rendered when it is
    queued, sent by a job after the transaction commits, retried with growing pauses, and kept
    in sight (送信失敗) when it never goes. The address and the text are personal data, stored
    encrypted; the text is dropped once sent (it may hold a one-time link).
    """

    class Status(models.TextChoices):
        PENDING = "pending", "送信待ち"
        SENT = "sent", "送信済み"
        FAILED = "failed", "送信失敗"

    created_at = models.DateTimeField("登録日時", default=timezone.now, db_index=True)
    template = models.CharField("種類", max_length=200)
    recipient = EncryptedEmailField("宛先", max_length=254)
    subject = EncryptedCharField("件名", blank=True)
    body = EncryptedCharField("本文", blank=True)
    from_email = models.CharField("差出人", max_length=254, blank=True)
    headers = models.JSONField("ヘッダー", default=dict, blank=True)
    status = models.CharField("状態", max_length=10, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField("送信試行回数", default=0)
    next_attempt_at = models.DateTimeField("次回の送信", default=timezone.now)
    last_error = models.CharField("最後のエラー", max_length=200, blank=True)
    sent_at = models.DateTimeField("送信日時", null=True, blank=True)

    class Meta:
        verbose_name = "送信メール"
        verbose_name_plural = "送信メール"
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["status", "next_attempt_at"], name="members_outbox_due")]

    def __str__(self):
        return f"{self.template} → {self.masked_recipient}"

    @property
    def masked_recipient(self):
        return mask_email(self.recipient)


class RateCounter(models.Model):
    """
    One fixed window of one rate limit (``members.ratelimit``): the attempts it has counted. In the
    database, so every process counts into the same row whatever the cache; a row outlives its window
    only until the next new window anywhere prunes it.
    """

    key = models.CharField("キー", max_length=200, unique=True)  # "<scope>:<who's keyed hash>:<window s>:<number>"
    count = models.PositiveIntegerField("回数", default=0)
    expires_at = models.DateTimeField("期限", db_index=True)

    class Meta:
        verbose_name = "回数制限の記録"
        verbose_name_plural = "回数制限の記録"

    def __str__(self):
        return f"{self.key}: {self.count}"
