"""
The monitoring jobs (listed in ``SCHEDULED_TASKS``): the checks every minute, the pruning once a day.
"""

from datetime import timedelta

from django.conf import settings
from django.utils import timezone
from django_tasks import task

from . import alerts, monitoring
from .models import ErrorCount, JobRun

MONITOR_JOB = "reports_monitor"


def check_now(now=None):
    """One round: a gap since the previous round is recorded, then the checks open and clear alerts."""
    now = now or timezone.now()
    previous = (JobRun.objects.filter(job=MONITOR_JOB).order_by("-finished_at")
                .values_list("finished_at", flat=True).first())
    if previous is not None and now - previous > timedelta(minutes=settings.MONITORING_GAP_MINUTES):
        alerts.record_gap(previous, now)
    found, checked = monitoring.problems(now)
    opened, cleared = alerts.sync(found, checked, now)
    return {"problems": len(found), "opened": len(opened), "cleared": len(cleared)}


@task()
def run_checks():
    return check_now()


def prune_now(now=None):
    now = now or timezone.now()
    runs, _rows = JobRun.objects.filter(finished_at__lt=now - timedelta(days=settings.JOB_RUNS_KEEP_DAYS)).delete()
    errors, _rows = ErrorCount.objects.filter(
        day__lt=(now - timedelta(days=settings.MONITORING_ALERTS_KEEP_DAYS)).date()).delete()
    return {"job_runs": runs, "alerts": alerts.prune(now), "error_days": errors}


@task()
def prune_monitoring():
    return prune_now()
