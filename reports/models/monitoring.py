"""
Monitoring (運用監視): the runs of the scheduled jobs, the alerts the every-minute checks raise and
clear, the daily count of server errors, and the daily check a staff member records.

Nothing of a member's is stored here but who recorded a daily check.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone


class JobRun(models.Model):
    """One run of a scheduled job (``SCHEDULED_TASKS``), recorded when the run ends."""

    class Outcome(models.TextChoices):
        SUCCEEDED = "succeeded", "成功"
        FAILED = "failed", "失敗"

    job = models.CharField("ジョブ", max_length=100)
    task_path = models.CharField("タスク", max_length=200)
    started_at = models.DateTimeField("開始", null=True, blank=True)
    finished_at = models.DateTimeField("終了", default=timezone.now)
    outcome = models.CharField("結果", max_length=10, choices=Outcome.choices)
    summary = models.JSONField("件数など", default=dict, blank=True)
    error = models.CharField("エラー", max_length=500, blank=True)

    class Meta:
        verbose_name = "ジョブの実行"
        verbose_name_plural = "ジョブの実行"
        ordering = ["-finished_at", "-pk"]
        indexes = [models.Index(fields=["job", "-finished_at"], name="reports_jobrun_last")]

    def __str__(self):
        return f"{self.job} {self.outcome} {self.finished_at:%Y-%m-%d %H:%M}"

    @property
    def seconds(self):
        if self.started_at is None:
            return None
        return round((self.finished_at - self.started_at).total_seconds(), 1)


class Alert(models.Model):
    """
    One problem, by its key ("job_failed:send_due_mail", "disk:media", ...): seen (pending, while it
    has not lasted long enough), open (one mail sent) and cleared (one mail sent). A problem that
    comes back later opens a new row.
    """

    class State(models.TextChoices):
        PENDING = "pending", "様子見"
        OPEN = "open", "発生中"
        CLEARED = "cleared", "復旧"

    key = models.CharField("問題", max_length=200)
    kind = models.CharField("種類", max_length=40)
    message = models.CharField("内容", max_length=500)
    state = models.CharField("状態", max_length=10, choices=State.choices, default=State.PENDING)
    first_seen_at = models.DateTimeField("最初の検知", default=timezone.now)
    last_seen_at = models.DateTimeField("最後の検知", default=timezone.now)
    opened_at = models.DateTimeField("通知", null=True, blank=True)
    cleared_at = models.DateTimeField("復旧", null=True, blank=True, db_index=True)
    downtime = models.BooleanField("停止として数える", default=False)

    class Meta:
        verbose_name = "アラート"
        verbose_name_plural = "アラート"
        ordering = ["-first_seen_at", "-pk"]
        constraints = [models.UniqueConstraint(fields=["key"], condition=~Q(state="cleared"),
                                               name="reports_alert_one_live_per_key")]
        permissions = [("view_monitoring", "運用状況を見る")]

    def __str__(self):
        return f"{self.key} ({self.state})"


class ErrorCount(models.Model):
    """
    Server errors (HTTP 5xx) answered per day. Written by ``reports.metrics.MetricsMiddleware`` only
    when it answers a 5xx (nothing on the ordinary request path); kept with the alerts.
    """

    day = models.DateField("日付", unique=True)
    errors = models.PositiveIntegerField("5xx の件数", default=0)

    class Meta:
        verbose_name = "日別のサーバーエラー数"
        verbose_name_plural = "日別のサーバーエラー数"

    def __str__(self):
        return f"{self.day} {self.errors}"


class DailyCheck(models.Model):
    """The daily check (日常監視) of one day: who confirmed they looked at the server's state, and when."""

    day = models.DateField("日付", unique=True)
    checked_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True,
                                   related_name="+", verbose_name="確認者")
    checked_at = models.DateTimeField("確認日時", default=timezone.now)

    class Meta:
        verbose_name = "日常確認"
        verbose_name_plural = "日常確認"
        ordering = ["-day"]

    def __str__(self):
        return f"{self.day}"
