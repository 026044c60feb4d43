"""
Benchmark (make bench-newsletter): an issue to 100,000 confirmed subscribers delivered to a local
SMTP sink at 200 messages a second or more, the worker's memory flat (growth under 50 MB over its
run), and a restart mid-send leaving 0 duplicates and 0 skipped.

As deployed: the worker is its own process (`manage.py send_newsletter ISSUE_ID`, the embedded
default's SQLite in a temporary DATA_DIR, NEWSLETTER_RATE=0: no pacing), sending over SMTP on
loopback to an aiosmtpd server in this process that only counts what it accepts per recipient.
The worker is killed with SIGKILL halfway, then run again to the end. The rate is messages
accepted by the sink per second between each run's first and last message (start-up and the
preparation of the 100,000 delivery rows excluded, and printed apart); memory is the worker's
resident set size (/proc), sampled every 0.2 s, from its first message on.
"""

import datetime
import logging
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from tests.newsletter.conftest import free_port

pytestmark = pytest.mark.skipif(os.environ.get("BENCH") != "1",
                                reason="benchmarks run with `make bench-newsletter` (BENCH=1)")

ROOT = Path(__file__).resolve().parents[2]
SUBSCRIBERS = int(os.environ.get("BENCH_NEWSLETTER_SUBSCRIBERS", "100000"))
GOAL_PER_SECOND = 200
GOAL_GROWTH_MB = 50

SETUP = """
from django.utils import timezone
from members.crypto import email_digest
from newsletter.models import Issue, Subscriber
now = timezone.now()
for start in range(0, {count}, 5000):
    emails = [f"bench{{n:06d}}@example.jp" for n in range(start, min(start + 5000, {count}))]
    Subscriber.objects.bulk_create([Subscriber(email=e, email_hash=email_digest(e), status="active", confirmed_at=now,
                                               language=("ja", "ja", "en", "zh-hans", "ko")[int(e[5:11]) % 5])
                                    for e in emails], batch_size=1000)
issue = Issue(title="ベンチマークの号：大久保の冬まつり", lead="地域の冬のイベントをお届けします。" * 3, live=False,
              body=[("heading", "今週のおすすめ"), ("text", "<p>商店会の<b>スタンプラリー</b>が始まりました。</p>" * 5),
                    ("link", {{"title": "区の公式サイト", "url": "https://example.jp/", "description": "区からのお知らせ"}})])
issue.save()
issue.save_revision().publish()
print("ISSUE", issue.pk)
"""


class CountingSink:
    """Counts accepted messages per recipient, and when they arrived."""

    def __init__(self):
        self.by_recipient = {}
        self.total = 0
        self.lock = threading.Lock()
        self.first = self.last = None

    async def handle_DATA(self, server, session, envelope):
        now = time.monotonic()
        with self.lock:
            for rcpt in envelope.rcpt_tos:
                self.by_recipient[rcpt] = self.by_recipient.get(rcpt, 0) + 1
            self.total += 1
            self.first = self.first or now
            self.last = now
        return "250 OK"


def rss_mb(pid):
    try:
        with open(f"/proc/{pid}/status") as status:
            for line in status:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) / 1024
    except FileNotFoundError:
        return None
    return None


def run_worker(sink, env, issue_id, kill_at=None):
    """One worker run; returns its figures (killed with SIGKILL once the sink has ``kill_at`` messages)."""
    started, before = time.monotonic(), sink.total
    sink.first = None
    worker = subprocess.Popen([sys.executable, "manage.py", "send_newsletter", str(issue_id)], cwd=ROOT, env=env,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    samples = []
    while worker.poll() is None:
        if sink.first is not None:
            samples.append(rss_mb(worker.pid))
        if kill_at is not None and sink.total >= kill_at:
            worker.send_signal(signal.SIGKILL)
            break
        time.sleep(0.2)
    out, err = worker.communicate(timeout=120)
    samples = [s for s in samples if s]
    sent = sink.total - before
    seconds = (sink.last - sink.first) if sink.first and sent > 1 else 0
    return {"returncode": worker.returncode, "sent": sent, "rate": sent / seconds if seconds else 0,
            "sending_s": seconds, "startup_s": (sink.first or time.monotonic()) - started,
            "rss_start": samples[0] if samples else 0, "rss_peak": max(samples, default=0), "stderr": err[-2000:]}


def test_100000_subscribers_at_200_per_second_flat_memory_and_a_clean_restart(tmp_path):
    from aiosmtpd.controller import Controller

    logging.getLogger("mail.log").setLevel(logging.WARNING)
    load_before = os.getloadavg()[0]
    sink, port = CountingSink(), free_port()
    controller = Controller(sink, hostname="127.0.0.1", port=port, decode_data=False)
    controller.start()
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "SEARCH_URL")}
    env.update({"DATA_DIR": str(tmp_path), "DJANGO_SETTINGS_MODULE": "tests.settings", "TASKS_BACKEND": "immediate",
                "EMAIL_URL": f"smtp://127.0.0.1:{port}", "NEWSLETTER_RATE": "0", "LOG_LEVEL": "WARNING"})
    try:
        subprocess.run([sys.executable, "manage.py", "migrate", "-v", "0"], cwd=ROOT, env=env, check=True)
        setup_started = time.monotonic()
        out = subprocess.run([sys.executable, "manage.py", "shell", "-c", SETUP.format(count=SUBSCRIBERS)], cwd=ROOT,
                             env=env, check=True, capture_output=True, text=True).stdout
        setup_seconds = time.monotonic() - setup_started
        issue_id = int(out.split("ISSUE")[1].split()[0])
        first = run_worker(sink, env, issue_id, kill_at=SUBSCRIBERS // 2)
        second = run_worker(sink, env, issue_id)
    finally:
        controller.stop()

    duplicates = sum(1 for n in sink.by_recipient.values() if n > 1)
    skipped = SUBSCRIBERS - len(sink.by_recipient)
    total_seconds = first["sending_s"] + second["sending_s"]
    overall = (first["sent"] + second["sent"]) / total_seconds if total_seconds else 0
    load = os.getloadavg()
    print(f"\n== newsletter benchmark {datetime.datetime.now().astimezone():%Y-%m-%d %H:%M %Z} on {os.cpu_count()} CPUs; "
          f"load average (1 min) {load_before:.2f} before, {load[0]:.2f} / {load[1]:.2f} / {load[2]:.2f} (1/5/15 min) after ==")
    print(f"subscribers {SUBSCRIBERS:,} created in {setup_seconds:.1f} s (encrypted addresses)")
    for name, run in (("run 1 (killed with SIGKILL)", first), ("run 2 (restart, to the end)", second)):
        print(f"{name}: {run['sent']:,} messages in {run['sending_s']:.1f} s = {run['rate']:.0f} msg/s; "
              f"start-up and preparation {run['startup_s']:.1f} s; worker RSS {run['rss_start']:.0f} -> "
              f"{run['rss_peak']:.0f} MB (growth {run['rss_peak'] - run['rss_start']:.1f} MB); exit {run['returncode']}")
    print(f"overall {overall:.0f} msg/s; delivered to {len(sink.by_recipient):,} of {SUBSCRIBERS:,}; "
          f"duplicates {duplicates}; skipped {skipped}")

    assert first["returncode"] == -signal.SIGKILL and second["returncode"] == 0, second["stderr"]
    assert (duplicates, skipped) == (0, 0)
    assert min(first["rate"], second["rate"]) >= GOAL_PER_SECOND
    assert max(run["rss_peak"] - run["rss_start"] for run in (first, second)) < GOAL_GROWTH_MB
