import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from pages.models import ArticlePage

pytestmark = pytest.mark.django_db


def test_every_scheduled_job_is_listed_with_its_next_run(capsys):
    call_command("run_scheduler", "--list")
    out = capsys.readouterr().out
    assert "publish_scheduled_pages" in out and "次回" in out


def test_the_scheduled_publishing_job_publishes_a_page_whose_time_has_come(capsys):
    page = ArticlePage.objects.live().first()
    page.unpublish()
    revision = page.save_revision(approved_go_live_at=timezone.now() - timezone.timedelta(minutes=1))
    page.refresh_from_db()
    assert not page.live and page.scheduled_revision == revision
    call_command("run_scheduler", "--run-now", "publish_scheduled_pages")
    page.refresh_from_db()
    assert page.live


def test_a_misconfigured_job_is_a_clear_error(settings):
    settings.SCHEDULED_TASKS = {"broken": {"task": "pages.tasks.nope", "cron": "* * * * *"}}
    with pytest.raises(CommandError, match="broken"):
        call_command("run_scheduler", "--list")
    settings.SCHEDULED_TASKS = {"badcron": {"task": "pages.tasks.publish_scheduled_pages", "cron": "61 * * * *"}}
    with pytest.raises(CommandError, match="badcron"):
        call_command("run_scheduler", "--list")
