"""
Monitoring (運用監視): what the scheduled jobs did, and the checks that find what is wrong.

- **Job runs.** Every run of a job listed in ``SCHEDULED_TASKS`` is recorded as a ``JobRun`` when it
  ends (start, end, outcome, the task's return value summarised, the error), from django-tasks'
  ``task_finished`` signal: in the worker with the database backend, in the scheduler (or the
  request) with the immediate one. Connected in ``ReportsConfig.ready``; pruned after
  ``JOB_RUNS_KEEP_DAYS`` days.
- **Checks** (``problems(now)``): each returns the problems it sees as ``Problem`` values; the
  every-minute job ``reports.monitor_tasks.run_checks`` hands them to ``reports.alerts.sync``, which
  opens and clears ``Alert`` rows and sends one mail for each.

A job's interval comes from its cron entry: a job is silent when the next time its cron named after
its last run has passed by more than ``MONITORING_JOB_GRACE_MINUTES``. The heartbeats of the
worker and the scheduler are read through the app registry (``portal`` sits above ``reports``):
if either is gone this job cannot run at all, so they belong to ``/readyz`` and to ``/metrics``
(``portal_heartbeat_age_seconds``), read by something outside the portal.
"""

import logging
import os
import shutil
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

from apscheduler.triggers.cron import CronTrigger
from django.apps import apps
from django.conf import settings
from django.db import DatabaseError, connection, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _
from django_tasks import TaskResultStatus

from .models import JobRun

logger = logging.getLogger(__name__)

SUMMARY_KEYS = 12  # at most this many entries of a returned dict are kept


@dataclass
class Problem:
    key: str
    kind: str
    message: str
    hold: timedelta = field(default_factory=timedelta)  # how long it must last before the alert opens
    downtime: bool = False


# --- job runs ---------------------------------------------------------------------------------

def job_names():
    """{task path: job name} of ``SCHEDULED_TASKS``."""
    return {entry["task"]: name for name, entry in settings.SCHEDULED_TASKS.items()}


def summarise(value):
    """A task's return value as a small dict of counts: {"count": n}, {"items": n} or the dict's scalars."""
    if value is None:
        return {}
    if isinstance(value, bool):
        return {"result": value}
    if isinstance(value, int | float):
        return {"count": value}
    if isinstance(value, list | tuple):
        if all(isinstance(item, int | float) and not isinstance(item, bool) for item in value) and len(value) <= 4:
            return {f"count_{number}": item for number, item in enumerate(value, 1)}
        return {"items": len(value)}
    if isinstance(value, dict):
        scalars = {str(k): v for k, v in value.items() if isinstance(v, int | float | bool | str)}
        return {k: (v[:80] if isinstance(v, str) else v) for k, v in list(scalars.items())[:SUMMARY_KEYS]}
    return {"result": str(value)[:80]}


def _error_of(task_result):
    if not task_result.errors:
        return ""
    error = task_result.errors[-1]
    last_line = (error.traceback or "").strip().splitlines()[-1:] or [""]
    return f"{error.exception_class_path}: {last_line[0]}"[:500]


def record_run(sender=None, task_result=None, **kwargs):
    """``task_finished`` receiver: a ``JobRun`` for a scheduled job's run; other tasks are ignored."""
    job = job_names().get(task_result.task.module_path)
    if job is None:
        return None
    failed = task_result.status == TaskResultStatus.FAILED
    summary = {} if failed else summarise(task_result._return_value)
    try:
        with transaction.atomic():
            return JobRun.objects.create(
                job=job, task_path=task_result.task.module_path, started_at=task_result.started_at,
                finished_at=task_result.finished_at or timezone.now(), summary=summary, error=_error_of(task_result),
                outcome=JobRun.Outcome.FAILED if failed else JobRun.Outcome.SUCCEEDED)
    except DatabaseError as exc:  # the run itself must not fail because its record could not be written
        logger.warning("monitoring: the run of %s could not be recorded: %s", job, exc)
        return None


def connect_signals():
    from django_tasks.signals import task_finished

    task_finished.connect(record_run, dispatch_uid="reports.monitoring.record_run")


def last_runs():
    """{job: its last JobRun} for the jobs of SCHEDULED_TASKS that ran."""
    latest = JobRun.objects.values("job").annotate(last=Max("finished_at"))
    wanted = {row["job"]: row["last"] for row in latest if row["job"] in settings.SCHEDULED_TASKS}
    runs = JobRun.objects.filter(job__in=wanted, finished_at__in=set(wanted.values()))
    return {run.job: run for run in runs if run.finished_at == wanted[run.job]}


def next_due(cron, after):
    """The first time ``cron`` names after ``after``."""
    trigger = CronTrigger.from_crontab(cron, timezone=settings.TIME_ZONE)
    return trigger.get_next_fire_time(None, after + timedelta(seconds=1))


# --- checks -----------------------------------------------------------------------------------

def check_jobs(now):
    """A job whose last run failed; a job silent past its next cron time plus the grace period."""
    grace = timedelta(minutes=settings.MONITORING_JOB_GRACE_MINUTES)
    runs = last_runs()
    recording_since = JobRun.objects.order_by("finished_at").values_list("finished_at", flat=True).first()
    problems = []
    for name, entry in settings.SCHEDULED_TASKS.items():
        run = runs.get(name)
        if run is not None and run.outcome == JobRun.Outcome.FAILED:
            problems.append(Problem(f"job_failed:{name}", "job_failed", _("ジョブ %(job)s が失敗しました: %(error)s") % {"job": name, "error": run.error}))
        since = (run.started_at or run.finished_at) if run is not None else recording_since
        if since is None:
            continue
        due = next_due(entry["cron"], since)
        if due is not None and now > due + grace:
            problems.append(Problem(f"job_silent:{name}", "job_silent",
                                    _("ジョブ %(job)s が %(due)s の予定から実行されていません") % {
                                        "job": name, "due": f"{timezone.localtime(due):%m/%d %H:%M}"}))
    return problems


def queue_state(now):
    """(tasks waiting to run, seconds the oldest has waited) with the database backend; (0, 0) otherwise."""
    from django_tasks_db.models import DBTaskResult

    waiting = DBTaskResult.objects.ready()
    oldest = waiting.order_by("enqueued_at").values_list("enqueued_at", flat=True).first()
    return waiting.count(), (now - oldest).total_seconds() if oldest else 0


def check_queue(now):
    depth, oldest = queue_state(now)
    limit = settings.MONITORING_QUEUE_MAX_MINUTES * 60
    if depth and oldest > limit:
        return [Problem("queue_old", "queue", _("実行待ちのジョブが %(minutes)s 分待っています（%(depth)s 件待ち）") % {
            "minutes": int(oldest // 60), "depth": depth})]
    return []


def check_feeds(now):
    from wardinfo.models import FeedSource

    hold = timedelta(hours=settings.MONITORING_FEED_FAILING_HOURS)
    return [Problem(f"feed:{source.pk}", "feed", _("区のフィード「%(name)s」の取り込みに失敗し続けています: %(error)s") % {
                        "name": source.name, "error": source.last_error[:200]}, hold=hold)
            for source in FeedSource.objects.filter(active=True).exclude(last_error="")]


def mail_state(now):
    """(mails failed in the last day, mails still retrying after an hour)."""
    from members import outbox
    from members.models import OutboxMail

    failed = OutboxMail.objects.filter(status=OutboxMail.Status.FAILED, created_at__gte=now - timedelta(days=1)).count()
    return failed, outbox.counts()["pending_over_an_hour"]


def check_mail(now):
    failed, retrying = mail_state(now)
    if failed or retrying:
        return [Problem("mail", "mail", _("メールが送れていません（送信失敗 %(failed)s 件、1時間以上再送中 %(retrying)s 件）") % {
            "failed": failed, "retrying": retrying})]
    return []


def search_state():
    """"database" (no engine), "ok", or "down" (the engine does not answer, or the breaker is open)."""
    from search.breaker import BREAKER
    from search.engine import get_engine

    engine = get_engine()
    if engine is None:
        return "database"
    return "ok" if engine.ping() and not BREAKER.is_open() else "down"


def check_search(now):
    if search_state() == "down":
        return [Problem("search", "search", _("検索エンジンが応答しません（検索はデータベースで代替中）"),
                        hold=timedelta(minutes=settings.MONITORING_SEARCH_DOWN_MINUTES))]
    return []


def storage_paths():
    """{name: folder} whose free space is watched: the media folder, and the database's on SQLite."""
    paths = {"media": Path(settings.MEDIA_ROOT)}
    if connection.vendor == "sqlite":
        paths["database"] = Path(settings.DATABASES["default"]["NAME"]).parent
    return paths


def disk_free():
    """{name: (free bytes, total bytes)} of each watched folder (its nearest existing parent)."""
    usage = {}
    for name, path in storage_paths().items():
        while not path.exists() and path != path.parent:
            path = path.parent
        total, _used, free = shutil.disk_usage(path)
        usage[name] = (free, total)
    return usage


def check_disk(now):
    limit = settings.MONITORING_DISK_FREE_PERCENT
    return [Problem(f"disk:{name}", "disk", _("ディスクの空きが %(percent).1f%% です（%(name)s、下限 %(limit)s%%）") % {
                "percent": 100 * free / total, "name": name, "limit": limit})
            for name, (free, total) in disk_free().items() if total and 100 * free / total < limit]


def database_size():
    """The database's size in bytes (PostgreSQL: pg_database_size; SQLite: its pages and the WAL file)."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_database_size(current_database())")
            return cursor.fetchone()[0]
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            pages = cursor.execute("PRAGMA page_count").fetchone()[0]
            page_size = cursor.execute("PRAGMA page_size").fetchone()[0]
        name = str(settings.DATABASES["default"]["NAME"])
        wal = os.path.getsize(name + "-wal") if os.path.exists(name + "-wal") else 0
        return pages * page_size + wal
    return None


def check_database_size(now):
    size, limit = database_size(), settings.MONITORING_DB_MAX_MB
    if size is not None and limit and size > limit * 1024 * 1024:
        return [Problem("database_size", "database_size",
                        _("データベースが %(size)s MB になりました（上限 %(limit)s MB）") % {
                            "size": round(size / 1024 / 1024), "limit": limit})]
    return []


CHECKS = {"jobs": check_jobs, "queue": check_queue, "feed": check_feeds, "mail": check_mail,
          "search": check_search, "disk": check_disk, "database_size": check_database_size}
KINDS = {"jobs": ("job_failed", "job_silent")}  # the alert kinds a check answers for (default: its name)


def problems(now):
    """(problems, kinds checked): a check that failed itself is left out, so its alerts stay as they are."""
    found, checked = [], set()
    for name, check in CHECKS.items():
        try:
            found += check(now)
        except Exception:  # noqa: BLE001 - one broken check must not stop the others
            logger.exception("monitoring: the %s check failed", name)
            continue
        checked.update(KINDS.get(name, (name,)))
    return found, checked


def heartbeats():
    """[(name, instance, last beat)] of the worker and scheduler processes (portal.Heartbeat)."""
    Heartbeat = apps.get_model("portal", "Heartbeat")
    return list(Heartbeat.objects.order_by("name", "instance").values_list("name", "instance", "beat_at"))
