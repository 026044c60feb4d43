"""
The project's own bookkeeping of its long-running processes (``portal.heartbeats``, the
scheduler): nothing of a member's is stored here.
"""

from django.db import models


class Heartbeat(models.Model):
    """The last sign of life of one process: a worker (by its worker id) or the scheduler."""

    name = models.CharField("種類", max_length=32)
    instance = models.CharField("プロセス", max_length=64, blank=True)
    beat_at = models.DateTimeField("最終応答", db_index=True)

    class Meta:
        verbose_name = "稼働確認"
        verbose_name_plural = "稼働確認"
        constraints = [models.UniqueConstraint(fields=["name", "instance"], name="portal_heartbeat_once")]

    def __str__(self):
        return f"{self.name} {self.instance}".strip()


class ScheduledRun(models.Model):
    """
    One periodic job enqueued for one scheduled minute. The unique pair is what keeps a second
    scheduler (say, during a rolling restart) from enqueuing the same job again.
    """

    job = models.CharField("ジョブ", max_length=100)
    scheduled_for = models.DateTimeField("予定時刻")
    enqueued_at = models.DateTimeField("登録日時", auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = "定期実行の記録"
        verbose_name_plural = "定期実行の記録"
        constraints = [models.UniqueConstraint(fields=["job", "scheduled_for"], name="portal_scheduled_run_once")]
