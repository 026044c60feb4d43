"""
Monitoring against the real parts: PostgreSQL, a real ``manage.py run_worker`` process with the
database task backend, and a real SMTP server (aiosmtpd).

- The worker running: /readyz 200 (the scheduler's heartbeat present too); it runs the monitoring
  job and its run is recorded (``JobRun``) by the worker itself. The worker killed: once its
  heartbeat is stale /readyz answers 503 naming "worker".
- A job that stops succeeding: one alert mail over SMTP, then one 「復旧しました」, nothing between.
- The database's size is PostgreSQL's own figure.
"""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import psycopg
import pytest
from django.db import connection
from django.utils import timezone

from portal import health, heartbeats
from reports import monitor_tasks, monitoring
from reports.models import JobRun

pytestmark = pytest.mark.django_db
ROOT = Path(__file__).resolve().parents[2]
STALE_SECONDS = 4
OPERATOR = "ops-r2@example.jp"


def _dsn():
    db = connection.settings_dict
    return f"postgres://{db['USER']}:{db['PASSWORD']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


def _env(tmp_path):
    return {**os.environ, "DJANGO_SETTINGS_MODULE": "tests.settings", "DATABASE_URL": _dsn(),
            "TASKS_BACKEND": "database", "HEARTBEAT_SECONDS": "1", "HEARTBEAT_STALE_SECONDS": str(STALE_SECONDS),
            "DATA_DIR": str(tmp_path), "PYTHONUNBUFFERED": "1", "LOG_FORMAT": "json"}


def _wait(condition, seconds, what):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.3)
    raise AssertionError(f"not within {seconds} s: {what}")


def _cleanup():
    with psycopg.connect(_dsn(), autocommit=True) as db:
        db.execute("DELETE FROM portal_heartbeat")
        db.execute("DELETE FROM reports_jobrun")
        db.execute("DELETE FROM reports_alert")
        db.execute("DELETE FROM django_tasks_database_dbtaskresult WHERE task_path LIKE 'reports.%%'")


def scheduler_beats():
    """The scheduler's heartbeat, committed as its own process would (no scheduler runs here)."""
    with psycopg.connect(_dsn(), autocommit=True) as db:
        db.execute("INSERT INTO portal_heartbeat (name, instance, beat_at) VALUES ('scheduler', 'r2-test', now()) "
                   "ON CONFLICT (name, instance) DO UPDATE SET beat_at = now()")
    return True


@pytest.fixture
def readyz_with_heartbeats(settings, monkeypatch):
    settings.TASKS_BACKEND = "database"
    settings.HEARTBEAT_STALE_SECONDS = STALE_SECONDS
    monkeypatch.setattr(health, "CHECKS", {**health.CHECKS, **health._heartbeat_checks()})


def test_a_stopped_worker_makes_readyz_503_naming_it(client, readyz_with_heartbeats, tmp_path, report_service):
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL")
    report_service(f"database: PostgreSQL {connection.pg_version // 10000} (worker process over it)")
    env = _env(tmp_path)
    log = open(tmp_path / "worker.log", "a")  # noqa: SIM115 - closed below
    worker = subprocess.Popen([sys.executable, "manage.py", "run_worker", "--interval", "0.2", "--no-startup-delay"],
                              cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        _wait(lambda: scheduler_beats() and client.get("/readyz").status_code == 200, 90, "ready with the worker up")
        subprocess.run([sys.executable, "manage.py", "run_scheduler", "--run-now", "reports_monitor"], cwd=ROOT,
                       env=env, check=True, capture_output=True, timeout=120)
        _wait(lambda: JobRun.objects.filter(job="reports_monitor").exists(), 90, "the worker runs the monitoring job")
        run = JobRun.objects.get(job="reports_monitor")
        assert run.outcome == JobRun.Outcome.SUCCEEDED and "problems" in run.summary

        os.killpg(worker.pid, signal.SIGKILL)  # gone without a word
        worker.wait(10)
        _wait(lambda: scheduler_beats() and client.get("/readyz").status_code == 503, STALE_SECONDS + 10,
              "503 once the beat is stale")
        scheduler_beats()
        body = client.get("/readyz").json()
        assert body["failing"] == ["worker"]
        assert body["checks"]["scheduler"] == "ok"
        with pytest.raises(heartbeats.Stale, match="worker"):
            heartbeats.check("worker")
    finally:
        if worker.poll() is None:
            os.killpg(worker.pid, signal.SIGKILL)
            worker.wait(10)
        log.close()
        _cleanup()


def test_an_alert_and_its_all_clear_go_out_over_smtp_once_each(settings, smtp_server):
    settings.MONITORING_ALERT_EMAILS = [OPERATOR]
    settings.MONITORING_DB_MAX_MB = 0
    settings.SCHEDULED_TASKS = {"send_due_mail": settings.SCHEDULED_TASKS["send_due_mail"]}
    now = timezone.now()
    for minute in range(3):  # failing, minute after minute
        JobRun.objects.create(job="send_due_mail", task_path="members.outbox.send_due_mail", outcome="failed",
                              error="smtplib.SMTPServerDisconnected: Connection unexpectedly closed",
                              started_at=now, finished_at=now + timezone.timedelta(minutes=minute))
        monitor_tasks.check_now(now + timezone.timedelta(minutes=minute, seconds=30))
    for minute in range(3, 6):
        JobRun.objects.create(job="send_due_mail", task_path="members.outbox.send_due_mail", outcome="succeeded",
                              started_at=now, finished_at=now + timezone.timedelta(minutes=minute))
        monitor_tasks.check_now(now + timezone.timedelta(minutes=minute, seconds=30))
    to_operator = [message for message in smtp_server.messages if message["To"] == OPERATOR]
    subjects = [str(message["Subject"]) for message in to_operator]
    assert len(to_operator) == 2, subjects
    bodies = [message.get_payload(decode=True).decode() for message in to_operator]
    assert "send_due_mail" in bodies[0] and "SMTPServerDisconnected" in bodies[0]
    assert "復旧しました" in bodies[1] or "復旧しました" in _decoded(subjects[1])


def _decoded(header):
    from email.header import decode_header, make_header

    return str(make_header(decode_header(header)))


def test_the_database_size_is_postgresqls_own():
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL")
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_database_size(current_database())")
        expected = cursor.fetchone()[0]
    assert monitoring.database_size() == expected > 0
