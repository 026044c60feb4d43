"""The reports app's usage jobs (listed in SCHEDULED_TASKS); the monitoring jobs are in monitor_tasks.py."""

from django_tasks import task

from . import counting, services


@task()
def flush_page_views():
    """Every minute: move the page views counted in the cache into daily rows."""
    rows, views = counting.flush()
    return {"rows": rows, "views": views}


@task()
def send_monthly_usage_report():
    """On the 1st: last month's report in every format, archived and sent to the ward contacts."""
    report = services.archive_last_month()
    return {"month": f"{report.month:%Y-%m}", "mailed_to": report.mailed_to}
