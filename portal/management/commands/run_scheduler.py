"""
The scheduler process: enqueues the periodic jobs listed in ``settings.SCHEDULED_TASKS`` at
their cron times. The jobs themselves run in the worker (``manage.py run_worker``) when
``TASKS_BACKEND=database``, or right here with the immediate backend.

Each job is enqueued once per scheduled minute whatever the number of schedulers running (a
``ScheduledRun`` row per job and minute, unique in the database: a second scheduler, say during
a rolling restart, finds the row taken and skips). A heartbeat every ``HEARTBEAT_SECONDS``
(``portal.heartbeats``) tells /readyz the scheduler is alive.
"""

import logging
import os
import signal
import socket

from apscheduler.schedulers.blocking import BlockingScheduler
from apscheduler.triggers.cron import CronTrigger
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import IntegrityError, close_old_connections, transaction
from django.utils import timezone
from django.utils.module_loading import import_string

from portal import heartbeats
from portal.models import ScheduledRun

logger = logging.getLogger(__name__)

INSTANCE = f"{socket.gethostname()}-{os.getpid()}"[:64]


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


def claim(name, minute):
    """True when this scheduler is the first to take job ``name`` for ``minute``."""
    try:
        with transaction.atomic():
            ScheduledRun.objects.create(job=name, scheduled_for=minute)
        return True
    except IntegrityError:
        return False


def enqueue(name, task, once_per_minute=True):
    # A long-running process: drop a database connection that died (say, PostgreSQL restarted)
    # or outlived CONN_MAX_AGE, as Django does around each request.
    close_old_connections()
    try:
        minute = timezone.now().replace(second=0, microsecond=0)
        if once_per_minute and not claim(name, minute):
            logger.info("scheduler: %s for %s was enqueued by another scheduler", name, minute.isoformat())
            return
        try:
            result = task.enqueue()
        except Exception:
            ScheduledRun.objects.filter(job=name, scheduled_for=minute).delete()  # let a retry take it
            raise
        logger.info("scheduler: enqueued %s (%s)", name, result.id)
    finally:
        close_old_connections()


def beat():
    """The scheduler's heartbeat, and the clearing of its own old records."""
    close_old_connections()
    try:
        heartbeats.beat("scheduler", INSTANCE)
        ScheduledRun.objects.filter(enqueued_at__lt=timezone.now() - timezone.timedelta(days=2)).delete()
        heartbeats.prune()
    except Exception as exc:  # noqa: BLE001 - the database may be away: the next beat tries again
        logger.warning("scheduler: heartbeat failed: %s", exc)
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
            enqueue(*matching[0], once_per_minute=False)
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
        scheduler.add_job(beat, "interval", seconds=settings.HEARTBEAT_SECONDS, id="heartbeat",
                          next_run_time=timezone.now(), max_instances=1, coalesce=True)
        signal.signal(signal.SIGTERM, lambda *_: scheduler.shutdown(wait=False))
        self.stdout.write(f"scheduler: {len(jobs)} jobs")
        try:
            scheduler.start()
        finally:
            try:
                heartbeats.forget("scheduler", INSTANCE)
            except Exception:  # noqa: BLE001 - the row goes stale by itself
                pass
