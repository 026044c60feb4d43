"""
Monitoring: job runs recorded from the tasks' own signals; the checks and their alerts — exactly one
mail when a problem opens and one 「復旧しました」 when it clears, nothing in between.
"""

from datetime import timedelta
from types import SimpleNamespace

import pytest
from django.core import mail
from django.utils import timezone
from django_tasks import task

from reports import alerts, monitor_tasks, monitoring
from reports.models import Alert, JobRun

pytestmark = pytest.mark.django_db

OPERATOR = "ops@example.jp"
_flaky = {"fail": False}


@task()
def flaky_job():
    """A scheduled job that succeeds, returns its counts, until told to fail."""
    if _flaky["fail"]:
        raise RuntimeError("SMTP サーバーに接続できません")
    return {"sent": 3, "skipped": 1}


@pytest.fixture
def monitored(settings):
    settings.MONITORING_ALERT_EMAILS = [OPERATOR]
    settings.SCHEDULED_TASKS = {"flaky": {"task": f"{__name__}.flaky_job", "cron": "* * * * *"},
                                "reports_monitor": {"task": "reports.monitor_tasks.run_checks", "cron": "* * * * *"}}
    settings.MONITORING_DB_MAX_MB = 0
    _flaky["fail"] = False
    yield settings
    _flaky["fail"] = False


def alert_mails():
    return [message for message in mail.outbox if OPERATOR in message.to]


def test_a_scheduled_job_run_is_recorded_with_its_counts(monitored):
    flaky_job.enqueue()
    run = JobRun.objects.get(job="flaky")
    assert run.outcome == JobRun.Outcome.SUCCEEDED
    assert run.summary == {"sent": 3, "skipped": 1}
    assert run.started_at <= run.finished_at


def test_a_task_outside_the_schedule_is_not_recorded(monitored):
    monitored.SCHEDULED_TASKS = {}
    flaky_job.enqueue()
    assert not JobRun.objects.exists()


def test_a_job_that_stops_succeeding_raises_one_alert_and_one_all_clear(monitored):
    flaky_job.enqueue()
    monitor_tasks.check_now()
    assert alert_mails() == []

    _flaky["fail"] = True
    for _minute in range(3):  # fails again and again: still one mail
        flaky_job.enqueue()
        monitor_tasks.check_now()
    opened = alert_mails()
    assert len(opened) == 1
    assert "flaky" in opened[0].subject and "監視アラート" in opened[0].subject
    assert "RuntimeError" in opened[0].body
    assert Alert.objects.get(key="job_failed:flaky").state == Alert.State.OPEN

    _flaky["fail"] = False
    for _minute in range(3):
        flaky_job.enqueue()
        monitor_tasks.check_now()
    mails = alert_mails()
    assert len(mails) == 2
    assert "復旧しました" in mails[1].subject
    assert Alert.objects.get(key="job_failed:flaky").state == Alert.State.CLEARED


def test_a_failed_run_records_the_error(monitored):
    _flaky["fail"] = True
    flaky_job.enqueue()
    run = JobRun.objects.get(job="flaky")
    assert run.outcome == JobRun.Outcome.FAILED
    assert run.error.startswith("builtins.RuntimeError")


def test_a_silent_job_is_alerted_after_its_interval_and_the_grace(monitored):
    monitored.MONITORING_JOB_GRACE_MINUTES = 10
    now = timezone.now()
    JobRun.objects.create(job="flaky", task_path="x", outcome="succeeded",
                          started_at=now - timedelta(minutes=9), finished_at=now - timedelta(minutes=9))
    assert [p.key for p in monitoring.check_jobs(now) if p.kind == "job_silent"] == []
    later = now + timedelta(minutes=5)
    assert "job_silent:flaky" in [p.key for p in monitoring.check_jobs(later)]


def test_an_old_queued_task_is_alerted(monitored, monkeypatch):
    monitored.MONITORING_QUEUE_MAX_MINUTES = 15
    monkeypatch.setattr(monitoring, "queue_state", lambda now: (4, 20 * 60))
    problems = monitoring.check_queue(timezone.now())
    assert [p.key for p in problems] == ["queue_old"]
    assert "20 分" in problems[0].message
    monkeypatch.setattr(monitoring, "queue_state", lambda now: (4, 60))
    assert monitoring.check_queue(timezone.now()) == []


def test_the_queue_state_reads_the_database_backend_queue(monitored):
    from django_tasks_db.models import DBTaskResult

    job = DBTaskResult.objects.create(task_path=f"{__name__}.flaky_job", args_kwargs={"args": [], "kwargs": {}},
                                      queue_name="default", backend_name="default", priority=0)
    DBTaskResult.objects.filter(pk=job.pk).update(enqueued_at=timezone.now() - timedelta(minutes=30))
    depth, oldest = monitoring.queue_state(timezone.now())
    assert depth == 1 and oldest >= 30 * 60 - 1


def test_a_feed_failing_for_hours_opens_only_after_the_hold(monitored):
    from wardinfo.models import FeedSource

    monitored.MONITORING_FEED_FAILING_HOURS = 3
    source = FeedSource.objects.create(name="新宿区 お知らせ（テスト）", url="https://feeds.example.jp/r2.xml",
                                       last_error="接続できません: ConnectError", last_error_at=timezone.now())
    start = timezone.now()
    problems = monitoring.check_feeds(start)
    assert [p.key for p in problems] == [f"feed:{source.pk}"]
    alerts.sync(problems, {"feed"}, start)
    assert alert_mails() == []  # an hour's failure is not yet an alert
    alerts.sync(monitoring.check_feeds(start), {"feed"}, start + timedelta(hours=1))
    assert alert_mails() == []
    alerts.sync(monitoring.check_feeds(start), {"feed"}, start + timedelta(hours=3, minutes=1))
    assert len(alert_mails()) == 1 and "新宿区 お知らせ（テスト）" in alert_mails()[0].subject
    FeedSource.objects.filter(pk=source.pk).update(last_error="", last_error_at=None)
    alerts.sync(monitoring.check_feeds(start), {"feed"}, start + timedelta(hours=4))
    assert len(alert_mails()) == 2


def test_a_pending_problem_that_goes_away_sends_nothing(monitored):
    problem = monitoring.Problem("search", "search", "検索エンジンが応答しません", hold=timedelta(minutes=3))
    now = timezone.now()
    alerts.sync([problem], {"search"}, now)
    alerts.sync([], {"search"}, now + timedelta(minutes=1))
    assert alert_mails() == [] and not Alert.objects.exists()


def test_disk_below_the_threshold_is_alerted(monitored, monkeypatch):
    monitored.MONITORING_DISK_FREE_PERCENT = 10
    monkeypatch.setattr(monitoring, "disk_free", lambda: {"media": (5, 100)})
    assert [p.key for p in monitoring.check_disk(timezone.now())] == ["disk:media"]
    monkeypatch.setattr(monitoring, "disk_free", lambda: {"media": (50, 100)})
    assert monitoring.check_disk(timezone.now()) == []


def test_disk_free_reads_the_real_folders(monitored, tmp_path):
    monitored.MEDIA_ROOT = str(tmp_path / "not-yet-created")
    free, total = monitoring.disk_free()["media"]
    assert 0 < free <= total


def test_database_size_past_the_threshold_is_alerted(monitored, monkeypatch):
    monitored.MONITORING_DB_MAX_MB = 1
    assert monitoring.database_size() > 0
    monkeypatch.setattr(monitoring, "database_size", lambda: 3 * 1024 * 1024)
    assert [p.key for p in monitoring.check_database_size(timezone.now())] == ["database_size"]


def test_mail_failing_is_alerted(monitored):
    from members.models import OutboxMail

    OutboxMail.objects.create(template="x", recipient="someone@example.jp", status=OutboxMail.Status.FAILED)
    assert [p.key for p in monitoring.check_mail(timezone.now())] == ["mail"]


def test_a_check_that_breaks_leaves_its_alerts_as_they_are(monitored, monkeypatch):
    Alert.objects.create(key="disk:media", kind="disk", message="ディスク", state=Alert.State.OPEN,
                         opened_at=timezone.now())

    def broken(now):
        raise OSError("disk unreadable")

    monkeypatch.setitem(monitoring.CHECKS, "disk", broken)
    found, checked = monitoring.problems(timezone.now())
    alerts.sync(found, checked)
    assert Alert.objects.get(key="disk:media").state == Alert.State.OPEN


def test_a_monitoring_gap_is_recorded_as_downtime(monitored):
    from reports.selectors import uptime

    now = timezone.now()
    JobRun.objects.create(job="reports_monitor", task_path="x", outcome="succeeded",
                          started_at=now - timedelta(minutes=30), finished_at=now - timedelta(minutes=30))
    monitor_tasks.check_now(now)
    gap = Alert.objects.get(kind="gap")
    assert gap.downtime and gap.state == Alert.State.CLEARED
    result = uptime(now - timedelta(days=1), now + timedelta(minutes=1))
    assert result["minutes_down"] == 30 and len(result["incidents"]) == 1
    assert result["percent"] < 100


def test_the_operator_is_the_active_superusers_when_no_address_is_set(monitored, django_user_model):
    monitored.MONITORING_ALERT_EMAILS = []
    django_user_model.objects.create_superuser(email="root-r2@example.jp", password="x" * 20, nickname="r2root",
                                               email_verified_at=timezone.now())
    assert "root-r2@example.jp" in alerts.operator_addresses()


def test_summarise_keeps_counts_small():
    assert monitoring.summarise(7) == {"count": 7}
    assert monitoring.summarise([1, 2]) == {"count_1": 1, "count_2": 2}
    assert monitoring.summarise(["a"] * 10) == {"items": 10}
    assert monitoring.summarise(None) == {}
    assert monitoring.summarise({"n": 1, "nested": {"a": 1}}) == {"n": 1}


def test_record_run_ignores_a_database_error(monitored, monkeypatch):
    from django.db import DatabaseError

    def broken(**kwargs):
        raise DatabaseError("gone")

    monkeypatch.setattr(JobRun.objects, "create", broken)
    result = SimpleNamespace(task=SimpleNamespace(module_path=f"{__name__}.flaky_job"), status="SUCCESSFUL",
                             _return_value=1, errors=[], started_at=None, finished_at=None)
    assert monitoring.record_run(task_result=result) is None


def test_the_demo_fills_the_page_once(monitored):
    from reports.monitor_demo import build_monitor_demo

    monitored.SCHEDULED_TASKS = {"send_due_mail": {"task": "members.outbox.send_due_mail", "cron": "* * * * *"}}
    assert build_monitor_demo() > 0
    assert JobRun.objects.filter(job="send_due_mail", outcome="succeeded").count() == 3
    assert Alert.objects.filter(state=Alert.State.CLEARED).count() == 1
    assert build_monitor_demo() == 0
