"""
Demo data for the 運用状況 page (called by the demo builder): a few runs of the scheduled jobs, a
failed one, and one alert that opened and cleared, so that ``make run`` (which has no scheduler)
shows the page filled in. Generated, never real.
"""

from datetime import timedelta

from django.conf import settings
from django.utils import timezone

from .models import Alert, JobRun

DEMO_JOBS = ("publish_scheduled_pages", "send_due_mail", "import_ward_feeds", "reports_monitor")


def build_monitor_demo(now=None):
    """Adds the demo rows once (nothing when job runs already exist). Returns the number of rows added."""
    if JobRun.objects.exists():
        return 0
    now = now or timezone.now()
    runs = []
    for name in DEMO_JOBS:
        if name not in settings.SCHEDULED_TASKS:
            continue
        for minutes_ago in (15, 10, 5):
            finished = now - timedelta(minutes=minutes_ago)
            runs.append(JobRun(job=name, task_path=settings.SCHEDULED_TASKS[name]["task"],
                               started_at=finished - timedelta(seconds=2), finished_at=finished,
                               outcome=JobRun.Outcome.SUCCEEDED, summary={"count": minutes_ago // 5}))
    failed_at = now - timedelta(hours=3)
    runs.append(JobRun(job="import_ward_feeds", task_path="wardinfo.tasks.import_due_ward_feeds",
                       started_at=failed_at, finished_at=failed_at + timedelta(seconds=5),
                       outcome=JobRun.Outcome.FAILED, error="wardinfo.importer.FeedError: 接続できません: ConnectTimeout"))
    JobRun.objects.bulk_create(runs)
    Alert.objects.create(key="job_failed:import_ward_feeds", kind="job_failed", state=Alert.State.CLEARED,
                         message="ジョブ import_ward_feeds が失敗しました: 接続できません（デモ）",
                         first_seen_at=failed_at, last_seen_at=failed_at + timedelta(minutes=5),
                         opened_at=failed_at, cleared_at=failed_at + timedelta(minutes=6))
    return len(runs) + 1
