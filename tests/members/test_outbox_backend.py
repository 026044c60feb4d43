"""
Wagtail's own mails go through the outbox too (issue 19, item 3): ``EMAIL_BACKEND`` is
``members.outbox.OutboxBackend`` in production, which stores each message, one per recipient, and
the outbox's sender uses the real backend (``OUTBOX_EMAIL_BACKEND``). A page submitted for
moderation while the mail server is down still notifies the moderators once it is back; the mail
magazine's bulk delivery keeps its own real connection.
"""

from datetime import timedelta

import pytest
from django.core import mail
from django.core.mail import EmailMessage, get_connection
from django.utils import timezone

from members import outbox
from members.models import OutboxMail
from pages.models import DistrictPage
from tests.members.test_outbox import DOWN

pytestmark = pytest.mark.django_db
LOCMEM = "django.core.mail.backends.locmem.EmailBackend"


@pytest.fixture
def through_the_outbox(settings):
    """The production arrangement: Django's mail functions store, the outbox sends with the real backend."""
    settings.EMAIL_BACKEND = outbox.OUTBOX_BACKEND
    settings.OUTBOX_EMAIL_BACKEND = LOCMEM
    return settings


def make_due():
    OutboxMail.objects.update(next_attempt_at=timezone.now() - timedelta(seconds=1))


def test_production_settings_send_every_mail_through_the_outbox():
    from django.conf import settings

    from portal import settings as production

    assert production.EMAIL_BACKEND == outbox.OUTBOX_BACKEND
    assert production.OUTBOX_EMAIL_BACKEND != outbox.OUTBOX_BACKEND
    assert settings.EMAIL_BACKEND == LOCMEM, "the test runner's own backend wins in tests"
    assert outbox.real_backend() == LOCMEM


def test_a_message_for_three_people_is_stored_once_per_recipient(through_the_outbox, django_capture_on_commit_callbacks):
    message = EmailMessage("お知らせ", "本文です。", to=["a@example.jp"], cc=["b@example.jp"], bcc=["c@example.jp"])
    with django_capture_on_commit_callbacks(execute=True):
        assert get_connection().send_messages([message]) == 1
    assert sorted(m.to[0] for m in mail.outbox) == ["a@example.jp", "b@example.jp", "c@example.jp"]
    assert all(m.to == [m.to[0]] and not m.cc and not m.bcc for m in mail.outbox), "no one sees another's address"
    assert set(OutboxMail.objects.values_list("status", "template")) == {(OutboxMail.Status.SENT, "email_backend")}


def test_a_page_submitted_for_moderation_with_smtp_down_notifies_the_moderators_later(
        through_the_outbox, make_staff, django_capture_on_commit_callbacks):
    moderator, editor = make_staff("Moderators"), make_staff("Editors")
    through_the_outbox.OUTBOX_EMAIL_BACKEND = DOWN
    page = DistrictPage.objects.live().first().specific
    page.title = f"{page.title}（改訂）"
    with django_capture_on_commit_callbacks(execute=True):
        page.save_revision(user=editor)
        page.get_workflow().start(page, editor)
    waiting = [row for row in OutboxMail.objects.all() if row.recipient == moderator.email]  # stored encrypted
    assert len(waiting) == 1 and mail.outbox == [], "queued, not lost, while the server is down"
    row = waiting[0]
    assert (row.status, row.attempts, row.template) == (OutboxMail.Status.PENDING, 1, "email_backend")

    through_the_outbox.OUTBOX_EMAIL_BACKEND = LOCMEM  # the mail server is back
    make_due()
    outbox.send_due_mail.call()
    notification = next(m for m in mail.outbox if m.to == [moderator.email])
    assert page.title in notification.subject + notification.body
    assert OutboxMail.objects.get(pk=row.pk).status == OutboxMail.Status.SENT


def test_the_mail_magazine_delivers_over_the_real_backend(through_the_outbox):
    from newsletter.sending import Sender

    through_the_outbox.OUTBOX_EMAIL_BACKEND = LOCMEM
    assert type(Sender().backend).__module__ == "django.core.mail.backends.locmem"
