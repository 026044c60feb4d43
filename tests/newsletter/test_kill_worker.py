"""
Delivery survives a worker killed mid-send: `manage.py send_newsletter ISSUE_ID` runs as its own
process against its own database (SQLite in a temporary DATA_DIR), sending over real SMTP to a
server in this process; it is killed with SIGKILL several times while sending, then run again
until done. Every subscriber must have received the issue exactly once: no duplicate, nobody skipped.
"""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.newsletter.conftest import Sink, free_port

ROOT = Path(__file__).resolve().parents[2]
SUBSCRIBERS = 400
KILL_AFTER = (40, 110, 190, 260)  # messages received when the worker is killed

SETUP = """
from django.utils import timezone
from members.crypto import email_digest
from newsletter.models import Issue, Subscriber
now = timezone.now()
emails = [f"reader{{n:04d}}@example.jp" for n in range({count})]
Subscriber.objects.bulk_create([Subscriber(email=e, email_hash=email_digest(e), status="active", confirmed_at=now)
                                for e in emails])
issue = Issue(title="停止テストの号", lead="大久保の冬のイベントをお届けします。", live=False)
issue.save()
issue.save_revision().publish()
print("ISSUE", issue.pk)
"""

COUNT = ("from newsletter.models import Delivery; from django.db.models import Count;"
         "print('STATES', dict(Delivery.objects.values_list('state').annotate(n=Count('pk'))))")


def environment(data_dir, port):
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "SEARCH_URL")}
    env.update({"DATA_DIR": str(data_dir), "DJANGO_SETTINGS_MODULE": "tests.settings", "TASKS_BACKEND": "immediate",
                "EMAIL_URL": f"smtp://127.0.0.1:{port}", "NEWSLETTER_RATE": "150", "NEWSLETTER_BATCH_SIZE": "50",
                "LOG_LEVEL": "WARNING"})
    return env


def manage(args, env):
    result = subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True,
                            timeout=600)
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout


def run_until(sink, env, issue_id, received):
    """Start the worker; SIGKILL it once the server has received ``received`` messages (or let it finish)."""
    worker = subprocess.Popen([sys.executable, "manage.py", "send_newsletter", str(issue_id)], cwd=ROOT, env=env,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 120
    while worker.poll() is None and time.monotonic() < deadline:
        if received is not None and len(sink.received) >= received:
            worker.send_signal(signal.SIGKILL)
            break
        time.sleep(0.002)
    worker.wait(timeout=60)  # reaped: its lease is seen as a dead holder's
    return worker.returncode


@pytest.fixture
def sink():
    from aiosmtpd.controller import Controller

    sink = Sink()
    port = free_port()
    controller = Controller(sink, hostname="127.0.0.1", port=port, decode_data=False)
    controller.start()
    sink.port = port
    yield sink
    controller.stop()


def test_a_worker_killed_mid_send_resumes_without_duplicates_or_gaps(tmp_path, sink):
    env = environment(tmp_path, sink.port)
    manage(["migrate", "-v", "0"], env)
    issue_id = int(manage(["shell", "-c", SETUP.format(count=SUBSCRIBERS)], env).split("ISSUE")[1].split()[0])

    kills = [run_until(sink, env, issue_id, after) for after in KILL_AFTER]
    assert kills == [-signal.SIGKILL] * len(KILL_AFTER), "each run was killed mid-send"
    assert len(sink.received) < SUBSCRIBERS
    assert run_until(sink, env, issue_id, None) == 0

    counts = sink.count_by_recipient()
    expected = {f"reader{n:04d}@example.jp" for n in range(SUBSCRIBERS)}
    duplicates = {address: n for address, n in counts.items() if n > 1}
    skipped = expected - set(counts)
    assert (duplicates, skipped) == ({}, set())
    assert len(sink.received) == SUBSCRIBERS
    assert f"'sent': {SUBSCRIBERS}" in manage(["shell", "-c", COUNT], env)
