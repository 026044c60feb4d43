"""
Reading what comes back: delivery status notifications (RFC 3464, ``multipart/report;
report-type=delivery-status``), complaints (ARF, RFC 5965, ``report-type=feedback-report``) and
unsubscribe requests sent to the ``mailto:`` of List-Unsubscribe, from a maildir, an mbox or a
single message file. Python's ``email`` and ``mailbox`` packages do the parsing.

A report is tied to its delivery by the original message's Message-ID (signed: ``tokens``), else
to the subscriber by the recipient address. Each report is counted once (``Bounce.report_key``).
"""

import email
import email.header
import hashlib
import mailbox
import re
from dataclasses import dataclass, field
from email.parser import HeaderParser
from pathlib import Path

from . import selectors, services, tokens
from .models import Bounce, ConsentRecord, Delivery


@dataclass
class Found:
    """One recipient's outcome in a report."""

    kind: str  # Bounce.Kind value
    recipient: str = ""
    status: str = ""
    diagnostic: str = ""


@dataclass
class Summary:
    read: int = 0
    hard: int = 0
    soft: int = 0
    complaints: int = 0
    unsubscribed: int = 0
    duplicates: int = 0
    unmatched: int = 0
    ignored: int = 0
    errors: list = field(default_factory=list)


def messages_in(path):
    """Every message under ``path``: a maildir (cur/new/tmp), an mbox file, or one message file."""
    path = Path(path)
    if path.is_dir():
        if not all((path / name).is_dir() for name in ("cur", "new", "tmp")):
            raise ValueError(f"{path} is a directory but not a maildir (cur/, new/, tmp/)")
        box = mailbox.Maildir(str(path), factory=None, create=False)
    elif path.is_file():
        with path.open("rb") as handle:
            first = handle.read(5)
        if first != b"From ":
            with path.open("rb") as handle:
                yield email.message_from_binary_file(handle)
            return
        box = mailbox.mbox(str(path), create=False)
    else:
        raise FileNotFoundError(path)
    for key in box.iterkeys():
        yield box.get_message(key)


def _address(value):
    """``rfc822; someone@example.jp`` -> ``someone@example.jp``."""
    value = (value or "").strip()
    return value.split(";", 1)[1].strip().strip("<>") if ";" in value else value.strip("<>")


def _parts(message, content_type):
    return [part for part in message.walk() if part.get_content_type() == content_type]


def _original_message_id(message):
    """The Message-ID of the message a report is about (its copy or headers are attached)."""
    for part in message.walk():
        kind = part.get_content_type()
        if kind in ("message/rfc822", "message/global") and part.is_multipart():
            return part.get_payload(0).get("Message-ID", "")
        if kind in ("text/rfc822-headers", "text/global-headers"):
            payload = part.get_payload(decode=True) or b""
            return HeaderParser().parsestr(payload.decode("utf-8", "replace")).get("Message-ID", "")
    return ""


def delivery_status(message):
    """The failed or delayed recipients of a DSN (delivered, relayed and expanded ones are not bounces)."""
    found = []
    for part in _parts(message, "message/delivery-status"):
        blocks = part.get_payload() if part.is_multipart() else []
        for block in blocks[1:]:  # the first block is about the message, the others each about a recipient
            action = (block.get("Action") or "").strip().lower()
            status = (block.get("Status") or "").strip()
            if action not in ("failed", "delayed"):
                continue
            hard = action == "failed" and status.startswith("5")
            found.append(Found(Bounce.Kind.HARD if hard else Bounce.Kind.SOFT,
                               _address(block.get("Final-Recipient") or block.get("Original-Recipient")), status,
                               " ".join((block.get("Diagnostic-Code") or "").split())))
    return found


def feedback(message):
    """A complaint (ARF): the recipient who reported the message as spam."""
    for part in _parts(message, "message/feedback-report"):
        blocks = part.get_payload() if part.is_multipart() else [HeaderParser().parsestr(str(part.get_payload()))]
        fields = blocks[0] if blocks else {}
        if (fields.get("Feedback-Type") or "abuse").strip().lower() in ("abuse", "fraud", "other"):
            return [Found(Bounce.Kind.COMPLAINT, _address(fields.get("Original-Rcpt-To", "")),
                          diagnostic=(fields.get("Feedback-Type") or "abuse").strip())]
    return []


UNSUBSCRIBE_SUBJECT = re.compile(r"unsubscribe\s+(\S+)", re.IGNORECASE)


def report_type(message):
    if message.get_content_type() != "multipart/report":
        return ""
    return (message.get_param("report-type") or "").lower()


def process_message(message, summary):
    summary.read += 1
    kind = report_type(message)
    if kind == "delivery-status":
        outcomes = delivery_status(message)
    elif kind == "feedback-report":
        outcomes = feedback(message)
    else:
        return _unsubscribe_request(message, summary)
    if not outcomes:
        summary.ignored += 1
    delivery = _delivery(_original_message_id(message))
    report_id = message.get("Message-ID") or hashlib.sha256(message.as_bytes()).hexdigest()
    for outcome in outcomes:
        _register(outcome, delivery, report_id, summary)


def _delivery(message_id):
    delivery_id = tokens.read_message_id(message_id)
    if delivery_id is None:
        return None
    return Delivery.objects.select_related("subscriber").filter(pk=delivery_id).first()


def _register(outcome, delivery, report_id, summary):
    subscriber = delivery.subscriber if delivery else (
        selectors.subscriber_by_email(outcome.recipient) if outcome.recipient else None)
    if subscriber is None:
        summary.unmatched += 1
        return
    key = hashlib.sha256(f"{report_id}|{subscriber.pk}|{outcome.kind}".encode()).hexdigest()
    if not services.register_report(subscriber, delivery, outcome.kind, key, outcome.status, outcome.diagnostic):
        summary.duplicates += 1
        return
    name = {Bounce.Kind.HARD: "hard", Bounce.Kind.SOFT: "soft", Bounce.Kind.COMPLAINT: "complaints"}[outcome.kind]
    setattr(summary, name, getattr(summary, name) + 1)


def _unsubscribe_request(message, summary):
    """A mail to the List-Unsubscribe ``mailto:`` address, its subject ``unsubscribe <token>``."""
    subject = str(email.header.make_header(email.header.decode_header(message.get("Subject", ""))))
    found = UNSUBSCRIBE_SUBJECT.search(subject)
    if not found:
        summary.ignored += 1
        return
    try:
        services.unsubscribe(found.group(1), source=ConsentRecord.Source.MAIL)
    except tokens.TokenError:
        summary.unmatched += 1
        return
    summary.unsubscribed += 1


def process_path(path):
    summary = Summary()
    for message in messages_in(path):
        try:
            process_message(message, summary)
        except Exception as exc:  # noqa: BLE001 (one unreadable message does not stop the rest)
            summary.errors.append(f"{message.get('Message-ID', '?')}: {exc}")
    return summary

