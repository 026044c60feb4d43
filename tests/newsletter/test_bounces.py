"""
`manage.py process_bounces PATH` reads delivery status notifications (RFC 3464) and complaints
(ARF) from a maildir or an mbox: repeated hard bounces suspend an address, a complaint stops it at
once, a soft bounce only counts, the same report read twice counts once, and the figures show it.
"""

import mailbox
from email.message import EmailMessage

import pytest
from django.core import mail
from django.core.management import call_command

from newsletter import selectors, services
from newsletter.models import Bounce, Issue, Status
from newsletter.tokens import make_unsubscribe_token
from tests.newsletter.conftest import make_subscriber

pytestmark = pytest.mark.django_db


def sent_issue(*readers):
    issue = Issue(title="不達テストの号", live=False)
    issue.save()
    issue.save_revision().publish()
    mailing = services.issue_mailing(Issue.objects.get(pk=issue.pk))
    services.run_mailing(mailing)
    return mailing, {m.to[0]: m for m in mail.outbox}


def original_headers(message):
    return "".join(f"{name}: {value}\n" for name, value in (("Message-ID", message.extra_headers["Message-ID"]),
                                                             ("To", message.to[0]), ("Subject", "x")))


def dsn(recipient, status="5.1.1", action="failed", original=None, report_id="<dsn-1@mx.example.jp>"):
    """A delivery status notification as a receiving MTA writes it (RFC 3464)."""
    attached = (f"--B\nContent-Type: text/rfc822-headers\n\n{original}\n") if original else ""
    return (f"From: MAILER-DAEMON@mx.example.jp\nTo: bounces@portal.example.jp\nSubject: Undelivered Mail\n"
            f"Message-ID: {report_id}\nMIME-Version: 1.0\n"
            f"Content-Type: multipart/report; report-type=delivery-status; boundary=\"B\"\n\n"
            f"--B\nContent-Type: text/plain; charset=utf-8\n\nメールを配送できませんでした。\n"
            f"--B\nContent-Type: message/delivery-status\n\nReporting-MTA: dns; mx.example.jp\n\n"
            f"Final-Recipient: rfc822; {recipient}\nAction: {action}\nStatus: {status}\n"
            f"Diagnostic-Code: smtp; 550 {status} User unknown\n\n{attached}--B--\n").encode()


def arf(recipient, original_message, report_id="<arf-1@fbl.example.jp>"):
    """A complaint as a mailbox provider's feedback loop sends it (ARF, RFC 5965)."""
    return (f"From: fbl@isp.example.jp\nSubject: FW: spam report\nMessage-ID: {report_id}\nMIME-Version: 1.0\n"
            f"Content-Type: multipart/report; report-type=feedback-report; boundary=\"B\"\n\n"
            f"--B\nContent-Type: text/plain\n\nThis is an abuse report.\n"
            f"--B\nContent-Type: message/feedback-report\n\nFeedback-Type: abuse\nUser-Agent: FBL/1.0\n"
            f"Version: 1\nOriginal-Rcpt-To: {recipient}\n\n"
            f"--B\nContent-Type: message/rfc822\n\n{original_message}\n--B--\n").encode()


def maildir_with(path, *messages):
    box = mailbox.Maildir(str(path), create=True)
    for message in messages:
        box.add(message)
    return path


def test_repeated_hard_bounces_suspend_the_address_and_count_in_the_figures(tmp_path, capsys):
    reader, other = make_subscriber(), make_subscriber()
    mailing, sent = sent_issue(reader, other)
    first = dsn(reader.email, original=original_headers(sent[reader.email]))
    call_command("process_bounces", str(maildir_with(tmp_path / "box1", first)))
    reader.refresh_from_db()
    assert reader.status == Status.ACTIVE and reader.bounces.get().kind == Bounce.Kind.HARD
    assert selectors.figures_of(mailing)["bounced"] == 1
    assert "不達（恒久）1" in capsys.readouterr().out

    call_command("process_bounces", str(tmp_path / "box1"))  # the same report again: counted once
    assert reader.bounces.count() == 1
    second = dsn(reader.email, report_id="<dsn-2@mx.example.jp>")  # no original attached: found by the address
    call_command("process_bounces", str(maildir_with(tmp_path / "box2", second)))
    reader.refresh_from_db()
    assert reader.status == Status.SUSPENDED and "不達" in reader.suspended_reason
    other.refresh_from_db()
    assert other.status == Status.ACTIVE


def test_a_soft_bounce_counts_but_suspends_nobody(tmp_path):
    reader = make_subscriber()
    for n in range(3):
        call_command("process_bounces", str(maildir_with(
            tmp_path / f"box{n}", dsn(reader.email, status="4.2.2", action="delayed", report_id=f"<s{n}@mx>"))))
    reader.refresh_from_db()
    assert reader.status == Status.ACTIVE and reader.bounces.filter(kind=Bounce.Kind.SOFT).count() == 3


def test_a_complaint_from_an_mbox_stops_mail_at_once(tmp_path):
    reader = make_subscriber()
    mailing, sent = sent_issue(reader)
    original = f"Message-ID: {sent[reader.email].extra_headers['Message-ID']}\nTo: {reader.email}\nSubject: x\n\nbody"
    box = mailbox.mbox(str(tmp_path / "complaints.mbox"), create=True)
    box.add(arf("", original))
    box.flush()
    call_command("process_complaints", str(tmp_path / "complaints.mbox"))
    reader.refresh_from_db()
    assert reader.status == Status.SUSPENDED
    assert selectors.figures_of(mailing)["complaints"] == 1


def test_a_mail_to_the_unsubscribe_mailto_address_unsubscribes(tmp_path):
    reader = make_subscriber()
    request = EmailMessage()
    request["Subject"], request["To"] = f"unsubscribe {make_unsubscribe_token(reader.pk)}", "unsubscribe@portal.example.jp"
    request.set_content("")
    call_command("process_bounces", str(maildir_with(tmp_path / "box", request)))
    reader.refresh_from_db()
    assert reader.status == Status.UNSUBSCRIBED and reader.consents.last().source == "mail"


def test_an_unknown_address_and_a_missing_path_are_reported_not_crashed(tmp_path, capsys):
    call_command("process_bounces", str(maildir_with(tmp_path / "box", dsn("nobody@example.jp"))))
    assert "該当なし 1" in capsys.readouterr().out
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="読み取れません"):
        call_command("process_bounces", str(tmp_path / "missing"))
