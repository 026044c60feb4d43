"""
An issue and the weekly digest travel through a real SMTP server (aiosmtpd on loopback) and are
read back as a mailbox would: headers (Message-ID, both List-Unsubscribe headers, the sender), the
plain-text and HTML parts, Japanese in UTF-8 without mojibake; then the one-click unsubscribe.
"""

import re
import smtplib
import socket

import pytest
from django.test import Client

from newsletter import rendering, sending, services
from newsletter.models import Delivery, Issue, Mailing, Status
from tests.newsletter.conftest import make_subscriber

pytestmark = pytest.mark.django_db


def approved_issue(title="大久保の冬まつり特集", **fields):
    issue = Issue(title=title, lead="地域の冬のイベントをお届けします。", live=False,
                  body=[("heading", "今週のおすすめ"), ("text", "<p>商店会の<b>スタンプラリー</b>が始まりました。</p>"),
                        ("link", {"title": "区の公式サイト", "url": "https://example.jp/", "description": "お知らせ"})],
                  **fields)
    issue.save()
    issue.save_revision().publish()
    return Issue.objects.get(pk=issue.pk)


def send(issue):
    mailing = services.issue_mailing(issue, via="command")
    return mailing, services.run_mailing(mailing)


def test_an_issue_arrives_over_smtp_with_its_headers_and_both_parts(smtp_sink):
    reader = make_subscriber(language="ja")
    mailing, counts = send(approved_issue())
    assert counts == {"sent": 1}
    [message] = smtp_sink.messages(to=reader.email)
    assert message["Subject"] == "【新宿地域ポータル】大久保の冬まつり特集"  # decoded from RFC 2047: no mojibake
    assert "新宿地域ポータル" in message["From"]
    delivery = Delivery.objects.get(mailing=mailing, subscriber=reader)
    assert re.fullmatch(rf"<nl\.{mailing.pk}\.{delivery.pk}\.[0-9a-f]{{12}}@portal\.example\.jp>", message["Message-ID"])
    https, mailto = [part.strip().strip("<>") for part in str(message["List-Unsubscribe"]).split(",")]
    assert re.fullmatch(r"http://testserver/newsletter/unsubscribe/[^/]+/", https)
    assert mailto.startswith("mailto:unsubscribe@portal.example.jp?subject=unsubscribe%20")
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    text = message.get_body(("plain",)).get_content()
    html = message.get_body(("html",)).get_content()
    assert "スタンプラリー" in text and "<b>スタンプラリー</b>" in html and "<img" not in html  # no tracking pixel
    for part in (text, html):
        assert "新宿地域ポータル運営事務局" in part and "〒160-0022" in part and https in part  # the law's sender block
    assert message.get_body(("plain",)).get_content_charset() == "utf-8"


def test_the_one_click_post_from_the_header_stops_mail_without_cookie_or_csrf_token(smtp_sink):
    reader = make_subscriber()
    mailing, _counts = send(approved_issue())
    [message] = smtp_sink.messages(to=reader.email)
    url = str(message["List-Unsubscribe"]).split(",")[0].strip().strip("<>")
    browserless = Client(enforce_csrf_checks=True)  # no cookie at all, CSRF enforced as in production
    page = browserless.get(url)
    assert page.status_code == 200 and "配信を停止する" in page.content.decode()
    assert browserless.post(url).status_code == 400  # an empty body changes nothing
    reader.refresh_from_db()
    assert reader.status == Status.ACTIVE
    answer = browserless.post(url, "List-Unsubscribe=One-Click", content_type="application/x-www-form-urlencoded")
    assert answer.status_code == 200 and not answer.cookies
    assert browserless.post(url, {"List-Unsubscribe": "One-Click"}).status_code == 200  # idempotent
    reader.refresh_from_db()
    assert reader.status == Status.UNSUBSCRIBED
    assert reader.consents.last().source == "one_click"
    assert services.selectors.figures_of(mailing)["unsubscribed"] == 1

    smtp_sink.received.clear()
    send(approved_issue("次の号"))
    assert smtp_sink.messages(to=reader.email) == []


def test_an_altered_unsubscribe_link_is_refused_and_changes_nothing(client):
    reader = make_subscriber()
    from newsletter.tokens import make_unsubscribe_token

    token = make_unsubscribe_token(reader.pk, 0)
    forged = token.replace(f"{reader.pk}.0", f"{reader.pk + 1}.0")
    assert client.post(f"/newsletter/unsubscribe/{forged}/", {"List-Unsubscribe": "One-Click"}).status_code == 400
    reader.refresh_from_db()
    assert reader.status == Status.ACTIVE


def test_each_subscriber_gets_the_issue_in_their_own_language_frame(smtp_sink):
    english, korean = make_subscriber(language="en"), make_subscriber(language="ko")
    send(approved_issue())
    for reader, prefix in ((english, "/en/"), (korean, "/ko/")):
        [message] = smtp_sink.messages(to=reader.email)
        assert f"http://testserver{prefix}newsletter/unsubscribe/" in message["List-Unsubscribe"]


def test_the_segment_picks_district_theme_and_language(smtp_sink):
    okubo = make_subscriber(districts=["okubo"])
    yotsuya = make_subscriber(districts=["yotsuya"])
    anywhere = make_subscriber()
    english_okubo = make_subscriber(districts=["okubo"], language="en")
    digest_only = make_subscriber(issues=False)
    stopped = make_subscriber(status=Status.UNSUBSCRIBED)
    issue = approved_issue(language="ja")
    issue.districts.set(services.selectors.terms_by_slug("district", ["okubo"])[0])
    issue.save_revision().publish()
    send(Issue.objects.get(pk=issue.pk))
    got = set(smtp_sink.count_by_recipient())
    assert got == {okubo.email, anywhere.email}
    assert not got & {yotsuya.email, english_okubo.email, digest_only.email, stopped.email}


def test_sending_again_sends_nobody_a_second_copy_and_a_draft_cannot_be_sent(smtp_sink):
    readers = [make_subscriber() for _ in range(3)]
    issue = approved_issue()
    send(issue)
    send(issue)  # the same mailing: every row is already sent
    assert smtp_sink.count_by_recipient() == {r.email: 1 for r in readers}
    assert Mailing.objects.get().state == Mailing.State.DONE
    draft = Issue(title="下書き", live=False)
    draft.save()
    with pytest.raises(Exception, match="承認"):
        services.issue_mailing(draft)


def test_a_permanent_refusal_fails_that_delivery_and_a_temporary_one_waits_for_a_retry(smtp_sink):
    refused, later, fine = make_subscriber(), make_subscriber(), make_subscriber()
    smtp_sink.refuse = {refused.email: (550, "5.1.1 No such user"), later.email: (451, "4.3.0 Try later")}
    mailing, counts = send(approved_issue())
    assert counts == {"sent": 1, "failed": 1, "pending": 1}
    states = dict(Delivery.objects.filter(mailing=mailing).values_list("subscriber__pk", "state"))
    assert states == {refused.pk: "failed", later.pk: "pending", fine.pk: "sent"}
    assert Mailing.objects.get().state == Mailing.State.SENDING  # kept open for the retry
    assert smtp_sink.count_by_recipient() == {fine.email: 1}


def test_a_message_cut_before_its_final_dot_is_not_delivered(smtp_sink):
    """What a killed worker leaves: the server never got the end of DATA and drops the message."""
    content = rendering.Content(("途中で切れたメール", "本文", "<p>本文</p>"), "ja")
    outgoing = rendering.Outgoing(content, "cut@example.jp", "token", "<cut@portal.example.jp>")
    with sending.Sender() as sender:
        with pytest.raises(sending.Abandoned):
            sender.send(outgoing, mark=lambda: False)
        sender.backend.connection.sock.shutdown(socket.SHUT_RDWR)
    raw = smtplib.SMTP("127.0.0.1", smtp_sink.port)
    raw.noop()
    raw.quit()
    assert smtp_sink.received == []


def test_each_copy_made_from_the_shared_bytes_reads_as_the_message_built_for_that_recipient():
    import email
    import email.policy

    reader = make_subscriber(language="en")
    mailing = services.issue_mailing(approved_issue())
    composer = rendering.composer_for(mailing)
    delivery = Delivery(pk=12345, mailing=mailing, subscriber=reader)
    outgoing = rendering.compose(composer, delivery, reader)
    assert outgoing.content.wire(), "the shared bytes were built (no placeholder split by an encoding)"
    fast = email.message_from_bytes(outgoing.as_bytes(), policy=email.policy.default)
    slow = email.message_from_bytes(outgoing.email_message().message().as_bytes(linesep="\r\n"),
                                 policy=email.policy.default)
    for name in ("Subject", "From", "To", "Message-ID", "List-Unsubscribe", "List-Unsubscribe-Post", "List-Id"):
        assert " ".join(str(fast[name]).split()) == " ".join(str(slow[name]).split()), name
    assert fast["To"] == reader.email and outgoing.token in fast["List-Unsubscribe"]
    for kind in ("plain", "html"):
        assert fast.get_body((kind,)).get_content() == slow.get_body((kind,)).get_content()


def test_a_one_click_from_an_old_mail_to_an_erased_address_still_answers_200(client):
    from newsletter.tokens import make_unsubscribe_token

    reader = make_subscriber()
    token = make_unsubscribe_token(reader.pk, 0)
    reader.delete()  # withdrawn, or an unconfirmed request purged
    assert client.post(f"/newsletter/unsubscribe/{token}/", {"List-Unsubscribe": "One-Click"}).status_code == 200


def test_with_the_mail_server_down_the_command_says_so_and_everyone_waits_for_the_next_run(settings):
    from django.core.management import CommandError, call_command

    from tests.newsletter.conftest import free_port

    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", free_port(), 2
    readers = [make_subscriber(), make_subscriber()]
    issue = approved_issue()
    with pytest.raises(CommandError, match="メールサーバーに送れません"):
        call_command("send_newsletter", str(issue.pk))
    mailing = Mailing.objects.get()
    assert mailing.state == Mailing.State.SENDING and mailing.lease_owner == ""
    assert set(Delivery.objects.filter(mailing=mailing).values_list("state", flat=True)) == {"pending"}
    assert Delivery.objects.filter(mailing=mailing).count() == len(readers)
