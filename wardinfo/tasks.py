from django.core.management import call_command
from django_tasks import task


@task()
def import_due_ward_feeds():
    """Every active feed whose interval has passed."""
    call_command("import_ward_feeds", "--due", verbosity=0)
