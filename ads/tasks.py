"""The ads app's background jobs (listed in SCHEDULED_TASKS)."""

from django_tasks import task

from . import services


@task()
def flush_ad_counts():
    """Every minute: move the impressions and clicks counted in the cache into hourly rows."""
    rows, views = services.flush_counts()
    return {"rows": rows, "views": views}
