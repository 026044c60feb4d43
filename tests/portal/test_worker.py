"""
With TASKS_BACKEND=database (production), jobs wait in the database until the worker runs
them: the scheduler enqueues, `db_worker` publishes. Run as separate processes, as deployed.
"""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _run(code_or_args, env):
    args = code_or_args if isinstance(code_or_args, list) else ["shell", "-c", code_or_args]
    result = subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout


def test_a_scheduled_page_is_published_by_the_worker_not_by_the_scheduler(tmp_path):
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "SEARCH_URL")}
    env.update({"DATA_DIR": str(tmp_path), "TASKS_BACKEND": "database", "DEBUG": "true",
                "DJANGO_SETTINGS_MODULE": "portal.settings"})
    _run(["migrate", "-v", "0"], env)
    _run(["seed_demo", "--no-index"], env)
    _run(
        "from django.utils import timezone; from pages.models import ArticlePage;"
        "from django_tasks_db.models import DBTaskResult; DBTaskResult.objects.all().delete();"  # seeding's jobs
        "p = ArticlePage.objects.get(slug='article-1'); p.unpublish();"
        "p.save_revision(approved_go_live_at=timezone.now() - timezone.timedelta(minutes=1))",
        env,
    )
    is_live = "from pages.models import ArticlePage; print('LIVE', ArticlePage.objects.get(slug='article-1').live)"

    _run(["run_scheduler", "--run-now", "publish_scheduled_pages"], env)
    assert "LIVE False" in _run(is_live, env), "the scheduler only enqueues"
    waiting = ("from django_tasks_db.models import DBTaskResult; print('READY', DBTaskResult.objects.ready()"
               ".filter(task_path='pages.tasks.publish_scheduled_pages').count())")
    assert "READY 1" in _run(waiting, env)

    _run(["db_worker", "--batch", "--no-startup-delay"], env)
    assert "LIVE True" in _run(is_live, env), "the worker ran the job"
    assert "READY 0" in _run(waiting, env)
