"""
The worker process of the production stack: django-tasks-db's ``db_worker`` loop, made to ride
out trouble instead of exiting.

- The database goes away (a restart, a dropped connection): the loop's ``OperationalError`` or
  ``InterfaceError`` closes the connections, waits (1, 2, 4 ... up to 30 s) and carries on; a job
  it was running when the connection broke goes back to the queue (``portal.heartbeats``).
- A heartbeat every ``HEARTBEAT_SECONDS`` from a thread of its own (so a long job does not look
  like a dead worker), and with it the search for jobs left "running" by workers that died.
- SIGTERM lets the job in hand finish (as ``db_worker`` does), then removes the heartbeat.

``manage.py run_worker`` takes ``db_worker``'s options (without ``--reload``).
"""

import logging
import threading
import time

from django.conf import settings
from django.db import InterfaceError, OperationalError, connections
from django_tasks_db.management.commands.db_worker import Command as DbWorkerCommand
from django_tasks_db.management.commands.db_worker import Worker

from portal import heartbeats

logger = logging.getLogger("portal.worker")

DATABASE_ERRORS = (OperationalError, InterfaceError)
MAX_PAUSE = 30


def close_connections():
    for connection in connections.all(initialized_only=True):
        try:
            connection.close()
        except Exception:  # noqa: BLE001 - a connection that is already broken may fail to close
            pass


class ResilientWorker(Worker):
    """``db_worker``'s loop, restarted after a database error rather than ending the process."""

    def run(self):
        pause = 1
        while self.running:
            try:
                super().run()
                return  # --batch or --max-tasks: the loop ended by itself
            except DATABASE_ERRORS as exc:
                self.running_task = False
                self.startup_delay = False
                logger.warning("worker %s: database error (%s); reconnecting in %s s", self.worker_id, exc, pause)
                close_connections()
                time.sleep(pause)
                pause = min(pause * 2, MAX_PAUSE)
                self.recover()

    def recover(self):
        """A job this worker was running when the connection broke goes back to the queue (or is reported)."""
        try:
            heartbeats.recover_lost_jobs(worker_id=self.worker_id)
        except DATABASE_ERRORS:
            close_connections()  # still away: the next round of the loop tries again


class Heart(threading.Thread):
    """Beats for the worker every HEARTBEAT_SECONDS and looks for jobs of workers that died."""

    def __init__(self, worker_id):
        super().__init__(name="heartbeat", daemon=True)
        self.worker_id = worker_id
        self.stopped = threading.Event()

    def run(self):
        while not self.stopped.wait(settings.HEARTBEAT_SECONDS):
            try:
                heartbeats.beat("worker", self.worker_id)
                heartbeats.recover_lost_jobs()
            except Exception as exc:  # noqa: BLE001 - the database may be away; the next beat tries again
                logger.warning("worker %s: heartbeat failed: %s", self.worker_id, exc)
                close_connections()
        close_connections()


class Command(DbWorkerCommand):
    help = "ジョブを実行し続けます（データベースの再起動後も再接続して続行し、稼働確認を記録します）。"

    def handle(self, *, verbosity, queue_name, interval, batch, backend_name, startup_delay, max_tasks, worker_id,
               exclude_queues, **options):
        self.configure_logging(verbosity)
        worker = ResilientWorker(
            queue_names=queue_name.split(","), interval=interval, batch=batch, backend_name=backend_name,
            startup_delay=startup_delay, max_tasks=max_tasks, worker_id=worker_id,
            excluded_queue_names=exclude_queues.split(",") if exclude_queues else [],
        )
        worker.configure_signals()
        heart = Heart(worker_id)
        self.first_beat(worker_id)
        heart.start()
        try:
            worker.run()
        finally:
            heart.stopped.set()
            heart.join(timeout=5)
            try:
                heartbeats.forget("worker", worker_id)
            except DATABASE_ERRORS:
                pass  # the row goes stale by itself

    def first_beat(self, worker_id):
        """Alive before the first job is claimed (so no one takes it for a dead worker's job); waits for the database."""
        pause = 1
        while True:
            try:
                heartbeats.beat("worker", worker_id)
                heartbeats.recover_lost_jobs(worker_id=worker_id)
                return
            except DATABASE_ERRORS as exc:
                logger.warning("worker %s: database not reachable (%s); retrying in %s s", worker_id, exc, pause)
                close_connections()
                time.sleep(pause)
                pause = min(pause * 2, MAX_PAUSE)
