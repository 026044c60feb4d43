"""
Delivering a mailing: every recipient exactly once, even when the worker is killed mid-send.

Each recipient of a mailing has one ``Delivery`` row (unique per mailing and subscriber), created
before anything is sent. The worker walks the pending rows in batches, one SMTP connection per
batch, at most ``NEWSLETTER_RATE`` messages a second, and marks each row as it goes:

1. ``MAIL FROM``, ``RCPT TO``, ``DATA`` and the whole message are sent, but not the final ``.``;
2. the row is marked sent, in its own committed statement, only if it is still pending and its
   subscriber still active (another worker, or an unsubscription a moment ago, loses nothing);
3. the final ``.`` is sent, and the server accepts the message.

Killed before 2, the server never saw the end of the message and drops it (RFC 5321: a transaction
cut before its end is aborted); the row is still pending and the next run sends it. Killed after 2,
the message is already complete but for five bytes the kernel still delivers. So a restart neither
sends anyone a duplicate nor skips anyone (``tests/newsletter/test_kill_worker.py`` kills the
worker with SIGKILL and counts what a real SMTP server received). A server's refusal after step 2
puts the row back (temporary: retried later; permanent: failed).

Mail backends other than SMTP (files, memory) get the row marked, then the message handed over.
"""

import functools
import logging
import os
import re
import smtplib
import socket
import time
import uuid

from django.conf import settings
from django.core.mail.backends.smtp import EmailBackend as SMTPBackend
from django.core.mail.message import sanitize_address
from django.db import connection as db
from django.db.models import Q
from django.utils import timezone

from members.outbox import real_connection

from .models import Delivery, Mailing, Status, Subscriber
from .rendering import compose

logger = logging.getLogger(__name__)


class Abandoned(Exception):
    """The row was taken by another worker or its subscriber left: the message was not completed."""


class Pace:
    """At most ``rate`` calls of ``wait`` a second (0: no limit)."""

    def __init__(self, rate):
        self.interval = 1.0 / rate if rate and rate > 0 else 0.0
        self.next = time.monotonic()

    def wait(self):
        if not self.interval:
            return
        now = time.monotonic()
        if self.next > now:
            time.sleep(self.next - now)
        self.next = max(self.next, now) + self.interval


# --- the lease: one worker per mailing -----------------------------------------------------------

def _owner():
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


def _dead_local_holder(owner):
    """A holder on this machine whose process no longer runs (killed): its lease may be taken at once."""
    host, _, rest = (owner or "").partition(":")
    pid = rest.partition(":")[0]
    if host != socket.gethostname() or not pid.isdecimal():
        return False
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        return False
    return False


def take_lease(mailing_id, owner):
    """True when ``owner`` now holds the mailing (free, expired, its own, or held by a dead local process)."""
    now = timezone.now()
    until = now + timezone.timedelta(seconds=settings.NEWSLETTER_LEASE_SECONDS)
    free = Q(lease_until__isnull=True) | Q(lease_until__lt=now) | Q(lease_owner=owner)
    if Mailing.objects.filter(pk=mailing_id).filter(free).update(lease_owner=owner, lease_until=until):
        return True
    holder = Mailing.objects.filter(pk=mailing_id).values_list("lease_owner", flat=True).first()
    if holder and _dead_local_holder(holder):
        return bool(Mailing.objects.filter(pk=mailing_id, lease_owner=holder).update(lease_owner=owner,
                                                                                     lease_until=until))
    return False


def release_lease(mailing_id, owner):
    Mailing.objects.filter(pk=mailing_id, lease_owner=owner).update(lease_owner="", lease_until=None)


# --- marking rows ---------------------------------------------------------------------------------

@functools.cache
def _claim_sql():
    return (f"UPDATE {Delivery._meta.db_table} SET state = %s, sent_at = %s, attempts = attempts + 1, error = '' "
            f"WHERE id = %s AND state = %s AND subscriber_id IN "
            f"(SELECT id FROM {Subscriber._meta.db_table} WHERE id = %s AND status = %s)")


def claim(delivery):
    """
    Mark ``delivery`` sent if it is still pending and its subscriber still active: one committed
    statement (written in SQL: it runs once a message, and the ORM's query building cost more than it).
    """
    now = db.ops.adapt_datetimefield_value(timezone.now())
    with db.cursor() as cursor:
        cursor.execute(_claim_sql(), [Delivery.State.SENT, now, delivery.pk, Delivery.State.PENDING,
                                      delivery.subscriber_id, Status.ACTIVE])
        return cursor.rowcount == 1


def record_failure(delivery, error, permanent, claimed):
    """
    A refusal or a broken connection: the row goes back to pending for a later try (a temporary
    error, ``NEWSLETTER_RETRY_MINUTES`` later) or becomes failed (a permanent one, or too many tries).
    ``claimed``: the row was marked sent before the server refused (its try is already counted).
    """
    attempts = delivery.attempts + 1
    retry = not permanent and attempts < settings.NEWSLETTER_MAX_ATTEMPTS
    later = timezone.now() + timezone.timedelta(minutes=settings.NEWSLETTER_RETRY_MINUTES)
    Delivery.objects.filter(pk=delivery.pk, state=Delivery.State.SENT if claimed else Delivery.State.PENDING).update(
        state=Delivery.State.PENDING if retry else Delivery.State.FAILED, sent_at=None, error=str(error)[:300],
        next_attempt_at=later if retry else None, attempts=attempts)
    return Delivery.State.PENDING if retry else Delivery.State.FAILED


def cancel(delivery):
    """The subscriber left before their turn: nothing is sent, and the row says why."""
    Delivery.objects.filter(pk=delivery.pk, state=Delivery.State.PENDING).update(state=Delivery.State.CANCELLED)


# --- SMTP with the mark before the final dot ---------------------------------------------------------

_LEADING_DOT = re.compile(rb"(?m)^\.")


def _refused(code, response, what):
    error = smtplib.SMTPResponseException(code, response)
    error.what = what
    return error


def transmit_smtp(smtp, sender, recipient, data, mark):
    """Send one message over an open ``smtplib.SMTP``; ``mark()`` runs before the final dot (False: abandon)."""
    smtp.ehlo_or_helo_if_needed()
    options = ["BODY=8BITMIME"] if smtp.has_extn("8bitmime") else []
    code, response = smtp.mail(sender, options)
    if code != 250:
        smtp.rset()
        raise _refused(code, response, "MAIL FROM")
    code, response = smtp.rcpt(recipient)
    if code not in (250, 251):
        smtp.rset()
        raise _refused(code, response, "RCPT TO")
    code, response = smtp.docmd("data")
    if code != 354:
        smtp.rset()
        raise _refused(code, response, "DATA")
    payload = _LEADING_DOT.sub(b"..", data)
    smtp.send(payload if payload.endswith(b"\r\n") else payload + b"\r\n")
    if not mark():
        raise Abandoned
    smtp.send(b".\r\n")
    code, response = smtp.getreply()
    if code != 250:
        raise _refused(code, response, "end of DATA")


class Sender:
    """One connection of the configured mail backend for a batch; SMTP gets the careful path above."""

    def __init__(self):
        self.backend = real_connection()  # the real one: EMAIL_BACKEND is the outbox (members.outbox)
        self.smtp = isinstance(self.backend, SMTPBackend)
        self.envelope_sender = sanitize_address(settings.NEWSLETTER_FROM_EMAIL, settings.DEFAULT_CHARSET)

    def __enter__(self):
        self.backend.open()
        self._no_delay()
        return self

    def _no_delay(self):
        # The message and its final dot leave in two writes: without TCP_NODELAY, Nagle's algorithm holds
        # the dot until the server's delayed ACK (about 40 ms a message).
        if self.smtp and self.backend.connection is not None and self.backend.connection.sock is not None:
            self.backend.connection.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def __exit__(self, *exc):
        try:
            self.backend.close()
        except Exception:  # noqa: BLE001 (a dropped connection is closed either way)
            pass

    def reopen(self):
        self.__exit__()
        self.backend.connection = None
        self.backend.open()
        self._no_delay()

    def send(self, outgoing, mark):
        if not self.smtp:
            if not mark():
                raise Abandoned
            self.backend.send_messages([outgoing.email_message()])
            return
        recipient = sanitize_address(outgoing.to, settings.DEFAULT_CHARSET)
        transmit_smtp(self.backend.connection, self.envelope_sender, recipient, outgoing.as_bytes(), mark)


def permanent(error):
    code = getattr(error, "smtp_code", 0)
    return 500 <= code < 600


def deliver_one(sender, delivery, message):
    """Send one message, marking its row as described above; returns the row's new state (None: left alone)."""
    try:
        sender.send(message, lambda: claim(delivery))
    except Abandoned:
        if sender.smtp:
            sender.reopen()  # the unfinished DATA is dropped with the connection
        return None
    except (smtplib.SMTPException, OSError) as error:
        claimed = Delivery.objects.filter(pk=delivery.pk, state=Delivery.State.SENT).exists()
        state = record_failure(delivery, error, permanent(error), claimed)
        logger.warning("newsletter: delivery %s not sent (%s)", delivery.pk, error)
        if sender.smtp and not isinstance(error, smtplib.SMTPResponseException):
            sender.reopen()  # the connection broke; a refusal leaves it usable
        return state
    return Delivery.State.SENT


# --- the run ------------------------------------------------------------------------------------------

def _batch(mailing, after, size, with_terms):
    now = timezone.now()
    rows = (Delivery.objects.filter(mailing=mailing, state=Delivery.State.PENDING, pk__gt=after)
            .filter(Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now)).order_by("pk")
            .select_related("subscriber").only("pk", "attempts", "subscriber_id", "subscriber__email",
                                                "subscriber__language", "subscriber__status")[:size])
    return rows.prefetch_related("subscriber__districts", "subscriber__themes") if with_terms else rows


def send_batch(sender, composer, rows, pace, owner):
    counts = {}
    renewed = time.monotonic()
    for delivery in rows:
        subscriber = delivery.subscriber
        message = compose(composer, delivery, subscriber) if subscriber.status == Status.ACTIVE else None
        if message is None:
            cancel(delivery)
            state = Delivery.State.CANCELLED
        else:
            pace.wait()
            state = deliver_one(sender, delivery, message)
        counts[state] = counts.get(state, 0) + 1
        if time.monotonic() - renewed > settings.NEWSLETTER_LEASE_SECONDS / 3:
            take_lease(composer.mailing.pk, owner)
            renewed = time.monotonic()
    return counts


def _fast_commits():
    """
    On PostgreSQL, commit the marks without waiting for the disk: a killed worker loses nothing
    committed (only a crash of the database server itself could lose the last moment's marks).
    """
    if db.vendor == "postgresql":
        with db.cursor() as cursor:
            cursor.execute("SET synchronous_commit TO off")


def deliver(mailing, composer, owner, report=None):
    """Send every due pending row of ``mailing``; returns the counts by state."""
    _fast_commits()
    pace = Pace(settings.NEWSLETTER_RATE)
    totals, after = {}, 0
    with_terms = mailing.kind == Mailing.Kind.DIGEST
    while True:
        rows = list(_batch(mailing, after, settings.NEWSLETTER_BATCH_SIZE, with_terms))
        if not rows:
            return totals
        with Sender() as sender:
            counts = send_batch(sender, composer, rows, pace, owner)
        for state, count in counts.items():
            totals[state] = totals.get(state, 0) + count
        after = rows[-1].pk
        take_lease(mailing.pk, owner)
        if report:
            report(totals)
