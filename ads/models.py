"""
Ad banners (広告バナー): advertisers, their bookings of a slot for a period, the creatives shown in
it, the reviewed state of each creative, the aggregated counts, and the one switch that stops every
paid slot.

- ``Advertiser``: a company or association; the business contact person's name, e-mail and phone
  are personal data, stored encrypted (``members.crypto``) and shown masked in the admin.
- ``Booking``: one slot (``placements.PLACEMENTS``) from a date to a date, targeted by what a page
  is about (districts, themes, language; empty means any), with a weight for rotation, an optional
  impression goal (paced evenly over the period), the price and the invoice state.
- ``Creative``: the image (a static picture of the slot's exact size), its alt text, the http(s)
  destination and an optional short text. Only an approved creative of a running booking is ever
  served; any change to what a visitor sees sends it back to review (``services.save_creative``).
- ``AdCount``: impressions and clicks per hour × creative × placement × district, flushed in batches
  from the cache (``counting``); never one row per view, and nothing about the visitor.
- ``AdsSwitch``: the stop-all switch (a single row), changed only through ``services`` (audited).
"""

import uuid
from pathlib import PurePosixPath

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone

from members.crypto import EncryptedCharField, EncryptedEmailField

from .placements import CHOICES as PLACEMENT_CHOICES
from .placements import PLACEMENTS
from .validators import validate_corporate_number, validate_destination_url, validate_phone


class Advertiser(models.Model):
    name = models.CharField("広告主名", max_length=100, unique=True)
    corporate_number = models.CharField("法人番号", max_length=13, blank=True, validators=[validate_corporate_number],
                                        help_text="13桁（法人でない団体・個人事業主は空欄）。チェックデジットを確かめます。")
    website = models.URLField("ウェブサイト", blank=True)
    contact_name = EncryptedCharField("担当者名", max_length=100, blank=True)
    contact_email = EncryptedEmailField("担当者のメールアドレス", max_length=254, blank=True)
    contact_phone = EncryptedCharField("担当者の電話番号", max_length=20, blank=True, validators=[validate_phone])
    report_viewers = models.ManyToManyField(
        settings.AUTH_USER_MODEL, blank=True, related_name="ad_advertisers", verbose_name="レポートを閲覧できるアカウント",
        help_text="このアカウントでログインすると、この広告主の予約のレポートだけを閲覧できます（/ads/reports/）。")
    active = models.BooleanField("取引中", default=True, help_text="外すと、この広告主の広告はすべて配信されません。")
    note = models.TextField("メモ", blank=True)
    created_at = models.DateTimeField("登録日時", default=timezone.now)

    class Meta:
        verbose_name = verbose_name_plural = "広告主"
        ordering = ["name"]
        permissions = [("view_advertiser_contact", "広告主の担当者の連絡先を表示できる")]

    def __str__(self):
        return self.name


class InvoiceState(models.TextChoices):
    UNBILLED = "unbilled", "未請求"
    INVOICED = "invoiced", "請求済み"
    PAID = "paid", "入金済み"


class Booking(models.Model):
    advertiser = models.ForeignKey(Advertiser, on_delete=models.PROTECT, related_name="bookings", verbose_name="広告主")
    name = models.CharField("件名", max_length=100)
    placement = models.CharField("掲載枠", max_length=20, choices=PLACEMENT_CHOICES)
    starts_on = models.DateField("掲載開始日")
    ends_on = models.DateField("掲載終了日", help_text="この日の終わりまで掲載します。")
    districts = models.ManyToManyField("pages.DistrictPage", blank=True, related_name="+", verbose_name="地域",
                                       help_text="選んだ地域のページだけに表示します（空欄: 地域を問わない）。")
    themes = models.ManyToManyField("pages.ThemePage", blank=True, related_name="+", verbose_name="テーマ",
                                    help_text="選んだテーマのページだけに表示します（空欄: テーマを問わない）。")
    language = models.CharField("言語", max_length=10, blank=True, choices=settings.LANGUAGES,
                                help_text="この言語のページだけに表示します（空欄: すべての言語）。")
    weight = models.PositiveSmallIntegerField("表示の重み", default=10,
                                              validators=[MinValueValidator(1), MaxValueValidator(100)],
                                              help_text="1〜100。同じ枠の広告は重みに比例して交互に表示します。")
    impression_goal = models.PositiveIntegerField(
        "目標表示回数", null=True, blank=True,
        help_text="設定すると期間中に均等に配信し、達したら配信を終えます（空欄: 目標なし）。")
    price = models.PositiveIntegerField("料金（円・税込）", default=0)
    invoice_state = models.CharField("請求の状態", max_length=10, choices=InvoiceState.choices,
                                     default=InvoiceState.UNBILLED)
    active = models.BooleanField("掲載する", default=True, help_text="外すと期間中でも配信を止めます。")
    created_at = models.DateTimeField("登録日時", default=timezone.now)

    class Meta:
        verbose_name = verbose_name_plural = "広告の予約"
        ordering = ["-starts_on", "name"]

    def __str__(self):
        return f"{self.advertiser} / {self.name}"

    @property
    def placement_rule(self):
        return PLACEMENTS[self.placement]

    def clean(self):
        if self.starts_on and self.ends_on and self.ends_on < self.starts_on:
            raise ValidationError({"ends_on": "掲載終了日は掲載開始日以降の日付にしてください。"})

    def runs_on(self, day):
        return self.starts_on <= day <= self.ends_on


class ReviewStatus(models.TextChoices):
    PENDING = "pending", "審査待ち"
    APPROVED = "approved", "承認済み"
    REFUSED = "refused", "不承認"


def creative_upload_to(instance, filename):
    # Not under images/ or original_images/: /media/ never serves these files; only the ads views do,
    # and only while the creative may be shown (or to staff who review it).
    suffix = PurePosixPath(filename).suffix.lower()
    return f"ads/creatives/{uuid.uuid4().hex}{suffix}"


class Creative(models.Model):
    booking = models.ForeignKey(Booking, on_delete=models.CASCADE, related_name="creatives", verbose_name="予約")
    name = models.CharField("管理用の名前", max_length=100)
    image = models.FileField("画像", upload_to=creative_upload_to, max_length=200,
                             help_text="PNG・JPEG・WebP の静止画。枠ごとに決まった大きさと容量まで（アニメーション・SVG は不可）。")
    image_width = models.PositiveIntegerField("幅", default=0, editable=False)
    image_height = models.PositiveIntegerField("高さ", default=0, editable=False)
    image_format = models.CharField("形式", max_length=10, blank=True, editable=False)
    image_bytes = models.PositiveIntegerField("容量（バイト）", default=0, editable=False)
    alt = models.CharField("代替テキスト", max_length=120,
                           help_text="画像の内容を言葉で（読み上げで伝わる文）。必須です。")
    # A CharField with our own validator (not URLField), so the one clear message says what is allowed.
    destination_url = models.CharField("リンク先", max_length=500, validators=[validate_destination_url],
                                      help_text="http:// または https:// で始まる広告主のページ。")
    text = models.CharField("短い説明文", max_length=60, blank=True)
    review_status = models.CharField("審査", max_length=10, choices=ReviewStatus.choices, default=ReviewStatus.PENDING,
                                     db_index=True, editable=False)
    review_checklist = models.JSONField("審査のチェック項目", default=dict, blank=True, editable=False)
    review_reason = models.TextField("審査の理由", blank=True, editable=False)
    reviewed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+", verbose_name="審査した人", editable=False)
    reviewed_at = models.DateTimeField("審査日時", null=True, blank=True, editable=False)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+", verbose_name="登録した人", editable=False)
    created_at = models.DateTimeField("登録日時", default=timezone.now, editable=False)
    updated_at = models.DateTimeField("更新日時", auto_now=True)

    class Meta:
        verbose_name = verbose_name_plural = "広告画像"
        ordering = ["-created_at"]
        permissions = [("review_creative", "広告を審査できる")]

    def __str__(self):
        return f"{self.name}（{self.get_review_status_display()}）"

    @property
    def is_approved(self):
        return self.review_status == ReviewStatus.APPROVED


class AdCount(models.Model):
    """Impressions and clicks of one hour, per creative × placement × district (a page's district slug, or "")."""

    hour = models.DateTimeField("時間帯（開始）")
    day = models.DateField("日付（日本時間）", db_index=True)
    creative = models.ForeignKey(Creative, on_delete=models.PROTECT, related_name="counts", verbose_name="広告画像")
    booking = models.ForeignKey(Booking, on_delete=models.PROTECT, related_name="counts", verbose_name="予約")
    placement = models.CharField("掲載枠", max_length=20, choices=PLACEMENT_CHOICES)
    district = models.CharField("地域", max_length=80, blank=True)
    impressions = models.PositiveIntegerField("表示回数", default=0)
    clicks = models.PositiveIntegerField("クリック数", default=0)

    class Meta:
        verbose_name = verbose_name_plural = "広告の集計"
        constraints = [models.UniqueConstraint(fields=["hour", "creative", "placement", "district"],
                                               name="ads_count_one_row_per_bucket")]
        indexes = [models.Index(fields=["booking", "day"])]


class AdsSwitch(models.Model):
    """The stop-all switch: one row (pk 1), changed by ``services.stop_all`` / ``resume_all`` only."""

    stopped = models.BooleanField("すべての広告を停止中", default=False)
    message = models.TextField("停止中に枠へ表示するお知らせ", blank=True,
                               help_text="区からのお知らせなど（空欄: 枠には何も表示しません）。")
    changed_at = models.DateTimeField("変更日時", null=True, blank=True)
    changed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+", verbose_name="変更した人")

    class Meta:
        verbose_name = verbose_name_plural = "広告の一括停止"

    @classmethod
    def current(cls):
        return cls.objects.get_or_create(pk=1)[0]
