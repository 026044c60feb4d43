"""Housekeeping jobs of the project itself."""

from django.conf import settings
from django.core.management import call_command
from django_tasks import task


@task()
def prune_task_results():
    """Delete finished job records from the database queue (kept TASK_RESULTS_KEEP_DAYS days)."""
    if settings.TASKS_BACKEND == "database":
        call_command(
            "prune_db_task_results",
            min_age_days=settings.TASK_RESULTS_KEEP_DAYS,
            failed_min_age_days=settings.TASK_RESULTS_KEEP_DAYS * 4,
            verbosity=0,
        )
