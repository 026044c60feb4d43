"""
Usage counting and the monthly report (利用状況報告).

Only totals are stored: page views per page per day by language, referrer domain and device class
(``PageViewDay``), and the estimated unique visitors of a day (``VisitorDay``). No address, no
browser string, no visitor hash is ever written here (``reports.counting``).
"""

from django.db import models
from django.utils import timezone

from members.crypto import EncryptedCharField, EncryptedEmailField

__all__ = ["PageViewDay", "UsageReport", "VisitorDay", "WardContact"]


class PageViewDay(models.Model):
    """The views of one page on one day, for one language, referrer domain and device class."""

    class Device(models.TextChoices):
        MOBILE = "mobile", "スマートフォン"
        TABLET = "tablet", "タブレット"
        DESKTOP = "desktop", "パソコン"

    day = models.DateField("日付", db_index=True)
    path = models.CharField("パス", max_length=500)
    page_id = models.PositiveIntegerField("ページID", default=0, help_text="0: Wagtail のページではない")
    language = models.CharField("言語", max_length=10, blank=True)
    referrer_domain = models.CharField("参照元ドメイン", max_length=253, blank=True)
    device = models.CharField("端末", max_length=10, choices=Device.choices)
    views = models.PositiveIntegerField("閲覧数", default=0)

    class Meta:
        verbose_name = "日別閲覧数"
        verbose_name_plural = "日別閲覧数"
        constraints = [models.UniqueConstraint(
            fields=["day", "path", "page_id", "language", "referrer_domain", "device"], name="reports_pageview_one_row")]

    def __str__(self):
        return f"{self.day} {self.path} {self.views}"


class VisitorDay(models.Model):
    """A day's estimated unique visitors (keyed hashes de-duplicated in memory; only the total is kept)."""

    day = models.DateField("日付", unique=True)
    visitors = models.PositiveIntegerField("訪問者数（推定）", default=0)

    class Meta:
        verbose_name = "日別訪問者数"
        verbose_name_plural = "日別訪問者数"

    def __str__(self):
        return f"{self.day} {self.visitors}"


class WardContact(models.Model):
    """A person at the ward who receives the monthly report (the address is personal data: encrypted)."""

    name = EncryptedCharField("氏名", max_length=100)
    email = EncryptedEmailField("メールアドレス", max_length=254)
    active = models.BooleanField("送付する", default=True)
    created_at = models.DateTimeField("登録日時", default=timezone.now)

    class Meta:
        verbose_name = "区の報告先"
        verbose_name_plural = "区の報告先"
        ordering = ["created_at", "pk"]

    def __str__(self):
        return self.name


class UsageReport(models.Model):
    """One month's report, archived in the database (never served publicly: the admin's download audits it)."""

    month = models.DateField("対象月", unique=True, help_text="月の初日")
    created_at = models.DateTimeField("作成日時", default=timezone.now)
    pdf = models.BinaryField("PDF")
    csv = models.BinaryField("CSV")
    xlsx = models.BinaryField("Excel")
    mailed_to = models.PositiveSmallIntegerField("送付先の数", default=0)

    class Meta:
        verbose_name = "利用状況報告"
        verbose_name_plural = "利用状況報告"
        ordering = ["-month"]
        permissions = [("download_usagereport", "利用状況報告をダウンロードできる")]

    def __str__(self):
        return self.month.strftime("%Y-%m")
