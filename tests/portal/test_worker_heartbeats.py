"""
The worker and the scheduler leave heartbeats (portal.heartbeats): /readyz names the one that is
gone, jobs of a worker that died are run once more or reported, the worker rides out a database
error, and a second scheduler enqueues nothing twice. (The real processes, PostgreSQL restarts
and kills: tests/integration/test_worker_faults.py.)
"""

import uuid
from datetime import timedelta
from unittest import mock

import pytest
from django.db import OperationalError
from django.utils import timezone
from django_tasks import TaskResultStatus
from django_tasks_db.management.commands.db_worker import Worker
from django_tasks_db.models import DBTaskResult, get_date_max

from portal import health, heartbeats
from portal.management.commands import run_scheduler, run_worker
from portal.models import Heartbeat, ScheduledRun

pytestmark = pytest.mark.django_db


def running_job(*worker_ids):
    return DBTaskResult.objects.create(
        status=TaskResultStatus.RUNNING, args_kwargs={"args": [], "kwargs": {}}, task_path="portal.tasks.prune_task_results",
        backend_name="default", run_after=get_date_max(), started_at=timezone.now(), worker_ids=list(worker_ids),
    )


def test_check_names_a_process_that_never_beat_or_stopped_beating(settings):
    settings.HEARTBEAT_STALE_SECONDS = 60
    with pytest.raises(heartbeats.Stale, match="no worker heartbeat"):
        heartbeats.check("worker")
    heartbeats.beat("worker", "w1")
    heartbeats.check("worker")
    Heartbeat.objects.update(beat_at=timezone.now() - timedelta(seconds=90))
    with pytest.raises(heartbeats.Stale, match=r"worker heartbeat is 9\d s old \(limit 60 s\)"):
        heartbeats.check("worker")
    heartbeats.beat("worker", "w2")  # another worker alive: ready
    heartbeats.check("worker")


def test_readyz_names_the_worker_and_the_scheduler_with_the_database_backend(client, settings, monkeypatch):
    settings.TASKS_BACKEND = "database"
    monkeypatch.setattr(health, "CHECKS", {**health.CHECKS, **health._heartbeat_checks()})
    heartbeats.beat("scheduler", "host-1")
    response = client.get("/readyz")
    assert response.status_code == 503 and "worker" in response.json()["failing"]
    assert response.json()["checks"]["scheduler"] == "ok"
    heartbeats.beat("worker", "w1")
    assert client.get("/readyz").json()["checks"]["worker"] == "ok"


def test_readyz_does_not_ask_for_a_worker_with_the_immediate_backend(settings):
    settings.TASKS_BACKEND = "immediate"
    assert health._heartbeat_checks() == {}


def test_a_job_of_a_dead_worker_runs_once_more_then_is_reported(settings, caplog):
    settings.HEARTBEAT_STALE_SECONDS = 60
    heartbeats.beat("worker", "alive")
    heartbeats.beat("worker", "dead")
    Heartbeat.objects.filter(instance="dead").update(beat_at=timezone.now() - timedelta(minutes=5))
    mine, lost, lost_twice = running_job("alive"), running_job("dead"), running_job("dead", "vanished")

    assert heartbeats.recover_lost_jobs() == (1, 1)
    statuses = {job.pk: job.status for job in DBTaskResult.objects.all()}
    assert statuses[mine.pk] == TaskResultStatus.RUNNING, "a live worker's job is left alone"
    assert statuses[lost.pk] == TaskResultStatus.READY and DBTaskResult.objects.ready().filter(pk=lost.pk).exists()
    assert statuses[lost_twice.pk] == TaskResultStatus.FAILED
    assert "WorkerLost" in DBTaskResult.objects.get(pk=lost_twice.pk).exception_class_path
    assert any(record.levelname == "ERROR" and str(lost_twice.pk) in record.getMessage() for record in caplog.records)


def test_the_worker_carries_on_after_a_database_error(monkeypatch):
    rounds = iter([OperationalError("terminating connection due to administrator command"), None])

    def run(self):
        outcome = next(rounds)
        if outcome:
            running_job(self.worker_id)  # the job it was running when the connection broke
            raise outcome

    monkeypatch.setattr(Worker, "run", run)
    monkeypatch.setattr(run_worker.time, "sleep", lambda seconds: None)
    worker = run_worker.ResilientWorker(queue_names=["default"], interval=0, batch=True, backend_name="default",
                                        startup_delay=False, max_tasks=None, worker_id=uuid.uuid4().hex,
                                        excluded_queue_names=[])
    heartbeats.beat("worker", worker.worker_id)
    worker.run()
    assert next(rounds, "done") == "done", "the loop was started again"
    assert DBTaskResult.objects.get().status == TaskResultStatus.READY, "its job is queued again"


def test_two_schedulers_enqueue_a_job_once_per_minute():
    task = mock.Mock()
    run_scheduler.enqueue("publish_scheduled_pages", task)
    run_scheduler.enqueue("publish_scheduled_pages", task)  # the second scheduler, same minute
    assert task.enqueue.call_count == 1 and ScheduledRun.objects.count() == 1
    ScheduledRun.objects.update(scheduled_for=timezone.now() - timedelta(minutes=1))
    run_scheduler.enqueue("publish_scheduled_pages", task)  # the next minute
    assert task.enqueue.call_count == 2


def test_a_failed_enqueue_leaves_the_minute_to_a_retry():
    task = mock.Mock()
    task.enqueue.side_effect = [OperationalError("database away"), mock.Mock(id="1")]
    with pytest.raises(OperationalError):
        run_scheduler.enqueue("publish_scheduled_pages", task)
    run_scheduler.enqueue("publish_scheduled_pages", task)
    assert task.enqueue.call_count == 2


def test_the_scheduler_beats():
    run_scheduler.beat()
    heartbeats.check("scheduler")
