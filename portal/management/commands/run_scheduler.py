"""
The scheduler process: enqueues the periodic jobs listed in ``settings.SCHEDULED_TASKS`` at
their cron times. The jobs themselves run in the worker (``manage.py db_worker``) when
``TASKS_BACKEND=database``, or right here with the immediate backend.
"""

import logging
import signal

from apscheduler.schedulers.blocking import BlockingScheduler
from apscheduler.triggers.cron import CronTrigger
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import close_old_connections
from django.utils.module_loading import import_string

logger = logging.getLogger(__name__)


def scheduled_jobs():
    """(name, task, trigger) for each entry of SCHEDULED_TASKS; a wrong entry is a clear error."""
    jobs = []
    for name, entry in settings.SCHEDULED_TASKS.items():
        try:
            task = import_string(entry["task"])
            trigger = CronTrigger.from_crontab(entry["cron"], timezone=settings.TIME_ZONE)
        except (ImportError, KeyError, ValueError) as exc:
            raise CommandError(f"SCHEDULED_TASKS[{name!r}] is wrong: {exc}") from exc
        jobs.append((name, task, trigger))
    return jobs


def enqueue(name, task):
    # A long-running process: drop a database connection that died (say, PostgreSQL restarted)
    # or outlived CONN_MAX_AGE, as Django does around each request.
    close_old_connections()
    try:
        result = task.enqueue()
        logger.info("scheduler: enqueued %s (%s)", name, result.id)
    finally:
        close_old_connections()


class Command(BaseCommand):
    help = "定期実行ジョブ（予約公開など）を時刻どおりにキューへ登録し続けます。"

    def add_arguments(self, parser):
        parser.add_argument("--list", action="store_true", help="ジョブと次回実行時刻を表示して終了")
        parser.add_argument("--run-now", metavar="NAME", help="指定したジョブを今すぐ 1 回登録して終了")

    def handle(self, *args, list=False, run_now=None, **options):
        jobs = scheduled_jobs()
        if run_now:
            matching = [(name, task) for name, task, _trigger in jobs if name == run_now]
            if not matching:
                raise CommandError(f"ジョブ {run_now!r} はありません。")
            enqueue(*matching[0])
            self.stdout.write(f"{run_now} を登録しました。")
            return
        if list:
            from datetime import datetime
            from zoneinfo import ZoneInfo

            now = datetime.now(ZoneInfo(settings.TIME_ZONE))
            for name, _task, trigger in jobs:
                self.stdout.write(f"{name}\t{trigger}\t次回 {trigger.get_next_fire_time(None, now)}")
            return
        scheduler = BlockingScheduler(timezone=settings.TIME_ZONE)
        for name, task, trigger in jobs:
            scheduler.add_job(enqueue, trigger, args=(name, task), id=name, name=name,
                              max_instances=1, coalesce=True, misfire_grace_time=300)
        signal.signal(signal.SIGTERM, lambda *_: scheduler.shutdown(wait=False))
        self.stdout.write(f"scheduler: {len(jobs)} jobs")
        scheduler.start()
