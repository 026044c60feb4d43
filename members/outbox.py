"""
The mail outbox: every e-mail the portal sends a person is stored here first (``OutboxMail``)
and sent by a job once the transaction that wanted it has committed. A request never talks to
the mail server, so a mail server that is down or hanging costs the visitor nothing, and no
mail is lost: a failed attempt is tried again after growing pauses (``RETRY_MINUTES``, up to a
day), then the mail is marked 送信失敗 and shows in the admin (メール送信状況) and in
``manage.py mail_outbox`` (a count a monitor reads).

- With ``TASKS_BACKEND=database`` the worker sends; with the immediate backend (the embedded
  default) the job runs at once after the commit, so ``make run`` still writes mails to files
  at once.
- ``send_due_mail`` (scheduled every minute) picks up retries that are due, and any mail whose
  job was lost (say, the database went away between the commit and the enqueue).
- ``prune_outbox`` (daily) deletes sent mail after ``OUTBOX_KEEP_DAYS`` days, failed mail after
  four times that.

A mail is claimed before it is sent (its next attempt moved ``LEASE`` ahead by one conditional
UPDATE), so two jobs never send the same mail; a sender that dies mid-send leaves the mail to be
sent again when the lease runs out (at least once, never silently dropped).

Mail the portal's code does not send itself (Wagtail's workflow notifications, Django's own) goes
through the outbox too: ``EMAIL_BACKEND`` is ``OutboxBackend``, which stores each message, one per
recipient, and the sender uses the real backend (``OUTBOX_EMAIL_BACKEND``, from ``EMAIL_URL``). When
``EMAIL_BACKEND`` names another backend (a test's locmem or SMTP server), that one is the real one.
"""

import logging
import smtplib
import time
from datetime import timedelta
from functools import partial

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.core.mail.backends.base import BaseEmailBackend
from django.db import transaction
from django.db.models import Count
from django.utils import timezone
from django_tasks import task

from .models import OutboxMail

logger = logging.getLogger(__name__)

RETRY_MINUTES = (1, 5, 15, 60, 180, 720, 1440)  # pauses after the 1st, 2nd, ... failed attempt
LEASE = timedelta(minutes=10)  # longer than any SMTP conversation (EMAIL_TIMEOUT)
DUE_BATCH = 200
PAUSE_AFTER_FAILURE = 60  # seconds
_server_failed_at = float("-inf")  # when this process last failed to reach the mail server

# Per message, the server refused this mail (not the connection): try the others.
MESSAGE_ERRORS = (smtplib.SMTPRecipientsRefused, smtplib.SMTPSenderRefused, smtplib.SMTPDataError)


def on_commit(function):
    """``transaction.on_commit``, robust: a failing enqueue never turns a stored change into an error."""
    transaction.on_commit(function, robust=True)


def queue(messages, template):
    """
    Store ``messages`` (``EmailMessage`` objects, one recipient each) and have them sent once the
    current transaction commits (at once outside one). Returns how many were queued.
    """
    ids = [
        OutboxMail.objects.create(
            template=template, recipient=message.to[0], subject=message.subject, body=message.body,
            from_email=message.from_email or "", headers=dict(message.extra_headers or {}),
        ).pk
        for message in messages
    ]
    if ids:
        on_commit(partial(_enqueue, ids))
    return len(ids)


OUTBOX_BACKEND = "members.outbox.OutboxBackend"
BACKEND_TEMPLATE = "email_backend"  # the kind shown for mail that came through OutboxBackend


def real_backend():
    """The backend that talks to the mail server: ``OUTBOX_EMAIL_BACKEND`` while ``EMAIL_BACKEND`` is the outbox."""
    if settings.EMAIL_BACKEND == OUTBOX_BACKEND:
        return settings.OUTBOX_EMAIL_BACKEND
    return settings.EMAIL_BACKEND


def real_connection(**kwargs):
    """A connection of the real backend (the outbox's sender, and the mail magazine's bulk delivery)."""
    return get_connection(real_backend(), fail_silently=False, **kwargs)


class OutboxBackend(BaseEmailBackend):
    """
    ``EMAIL_BACKEND`` for mail sent with Django's own functions (Wagtail's notifications,
    ``send_mail``, ``mail_admins``): each message is stored in the outbox, one per recipient (to,
    cc and bcc alike, so no one sees another's address), and sent after the commit like the rest.
    The text part is kept; an HTML alternative is not (the outbox stores text mail).
    """

    def send_messages(self, email_messages):
        queued = 0
        for message in email_messages:
            copies = [EmailMessage(str(message.subject), message.body, from_email=message.from_email,
                                   to=[address], headers=dict(message.extra_headers)) for address in message.recipients()]
            if copies:
                queued += bool(queue(copies, BACKEND_TEMPLATE))
        return queued


def _enqueue(ids):
    try:
        send_queued_mail.enqueue(ids)
    except Exception:  # the mail is stored: send_due_mail sends it within a minute
        logger.exception("outbox: could not enqueue the sending of %s mail(s); send_due_mail will send them", len(ids))


@task()
def send_queued_mail(ids):
    """
    Send the given outbox mails (the job each ``queue`` enqueues). Right after the mail server
    failed (``PAUSE_AFTER_FAILURE``) this process leaves them to ``send_due_mail`` instead, so a
    server that hangs costs the worker one ``EMAIL_TIMEOUT`` a minute, not one per mail.
    """
    if time.monotonic() < _server_failed_at + PAUSE_AFTER_FAILURE:
        return 0
    return deliver(ids)


@task()
def send_due_mail():
    """Send every pending mail whose time has come: retries, and mails whose job was lost."""
    due = (OutboxMail.objects.filter(status=OutboxMail.Status.PENDING, next_attempt_at__lte=timezone.now())
           .order_by("next_attempt_at").values_list("pk", flat=True)[:DUE_BATCH])
    return deliver(list(due))


@task()
def prune_outbox():
    """Delete sent mail after OUTBOX_KEEP_DAYS days and failed mail after four times that."""
    days = settings.OUTBOX_KEEP_DAYS
    now = timezone.now()
    sent, _ = OutboxMail.objects.filter(status=OutboxMail.Status.SENT, created_at__lt=now - timedelta(days=days)).delete()
    failed, _ = OutboxMail.objects.filter(status=OutboxMail.Status.FAILED,
                                          created_at__lt=now - timedelta(days=days * 4)).delete()
    return sent + failed


def claim(pk):
    """Take a pending, due mail for sending (True), unless another sender has it or it is not due."""
    now = timezone.now()
    return OutboxMail.objects.filter(pk=pk, status=OutboxMail.Status.PENDING, next_attempt_at__lte=now).update(
        next_attempt_at=now + LEASE) == 1


def deliver(ids):
    """Claim and send the mails ``ids`` over one connection. Returns how many were sent."""
    global _server_failed_at
    claimed = [pk for pk in ids if claim(pk)]
    if not claimed:
        return 0
    mails = list(OutboxMail.objects.filter(pk__in=claimed).order_by("pk"))
    sent = 0
    connection = real_connection()
    try:
        for index, mail in enumerate(mails):
            try:
                connection.send_messages([message_of(mail)])
            except MESSAGE_ERRORS as exc:
                record_failure(mail, exc)
            except Exception as exc:  # the server or the way to it: every mail left waits for the next try
                _server_failed_at = time.monotonic()
                for left in mails[index:]:
                    record_failure(left, exc)
                break
            else:
                record_sent(mail)
                sent += 1
    finally:
        try:
            connection.close()
        except Exception:  # noqa: BLE001 - closing a broken connection may fail too
            pass
    return sent


def message_of(mail):
    return EmailMessage(mail.subject, mail.body, from_email=mail.from_email or None, to=[mail.recipient],
                        headers=mail.headers or None)


def record_sent(mail):
    OutboxMail.objects.filter(pk=mail.pk).update(
        status=OutboxMail.Status.SENT, sent_at=timezone.now(), attempts=mail.attempts + 1, last_error="",
        body="")


def describe(exc):
    """What went wrong, without the address (a refusal names the recipient)."""
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        return f"SMTPRecipientsRefused {sorted({code for code, _text in exc.recipients.values()})}"
    code = getattr(exc, "smtp_code", None)
    if code:  # the server's own text may echo an address: the code says enough
        return f"{type(exc).__name__} {code}"
    return f"{type(exc).__name__}: {exc}"[:200]


def is_permanent(exc):
    """A 5xx refusal of this very mail: trying again will not help."""
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        return all(code >= 500 for code, _text in exc.recipients.values())
    return isinstance(exc, MESSAGE_ERRORS) and getattr(exc, "smtp_code", 0) >= 500


def record_failure(mail, exc):
    attempts = mail.attempts + 1
    fields = {"attempts": attempts, "last_error": describe(exc)[:200]}
    if is_permanent(exc) or attempts > len(RETRY_MINUTES):
        fields["status"] = OutboxMail.Status.FAILED
        logger.error("outbox: mail %s (%s) failed for good after %s attempt(s): %s",
                     mail.pk, mail.template, attempts, fields["last_error"])
    else:
        fields["next_attempt_at"] = timezone.now() + timedelta(minutes=RETRY_MINUTES[attempts - 1])
        logger.warning("outbox: mail %s (%s) not sent (attempt %s), next try at %s: %s",
                       mail.pk, mail.template, attempts, fields["next_attempt_at"].isoformat(), fields["last_error"])
    OutboxMail.objects.filter(pk=mail.pk).update(**fields)


def counts():
    """Mails per state, and how many pending ones are overdue by more than an hour: what a monitor reads."""
    by_status = dict(OutboxMail.objects.values_list("status").annotate(n=Count("pk")).values_list("status", "n"))
    overdue = OutboxMail.objects.filter(status=OutboxMail.Status.PENDING, attempts__gt=0,
                                        created_at__lt=timezone.now() - timedelta(hours=1)).count()
    return {"pending": by_status.get(OutboxMail.Status.PENDING, 0), "sent": by_status.get(OutboxMail.Status.SENT, 0),
            "failed": by_status.get(OutboxMail.Status.FAILED, 0), "pending_over_an_hour": overdue}


def retry_failed():
    """Put every failed mail back in the queue (after the cause, say the mail settings, was fixed)."""
    return OutboxMail.objects.filter(status=OutboxMail.Status.FAILED).update(
        status=OutboxMail.Status.PENDING, attempts=0, next_attempt_at=timezone.now(), last_error="")
