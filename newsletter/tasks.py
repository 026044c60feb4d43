"""
Background jobs of the newsletter (django-tasks), listed in ``SCHEDULED_TASKS``: every minute the
issues whose time has come and any mailing left unfinished (a worker that died is taken over);
the weekly digest; the daily purge of requests never confirmed.
"""

from django_tasks import task

from . import services


@task()
def send_due_mailings():
    services.send_due()


@task()
def send_weekly_digest():
    services.run_mailing(services.digest_mailing())


@task()
def purge_unconfirmed_subscribers():
    services.purge_unconfirmed()
