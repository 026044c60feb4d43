"""
The worker in trouble, as deployed: real ``manage.py run_worker`` processes on PostgreSQL with the
database task backend. A worker killed mid-job: the next worker runs the job again. The worker's
connections terminated by PostgreSQL: it reconnects and runs the next job. A worker gone:
/readyz answers 503 naming "worker" (and 200 with both up). Two schedulers: each job enqueued once per minute.

The processes share a database of their own (``<DATABASE_URL's name>_faults``, migrated once),
not the test run's, which is inside a transaction they could not see.
"""

import base64
import os
import secrets
import signal
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

import psycopg
import pytest
from django.conf import settings
from django.db import connection
from django.utils import timezone

from portal.management.commands import run_scheduler
from portal.models import ScheduledRun

ROOT = Path(__file__).resolve().parents[2]
STALE_SECONDS = 4


def _dsn(name):
    db = settings.DATABASES["default"]
    return (f"postgres://{db['USER']}:{db['PASSWORD']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{name}")


@pytest.fixture(scope="module")
def faults_env(tmp_path_factory):
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL")
    name = f"{settings.DATABASES['default']['NAME'].removeprefix('test_')}_faults"
    with psycopg.connect(_dsn("postgres"), autocommit=True) as admin:
        if not admin.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            admin.execute(f'CREATE DATABASE "{name}"')
    env = {key: value for key, value in os.environ.items() if not key.startswith(("PYTEST", "SEARCH_URL"))}
    env.update({
        "DJANGO_SETTINGS_MODULE": "portal.settings", "DATABASE_URL": _dsn(name), "TASKS_BACKEND": "database",
        "DEBUG": "true", "SECRET_KEY": secrets.token_urlsafe(40), "ALLOWED_HOSTS": "testserver",
        "FIELD_ENCRYPTION_KEYS": base64.urlsafe_b64encode(secrets.token_bytes(32)).decode(),
        "FIELD_HASH_KEY": secrets.token_urlsafe(32), "DATA_DIR": str(tmp_path_factory.mktemp("faults")),
        "HEARTBEAT_SECONDS": "1", "HEARTBEAT_STALE_SECONDS": str(STALE_SECONDS), "PYTHONUNBUFFERED": "1",
    })
    manage(env, "migrate", "-v", "0")
    manage(env, "shell", "-c", "from django_tasks_db.models import DBTaskResult; DBTaskResult.objects.all().delete();"
                               "from portal.models import Heartbeat; Heartbeat.objects.all().delete()")
    env["DSN"] = _dsn(name)
    return env


def manage(env, *args):
    result = subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True,
                            timeout=600)
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout


def start_worker(env, log_path):
    log = open(log_path, "a")  # noqa: SIM115 - closed with the process
    return subprocess.Popen([sys.executable, "manage.py", "run_worker", "--interval", "0.2", "--no-startup-delay"],
                            cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)


def enqueue(env, path, first_run_seconds=0):
    return manage(env, "shell", "-c", "from tests.integration.worker_jobs import noted_job;"
                                      f"print(noted_job.enqueue({str(path)!r}, {first_run_seconds}).id)").split()[-1]


def job(env, job_id):
    with psycopg.connect(env["DSN"]) as db:
        return db.execute("SELECT status, worker_ids FROM django_tasks_database_dbtaskresult WHERE id = %s",
                          [job_id]).fetchone()


def wait_for(condition, seconds, what):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.2)
    raise AssertionError(f"not within {seconds} s: {what}")


def noted(path):
    return path.read_text().split("\n") if path.exists() else []


def stop(process, sig=signal.SIGTERM):
    if process.poll() is None:
        os.killpg(process.pid, sig)
        process.wait(timeout=30)


def test_a_job_whose_worker_is_killed_mid_job_is_run_by_the_next_worker(faults_env, tmp_path):
    path = tmp_path / "runs.txt"
    job_id = enqueue(faults_env, path, first_run_seconds=120)
    first = start_worker(faults_env, tmp_path / "worker1.log")
    try:
        wait_for(lambda: any(line.startswith("start") for line in noted(path)), 60, "the first worker starts the job")
        stop(first, signal.SIGKILL)  # killed mid-job: no chance to record anything
        assert job(faults_env, job_id)[0] == "RUNNING"
        second = start_worker(faults_env, tmp_path / "worker2.log")
        try:
            wait_for(lambda: job(faults_env, job_id)[0] == "SUCCESSFUL", STALE_SECONDS + 60, "the job runs again")
        finally:
            stop(second)
    finally:
        stop(first, signal.SIGKILL)
    status, worker_ids = job(faults_env, job_id)
    assert len(worker_ids) == 2 and worker_ids[0] != worker_ids[1]
    assert [line.split()[0] for line in noted(path) if line] == ["start", "start", "done"]


def database_away(env, seconds):
    """What a PostgreSQL restart looks like to a client: every connection cut, no new one for a while."""
    name = env["DSN"].rsplit("/", 1)[1]
    with psycopg.connect(_dsn("postgres"), autocommit=True) as db:
        db.execute(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS false')
        try:
            killed = db.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s",
                                [name]).fetchall()
            time.sleep(seconds)
        finally:
            db.execute(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS true')
    return len(killed)


def test_the_worker_rides_out_a_database_restart(faults_env, tmp_path):
    worker = start_worker(faults_env, tmp_path / "worker.log")
    try:
        first = enqueue(faults_env, tmp_path / "first.txt")
        wait_for(lambda: job(faults_env, first)[0] == "SUCCESSFUL", 60, "the worker runs a first job")
        assert database_away(faults_env, seconds=6) >= 1, "the worker's connections were cut"
        assert worker.poll() is None, "the worker did not exit while the database was away"
        second = enqueue(faults_env, tmp_path / "second.txt")
        wait_for(lambda: job(faults_env, second)[0] == "SUCCESSFUL", 60, "the worker runs the next job")
        assert worker.poll() is None, "the worker is still running"
    finally:
        stop(worker)
    log = (tmp_path / "worker.log").read_text()
    assert "database error" in log and "reconnecting" in log, log[-3000:]


def readyz(env):
    out = manage(env, "shell", "-c", "from django.test import Client; r = Client().get('/readyz');"
                                     "print(r.status_code, r.json()['failing'])")
    status, failing = out.strip().splitlines()[-1].split(" ", 1)
    return int(status), failing


def test_readyz_is_ready_with_worker_and_scheduler_and_names_each_one_gone(faults_env, tmp_path):
    worker = start_worker(faults_env, tmp_path / "worker.log")
    scheduler = subprocess.Popen([sys.executable, "manage.py", "run_scheduler"], cwd=ROOT, env=faults_env,
                                 stdout=open(tmp_path / "scheduler.log", "a"),  # noqa: SIM115
                                 stderr=subprocess.STDOUT, start_new_session=True)
    try:
        wait_for(lambda: readyz(faults_env) == (200, "[]"), 90, "ready with the worker and the scheduler up")
        stop(worker, signal.SIGKILL)  # gone without a word: seen once its heartbeat is stale
        time.sleep(STALE_SECONDS + 1)
        assert readyz(faults_env) == (503, "['worker']")
        stop(scheduler)  # stopped cleanly: its heartbeat goes with it
        assert readyz(faults_env) == (503, "['worker', 'scheduler']")
    finally:
        stop(worker, signal.SIGKILL)
        stop(scheduler, signal.SIGKILL)


@pytest.mark.django_db
def test_two_schedulers_take_each_job_once_per_minute_on_postgresql():
    # (enqueue() itself, which closes connections as a long-running process must, is unit-tested.)
    minute = timezone.now().replace(second=0, microsecond=0)
    assert [run_scheduler.claim("publish_scheduled_pages", minute) for _scheduler in range(2)] == [True, False]
    assert run_scheduler.claim("publish_scheduled_pages", minute + timedelta(minutes=1))
    assert ScheduledRun.objects.filter(job="publish_scheduled_pages").count() == 2
