"""
The mail server fails, the portal does not: with a real SMTP server (aiosmtpd) stopped, the
flows that mail succeed for the user and their mails arrive once the server is back; with a
server that accepts connections and never answers, no request waits for it.
"""

import email.header
import re
import socket
import threading
import time

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.handlers import Message as MessageHandler
from django.contrib.auth import get_user_model
from django.utils import timezone

from members import outbox
from members.mail import send_templated_mail
from members.models import OutboxMail
from tests.members.test_registration import PASSWORD, resident, web_form

pytestmark = pytest.mark.django_db


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Collect(MessageHandler):
    def __init__(self):
        super().__init__()
        self.messages = []

    def handle_message(self, message):
        self.messages.append(message)


class StoppableSmtp:
    """A real SMTP server on one loopback port that can be stopped and started again."""

    def __init__(self, port):
        self.port, self.handler, self.controller = port, Collect(), None

    def start(self):
        self.controller = Controller(self.handler, hostname="127.0.0.1", port=self.port)
        self.controller.start()

    def stop(self):
        self.controller.stop()
        self.controller = None


@pytest.fixture
def smtp(settings, report_service):
    server = StoppableSmtp(free_port())
    server.start()
    report_service(f"smtp: aiosmtpd on 127.0.0.1:{server.port} (stopped and started by the test)")
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_USE_TLS, settings.EMAIL_TIMEOUT = (
        "127.0.0.1", server.port, False, 2)
    yield server
    if server.controller:
        server.stop()


@pytest.fixture
def captcha_passes():
    from unittest import mock

    from django_recaptcha.client import RecaptchaResponse

    with mock.patch("django_recaptcha.fields.client.submit", return_value=RecaptchaResponse(is_valid=True)):
        yield


def text_of(message):
    subject = str(email.header.make_header(email.header.decode_header(message["Subject"])))
    return subject, message.get_payload(decode=True).decode(message.get_content_charset() or "utf-8")


def test_with_smtp_stopped_every_flow_succeeds_and_the_mails_arrive_when_it_is_back(client, smtp, captcha_passes):
    known, new = resident(41), resident(42)
    assert client.post("/members/register/", web_form(known)).status_code == 302
    smtp.stop()  # --- the outage ---------------------------------------------------------------

    started = time.monotonic()
    answers = [
        client.post("/members/register/", web_form(new)).status_code,  # a new account
        client.post("/members/register/", web_form({**resident(43), "email": known["email"]})).status_code,
        client.post("/members/password-reset/", {"email": known["email"]}).status_code,
    ]
    send_templated_mail(["moderator41@example.jp"], "moderation/email/digest",
                        {"counts": [], "total": 0, "queue_url": "/admin/"})
    assert answers == [302, 302, 302] and time.monotonic() - started < 5
    assert get_user_model().objects.by_email(new["email"]).exists(), "the account is created"
    waiting = OutboxMail.objects.filter(status=OutboxMail.Status.PENDING)
    # The first refused connection pauses sending at once: the others wait for send_due_mail.
    assert waiting.count() == 4 and sorted(mail.attempts for mail in waiting) == [0, 0, 0, 1]
    assert smtp.handler.messages[1:] == []

    smtp.start()  # --- back ---------------------------------------------------------------------
    OutboxMail.objects.filter(status=OutboxMail.Status.PENDING).update(next_attempt_at=timezone.now())
    assert outbox.send_due_mail.call() == 4
    received = {message["To"]: text_of(message) for message in smtp.handler.messages[1:]}
    assert set(received) == {new["email"], known["email"], "moderator41@example.jp"}
    assert len(smtp.handler.messages) == 5, "the known address got the notice and the reset link"
    assert not OutboxMail.objects.exclude(status=OutboxMail.Status.SENT).exists()

    verify = [body for to, (_subject, body) in received.items() if to == new["email"]][0]
    assert client.get(re.search(r"https?://[^/\s]+(/members/verify/\S+/)", verify).group(1)).status_code == 200
    assert client.post("/members/login/", {"username": new["email"], "password": PASSWORD}).status_code == 302


class HangingServer:
    """Accepts connections and never says a word (an SMTP server stuck)."""

    def __init__(self):
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(16)
        self.port = self.sock.getsockname()[1]
        self.held = []
        threading.Thread(target=self.accept, daemon=True).start()

    def accept(self):
        while True:
            try:
                self.held.append(self.sock.accept()[0])
            except OSError:
                return

    def close(self):
        for conn in self.held:
            conn.close()
        self.sock.close()


def test_a_hanging_smtp_server_makes_no_request_wait(client, settings, captcha_passes, report_service):
    server = HangingServer()
    report_service(f"smtp: a socket on 127.0.0.1:{server.port} that accepts and never answers")
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_USE_TLS, settings.EMAIL_TIMEOUT = (
        "127.0.0.1", server.port, False, 2)
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}
    try:
        started = time.monotonic()
        response = client.post("/members/register/", web_form(resident(44)))
        elapsed = time.monotonic() - started
        assert response.status_code == 302 and elapsed < 1.5, f"the request took {elapsed:.2f} s"
        assert server.held == [], "the request never talked to the mail server"

        from django_tasks_db.models import DBTaskResult

        job = DBTaskResult.objects.ready().get(task_path="members.outbox.send_queued_mail")
        started = time.monotonic()
        assert outbox.send_queued_mail.call(*job.args_kwargs["args"]) == 0  # what the worker runs
        assert time.monotonic() - started < 5, "the sender gives up after EMAIL_TIMEOUT"
        mail = OutboxMail.objects.get()
        assert (mail.status, mail.attempts) == (OutboxMail.Status.PENDING, 1) and "timed out" in mail.last_error
    finally:
        server.close()
