"""
The mail magazine against the real services: PostgreSQL and a real SMTP server (aiosmtpd on
loopback), as `make test` runs them.

1. The whole resident flow: subscribe through the API -> the confirmation mail over SMTP -> the
   page's button confirms -> `send_newsletter_digest --now` -> a digest with both List-Unsubscribe
   headers, both parts, Japanese without mojibake -> a cookie-less one-click POST answers 200 ->
   the next digest sends that address nothing.
2. A worker killed with SIGKILL mid-send, on PostgreSQL (a database of its own, so the session's
   demo data stays untouched): restarts leave 0 duplicates and 0 skipped.
"""

import email
import email.header
import os
import re
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

import psycopg
import pytest
from django.core.management import call_command
from django.test import Client

from newsletter import selectors
from newsletter.models import Status

pytestmark = pytest.mark.django_db
ROOT = Path(__file__).resolve().parents[2]


def decoded(message, name):
    return str(email.header.make_header(email.header.decode_header(message[name] or "")))


def parts(message):
    text = html = ""
    for part in message.walk():
        if part.get_content_type() == "text/plain":
            text = part.get_payload(decode=True).decode(part.get_content_charset())
        elif part.get_content_type() == "text/html":
            html = part.get_payload(decode=True).decode(part.get_content_charset())
    return text, html


def test_subscribe_confirm_digest_one_click_unsubscribe_over_real_smtp(client, smtp_server):
    address = f"integration-{uuid.uuid4().hex[:8]}@example.jp"
    answer = client.post("/api/v3/newsletter/subscriptions",
                         {"email": address, "districts": ["okubo"], "themes": ["kosodate"], "language": "ja",
                          "digest": True}, content_type="application/json")
    assert answer.status_code == 202
    [confirmation] = [m for m in smtp_server.messages if m["To"] == address]
    assert "申し込みの確認" in decoded(confirmation, "Subject")
    body = confirmation.get_payload(decode=True).decode(confirmation.get_content_charset())
    path = re.search(r"https?://[^/\s]+(/newsletter/confirm/\S+/)", body).group(1)
    assert client.get(path).status_code == 200
    assert selectors.subscriber_by_email(address).status == Status.PENDING  # following the link is not confirming
    assert client.post(path).status_code == 200

    call_command("send_newsletter_digest", "--now")
    [digest] = [m for m in smtp_server.messages if m["To"] == address and "今週の新着情報" in decoded(m, "Subject")]
    assert decoded(digest, "Subject").startswith("【新宿地域ポータル】今週の新着情報")
    assert re.fullmatch(r"<nl\.\d+\.\d+\.[0-9a-f]{12}@portal\.example\.jp>", digest["Message-ID"])
    assert digest["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    links = [link.strip().strip("<>") for link in " ".join(digest["List-Unsubscribe"].split()).split(",")]
    assert links[0].startswith("http://testserver/newsletter/unsubscribe/") and links[1].startswith("mailto:")
    text, html = parts(digest)
    assert "週刊ダイジェスト" in text and "週刊ダイジェスト" in html and links[0] in text

    unsubscribe = links[0].replace("http://testserver", "")
    mail_client = Client(enforce_csrf_checks=True)
    reply = mail_client.post(unsubscribe, "List-Unsubscribe=One-Click", content_type="application/x-www-form-urlencoded")
    assert reply.status_code == 200 and not reply.cookies

    before = len(smtp_server.messages)
    call_command("send_newsletter_digest", "--now")
    assert [m for m in smtp_server.messages[before:] if m["To"] == address] == []


# --- the kill-the-worker test on PostgreSQL ---------------------------------------------------------

SUBSCRIBERS = 300
KILL_AFTER = (30, 90, 170)
SETUP = """
from django.utils import timezone
from members.crypto import email_digest
from newsletter.models import Issue, Subscriber
now = timezone.now()
emails = [f"pg-reader{{n:04d}}@example.jp" for n in range({count})]
Subscriber.objects.bulk_create([Subscriber(email=e, email_hash=email_digest(e), status="active", confirmed_at=now)
                                for e in emails])
issue = Issue(title="PostgreSQL での停止テスト", live=False)
issue.save()
issue.save_revision().publish()
print("ISSUE", issue.pk)
"""


@pytest.fixture
def own_database():
    """A PostgreSQL database of this test's own, dropped afterwards."""
    base = os.environ["DATABASE_URL"]
    name = f"newsletter_kill_{os.getpid()}"
    admin_url = base.rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(admin_url, autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}"')
        connection.execute(f'CREATE DATABASE "{name}"')
    yield base.rsplit("/", 1)[0] + "/" + name
    with psycopg.connect(admin_url, autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _manage(args, env):
    result = subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True,
                            timeout=900)
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout


def _run_until(handler, env, issue_id, received):
    worker = subprocess.Popen([sys.executable, "manage.py", "send_newsletter", str(issue_id)], cwd=ROOT, env=env,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 300
    while worker.poll() is None and time.monotonic() < deadline:
        if received is not None and len(handler.messages) >= received:
            worker.send_signal(signal.SIGKILL)
            break
        time.sleep(0.002)
    worker.wait(timeout=60)
    return worker.returncode


def test_a_worker_killed_mid_send_on_postgresql_leaves_no_duplicate_and_no_gap(smtp_server, own_database, tmp_path,
                                                                           settings):
    env = {**os.environ, "DATABASE_URL": own_database, "DATA_DIR": str(tmp_path), "TASKS_BACKEND": "immediate",
           "EMAIL_URL": f"smtp://127.0.0.1:{settings.EMAIL_PORT}", "NEWSLETTER_RATE": "150",
           "NEWSLETTER_BATCH_SIZE": "40", "LOG_LEVEL": "WARNING", "DJANGO_SETTINGS_MODULE": "tests.settings"}
    env.pop("SEARCH_URL", None)
    _manage(["migrate", "-v", "0"], env)
    issue_id = int(_manage(["shell", "-c", SETUP.format(count=SUBSCRIBERS)], env).split("ISSUE")[1].split()[0])
    kills = [_run_until(smtp_server, env, issue_id, after) for after in KILL_AFTER]
    assert kills == [-signal.SIGKILL] * len(KILL_AFTER)
    assert _run_until(smtp_server, env, issue_id, None) == 0
    received = {}
    for message in smtp_server.messages:
        received[message["To"]] = received.get(message["To"], 0) + 1
    expected = {f"pg-reader{n:04d}@example.jp" for n in range(SUBSCRIBERS)}
    assert {a: n for a, n in received.items() if n > 1} == {}
    assert expected - set(received) == set()
    assert len(smtp_server.messages) == SUBSCRIBERS

