"""
The mail outbox (members.outbox): every mail is stored (encrypted) and sent after the commit,
retried while the mail server is away, visible when it keeps failing; and registration, password
reset and e-mail change do the same work whether the address has an account or not.
(The real SMTP server stopped and started, and a hanging one: tests/integration/test_mail_outage.py.)
"""

import json
import smtplib
from datetime import timedelta

import pytest
from django.contrib.auth.hashers import MD5PasswordHasher
from django.core import mail
from django.core.mail.backends.locmem import EmailBackend as LocmemBackend
from django.core.management import CommandError, call_command
from django.db import connection, transaction
from django.utils import timezone

from members import outbox
from members.mail import send_templated_mail
from members.models import OutboxMail
from tests.members.test_registration import PASSWORD, resident, verification_link, web_form
from tests.staff import login_staff

pytestmark = pytest.mark.django_db
DOWN = "tests.members.test_outbox.ServerDown"
REFUSING = "tests.members.test_outbox.RefusesOneAddress"


class ServerDown(LocmemBackend):
    """The mail server does not answer: every send fails as a refused connection would."""

    def send_messages(self, messages):
        raise ConnectionRefusedError(111, "Connection refused")


class RefusesOneAddress(LocmemBackend):
    """The server takes every mail but refuses one address for good (550)."""

    def send_messages(self, messages):
        if messages[0].to == ["gone@example.jp"]:
            raise smtplib.SMTPRecipientsRefused({"gone@example.jp": (550, b"5.1.1 user unknown")})
        return super().send_messages(messages)


def digest(recipients):
    return send_templated_mail(recipients, "moderation/email/digest",
                               {"rows": [("掲示板", 2, 3)], "total": 2, "sections": [], "admin_url": "/q/"})


def make_due():
    OutboxMail.objects.update(next_attempt_at=timezone.now() - timedelta(seconds=1))


def test_a_mail_is_stored_encrypted_and_sent_after_the_commit(real_commit, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        with transaction.atomic():
            assert digest(["moderator@example.jp"]) == 1
        assert mail.outbox == [], "nothing leaves before the transaction commits"
    assert [m.to for m in mail.outbox] == [["moderator@example.jp"]]
    row = OutboxMail.objects.get()
    assert (row.status, row.attempts, row.body) == (OutboxMail.Status.SENT, 1, ""), "the text goes once it is sent"
    with connection.cursor() as cursor:
        cursor.execute("SELECT recipient, subject FROM members_outboxmail WHERE id = %s", [row.pk])
        stored = cursor.fetchone()
    assert all(value.startswith("enc1:") for value in stored) and "moderator" not in stored[0]


def test_each_member_gets_the_mail_in_their_own_language(make_staff):
    english, japanese = make_staff("Moderators", language="en"), make_staff("Moderators", language="ja")
    assert digest([english, japanese]) == 2
    subjects = {message.to[0]: message.subject for message in mail.outbox}
    assert subjects[english.email] == "[Shinjuku Regional Portal] 2 posts waiting for review"
    assert subjects[japanese.email] == "【新宿地域ポータル】確認待ちの投稿が2件あります"


def test_a_rolled_back_transaction_sends_nothing(real_commit, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        with pytest.raises(RuntimeError), transaction.atomic():
            digest(["moderator@example.jp"])
            raise RuntimeError("the change failed")
    assert mail.outbox == [] and not OutboxMail.objects.exists()


def test_registration_succeeds_with_the_mail_server_down_and_the_mail_follows(client, settings):
    settings.EMAIL_BACKEND = DOWN
    data = resident(31)
    response = client.post("/members/register/", web_form(data))
    assert response.status_code == 302 and response["Location"] == "/members/register/sent/"
    row = OutboxMail.objects.get()
    assert (row.status, row.attempts, row.recipient) == (OutboxMail.Status.PENDING, 1, data["email"])
    assert "ConnectionRefusedError" in row.last_error
    assert timedelta(seconds=50) < row.next_attempt_at - timezone.now() <= timedelta(minutes=1)

    outbox.send_due_mail.call()
    assert OutboxMail.objects.get().attempts == 1, "not retried before its time"
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    make_due()
    assert outbox.send_due_mail.call() == 1
    assert [m.to for m in mail.outbox] == [[data["email"]]]
    assert client.get(verification_link(mail.outbox[0]).split("testserver", 1)[1]).status_code == 200


def test_after_a_failure_new_mail_waits_for_the_scheduled_job_instead_of_the_server(settings):
    settings.EMAIL_BACKEND = DOWN
    digest(["first@example.jp"])
    digest(["second@example.jp"])  # the server just failed: not tried again from this job
    assert {row.recipient: row.attempts for row in OutboxMail.objects.all()} == {"first@example.jp": 1,
                                                                                "second@example.jp": 0}
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    make_due()
    assert outbox.send_due_mail.call() == 2, "the scheduled job is not paused: it is how sending resumes"


def test_pauses_grow_up_to_a_day_then_the_mail_is_failed_and_counted(settings):
    settings.EMAIL_BACKEND = DOWN
    digest(["moderator@example.jp"])
    pauses = []
    for _attempt in outbox.RETRY_MINUTES:
        row = OutboxMail.objects.get()
        pauses.append(round((row.next_attempt_at - timezone.now()).total_seconds() / 60))
        make_due()
        outbox.send_due_mail.call()
    assert pauses == list(outbox.RETRY_MINUTES) and pauses[-1] == 24 * 60
    row = OutboxMail.objects.get()
    assert (row.status, row.attempts) == (OutboxMail.Status.FAILED, len(outbox.RETRY_MINUTES) + 1)
    assert outbox.counts()["failed"] == 1

    with pytest.raises(CommandError) as error:
        call_command("mail_outbox", "--check")
    assert error.value.returncode == 1, "a monitor sees the failure"
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    call_command("mail_outbox", "--retry-failed", "--send-due")
    assert [m.to for m in mail.outbox] == [["moderator@example.jp"]]


def test_an_address_refused_for_good_fails_at_once_and_the_others_go(settings, capsys):
    settings.EMAIL_BACKEND = REFUSING
    digest(["a@example.jp", "gone@example.jp", "b@example.jp"])
    assert sorted(m.to[0] for m in mail.outbox) == ["a@example.jp", "b@example.jp"]
    failed = OutboxMail.objects.get(status=OutboxMail.Status.FAILED)
    assert failed.last_error == "SMTPRecipientsRefused [550]" and "gone" not in failed.last_error
    call_command("mail_outbox")
    assert json.loads(capsys.readouterr().out) == {"pending": 0, "sent": 2, "failed": 1, "pending_over_an_hour": 0}


def test_a_mail_is_sent_once_when_two_senders_reach_for_it(settings):
    settings.EMAIL_BACKEND = DOWN
    digest(["moderator@example.jp"])
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    make_due()
    pk = OutboxMail.objects.get().pk
    assert outbox.claim(pk) and not outbox.claim(pk), "the first sender holds it for the lease"
    assert outbox.deliver([pk]) == 0 and mail.outbox == []


def test_sent_mail_is_pruned_after_the_keeping_period(settings):
    settings.OUTBOX_KEEP_DAYS = 14
    digest(["old@example.jp", "new@example.jp"])
    oldest = OutboxMail.objects.order_by("pk").first()
    OutboxMail.objects.filter(pk=oldest.pk).update(created_at=timezone.now() - timedelta(days=15))
    assert outbox.prune_outbox.call() == 1
    assert [row.recipient for row in OutboxMail.objects.all()] == ["new@example.jp"]


def test_staff_see_the_outbox_masked_and_cannot_change_it(client, administrator, editor, admin_user, settings):
    settings.EMAIL_BACKEND = DOWN
    digest(["hanako.yamada@example.jp"])
    login_staff(client, administrator)
    page = client.get("/admin/mail_outbox/")
    html = page.content.decode()
    assert page.status_code == 200 and "h***@e***.jp" in html and "hanako.yamada" not in html
    assert "送信待ち" in html and "ConnectionRefusedError" in html
    pk = OutboxMail.objects.get().pk
    login_staff(client, admin_user)
    assert client.get(f"/admin/mail_outbox/edit/{pk}/").status_code in (302, 403), "not even a superuser edits mail"
    assert client.get("/admin/mail_outbox/").status_code == 200
    login_staff(client, editor)
    assert client.get("/admin/mail_outbox/").status_code in (302, 403)


# --- the same work whether the address is known or not (no enumeration by timing) ---------------

@pytest.fixture
def hashes(monkeypatch):
    """How many times a password is hashed."""
    calls = []
    encode = MD5PasswordHasher.encode
    monkeypatch.setattr(MD5PasswordHasher, "encode", lambda self, *args: calls.append(1) or encode(self, *args))
    return calls


def _work(hashes, action):
    before_hashes, before_mail = len(hashes), OutboxMail.objects.count()
    action()
    return len(hashes) - before_hashes, OutboxMail.objects.count() - before_mail


def test_registration_does_the_same_work_for_a_known_and_a_new_address(client, hashes):
    known = resident(32)
    client.post("/members/register/", web_form(known))
    new = resident(33)
    taken = _work(hashes, lambda: client.post("/members/register/", web_form({**resident(34), "email": known["email"]})))
    fresh = _work(hashes, lambda: client.post("/members/register/", web_form(new)))
    assert taken == fresh == (1, 1), "one password hash and one queued mail on both paths"


def test_password_reset_does_the_same_work_for_a_known_and_an_unknown_address(client, hashes):
    known = resident(35)
    client.post("/members/register/", web_form(known))
    with_account = _work(hashes, lambda: client.post("/members/password-reset/", {"email": known["email"]}))
    without = _work(hashes, lambda: client.post("/members/password-reset/", {"email": "nobody35@example.jp"}))
    assert with_account == without == (0, 1)


def test_email_change_does_the_same_work_for_a_taken_and_a_free_address(client, hashes):
    first, second = resident(36), resident(37)
    for data in (first, second):
        client.post("/members/register/", web_form(data))
        client.get(verification_link(mail.outbox[-1]).split("testserver", 1)[1])
    client.post("/members/login/", {"username": second["email"], "password": PASSWORD})
    taken = _work(hashes, lambda: client.post("/members/me/email/", {"email": first["email"], "password": PASSWORD}))
    free = _work(hashes, lambda: client.post("/members/me/email/", {"email": "free37@example.jp", "password": PASSWORD}))
    assert taken == free and free[1] == 1
