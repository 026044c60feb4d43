"""
Fixtures of the newsletter tests: generated people (Faker ja_JP), subscribers in a given state,
and a real SMTP server on loopback (aiosmtpd) that keeps every message it accepts, raw, so the
tests parse exactly what a mailbox would get. Runs on SQLite: no other service is needed.
"""

import email
import email.policy
import socket
import threading

import pytest
from django.core.cache import cache
from django.utils import timezone
from faker import Faker

from newsletter import selectors
from newsletter.models import ConsentRecord, Status, Subscriber

fake = Faker("ja_JP")
Faker.seed(20261128)


@pytest.fixture(autouse=True)
def newsletter_settings(settings):
    settings.NEWSLETTER_RATE = 0  # speed is the benchmark's business (make bench-newsletter)
    settings.NEWSLETTER_RATE_ADDRESS = (1000, 3600)
    cache.clear()
    yield settings
    cache.clear()


def address(n=None):
    """A generated address on an example domain (never a real mailbox)."""
    return f"{fake.user_name()}{n if n is not None else fake.random_int(1, 10**6)}@example.jp"


def make_subscriber(email=None, status=Status.ACTIVE, language="ja", districts=(), themes=(), issues=True,
                    digest=True, user=None):
    """A subscriber as the double opt-in would have left them (choices by slug)."""
    subscriber = Subscriber.objects.create(email=email or address(), status=status, language=language, user=user,
                                           issues=issues, digest=digest,
                                           confirmed_at=timezone.now() if status == Status.ACTIVE else None)
    subscriber.districts.set(selectors.terms_by_slug("district", districts)[0])
    subscriber.themes.set(selectors.terms_by_slug("theme", themes)[0])
    ConsentRecord.objects.create(subscriber=subscriber, event=ConsentRecord.Event.CONFIRMED,
                                 source=ConsentRecord.Source.WEB, choices=selectors.choices_of(subscriber))
    return subscriber


class Sink:
    """What the SMTP server accepted: (envelope recipients, raw bytes) per message."""

    def __init__(self):
        self.received = []
        self.lock = threading.Lock()
        self.refuse = {}  # recipient -> (code, text) answered at the end of DATA

    async def handle_DATA(self, server, session, envelope):
        refusal = next((self.refuse[r] for r in envelope.rcpt_tos if r in self.refuse), None)
        if refusal:
            return f"{refusal[0]} {refusal[1]}"
        with self.lock:
            self.received.append((list(envelope.rcpt_tos), bytes(envelope.original_content or envelope.content)))
        return "250 OK"

    def messages(self, to=None):
        return [email.message_from_bytes(raw, policy=email.policy.default) for rcpts, raw in self.received
                if to is None or to in rcpts]

    def count_by_recipient(self):
        counts = {}
        for rcpts, _raw in self.received:
            for rcpt in rcpts:
                counts[rcpt] = counts.get(rcpt, 0) + 1
        return counts


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def smtp_sink(settings):
    """A real SMTP server on loopback; the portal sends to it over SMTP (Django's SMTP backend)."""
    from aiosmtpd.controller import Controller

    sink = Sink()
    port = free_port()
    controller = Controller(sink, hostname="127.0.0.1", port=port, decode_data=False)
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_USE_TLS, settings.EMAIL_USE_SSL = "127.0.0.1", port, False, False
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    sink.port = port
    yield sink
    controller.stop()
