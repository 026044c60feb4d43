"""The surveys app's background jobs (listed in SCHEDULED_TASKS)."""

from django_tasks import task

from . import services


@task()
def delete_expired_answers():
    """Daily: surveys past their 回答の削除日 lose their answers (and old device salts are destroyed)."""
    return {"deleted": services.delete_expired_answers()}


@task()
def delete_expired_applications():
    """Daily: calls closed longer than their retention period lose their applicants' data."""
    return {"deleted": services.delete_expired_applications()}
