"""
Signs of life of the long-running processes, in the database every process shares: the worker
(``manage.py run_worker``) and the scheduler (``manage.py run_scheduler``) each write a row every
``HEARTBEAT_SECONDS``; one older than ``HEARTBEAT_STALE_SECONDS`` means the process is gone.

- ``/readyz`` names "worker" or "scheduler" when theirs is stale (with the database task backend,
  where jobs wait for them).
- A job left "running" by a worker whose heartbeat went stale (the process was killed, the
  machine died) is found by ``recover_lost_jobs`` — run by every worker — and put back in the
  queue once; if it was already retried it is marked failed and logged as an error. Never left
  "running" for ever.
"""

import logging
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from .models import Heartbeat

logger = logging.getLogger(__name__)

MAX_RUNS = 2  # a job lost with its worker runs once more, then it is reported


class Stale(RuntimeError):
    """A process's heartbeat is missing or too old."""


def beat(name, instance=""):
    """Record that ``name`` (``instance``: which process of that kind) is alive now."""
    Heartbeat.objects.update_or_create(name=name, instance=instance, defaults={"beat_at": timezone.now()})


def forget(name, instance=""):
    """A process that stops cleanly removes its row: it is gone at once, not after the grace period."""
    Heartbeat.objects.filter(name=name, instance=instance).delete()


def stale_before():
    return timezone.now() - timedelta(seconds=settings.HEARTBEAT_STALE_SECONDS)


def check(name):
    """Raise ``Stale`` with a clear message unless some process of kind ``name`` beat recently."""
    last = Heartbeat.objects.filter(name=name).order_by("-beat_at").values_list("beat_at", flat=True).first()
    if last is None:
        raise Stale(f"no {name} heartbeat: is the {name} process running?")
    if last < stale_before():
        age = int((timezone.now() - last).total_seconds())
        raise Stale(f"the last {name} heartbeat is {age} s old (limit {settings.HEARTBEAT_STALE_SECONDS} s)")


def live_instances(name):
    return set(Heartbeat.objects.filter(name=name, beat_at__gte=stale_before()).values_list("instance", flat=True))


def recover_lost_jobs(worker_id=None):
    """
    Jobs "running" on a worker that is no longer alive (or on ``worker_id``, a worker that lost
    its job to a broken database connection): back to the queue if they ran fewer than MAX_RUNS
    times, failed (and logged) otherwise. Returns (requeued, failed) counts.
    """
    alive = live_instances("worker") - {worker_id}
    requeued = failed = 0
    for job in DBTaskResult.objects.running().only("pk", "worker_ids", "task_path"):
        if not job.worker_ids or job.worker_ids[-1] in alive:
            continue
        if len(job.worker_ids) < MAX_RUNS:
            requeued += _requeue(job)
        else:
            failed += _fail(job)
    return requeued, failed


def _requeue(job):
    changed = DBTaskResult.objects.filter(pk=job.pk, status=TaskResultStatus.RUNNING).update(
        status=TaskResultStatus.READY, started_at=None)
    if changed:
        logger.warning("worker %s is gone: job %s (%s) is queued again", job.worker_ids[-1], job.pk, job.task_path)
    return changed


def _fail(job):
    with transaction.atomic():
        job = DBTaskResult.objects.select_for_update().filter(pk=job.pk, status=TaskResultStatus.RUNNING).first()
        if job is None:
            return 0
        job.set_failed(WorkerLost(f"the worker running this job stopped ({len(job.worker_ids)} runs)"))
    logger.error("job %s (%s) was running on workers that stopped, %s times: marked failed",
                 job.pk, job.task_path, len(job.worker_ids))
    return 1


class WorkerLost(RuntimeError):
    """The worker running a job stopped before the job finished."""


def prune(days=1):
    """Rows of processes gone for more than ``days`` days."""
    Heartbeat.objects.filter(beat_at__lt=timezone.now() - timedelta(days=days)).delete()
