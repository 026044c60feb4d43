"""Background jobs of the pages app (django-tasks: run by the worker in production)."""

from django.core.management import call_command
from django_tasks import task


@task()
def publish_scheduled_pages():
    """Publish pages whose go-live time has come and unpublish expired ones."""
    call_command("publish_scheduled", verbosity=0)
