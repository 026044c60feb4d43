from django.db import migrations


class Migration(migrations.Migration):
    """The app's first step: its tables arrive in the numbered migrations after this one."""

    initial = True
    dependencies = []
    operations = []
