"""
Subscribing: through the API and the site, double opt-in (the mailed link opens a page; only its
button confirms), the same answer for every address, bad input refused with a code and nothing sent.
"""

import re

import pytest
from django.core import mail
from django.core.signing import TimestampSigner
from django.utils import timezone

from newsletter import selectors, tokens
from newsletter.models import ConsentRecord, Status, Subscriber
from tests.newsletter.conftest import address, make_subscriber

pytestmark = pytest.mark.django_db
API = "/api/v3/newsletter/subscriptions"


def subscribe(client, email, **choices):
    body = {"email": email, "districts": ["okubo"], "themes": ["kosodate"], "language": "ja", "digest": True,
            **choices}
    return client.post(API, body, content_type="application/json")


def confirm_path(message):
    return re.search(r"https?://[^/\s]+(/(?:[a-z-]+/)?newsletter/confirm/\S+/)", message.body).group(1)


def test_subscribing_mails_a_link_whose_page_confirms_only_with_its_button(client):
    email = address()
    response = subscribe(client, email)
    assert response.status_code == 202
    assert len(mail.outbox) == 1 and mail.outbox[0].to == [email]
    assert "申し込みの確認" in mail.outbox[0].subject and "大久保" in mail.outbox[0].body
    subscriber = selectors.subscriber_by_email(email)
    assert subscriber.status == Status.PENDING

    path = confirm_path(mail.outbox[0])
    page = client.get(path)  # what a mail scanner does: changes nothing
    assert page.status_code == 200 and "配信を開始する" in page.content.decode()
    subscriber.refresh_from_db()
    assert subscriber.status == Status.PENDING

    done = client.post(path)
    assert done.status_code == 200 and "配信を開始しました" in done.content.decode()
    subscriber.refresh_from_db()
    assert subscriber.status == Status.ACTIVE
    assert selectors.choices_of(subscriber) == {"districts": ["okubo"], "themes": ["kosodate"], "language": "ja",
                                                "issues": True, "digest": True}
    events = list(subscriber.consents.values_list("event", "source", "text_version"))
    assert events == [("requested", "api", "2026-11"), ("confirmed", "api", "2026-11")]


def test_the_address_is_stored_encrypted_and_found_by_its_hash(client):
    email = address()
    subscribe(client, email)
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT email FROM newsletter_subscriber")
        stored = [row[0] for row in cursor.fetchall()]
    assert stored and all(value.startswith("enc1:") and email not in value for value in stored)
    assert selectors.subscriber_by_email(email.upper()).email == email


def test_confirming_through_the_api_and_twice_answers_the_same(client):
    email = address()
    subscribe(client, email, language="en")
    token = confirm_path(mail.outbox[0]).rstrip("/").rsplit("/", 1)[1]
    assert "/en/newsletter/confirm/" in mail.outbox[0].body  # the link opens the page in English
    first = client.post("/api/v3/newsletter/confirm", {"token": token}, content_type="application/json")
    again = client.post("/api/v3/newsletter/confirm", {"token": token}, content_type="application/json")
    assert first.status_code == again.status_code == 200
    assert first.json()["status"] == "active"
    assert Subscriber.objects.get().consents.filter(event=ConsentRecord.Event.CONFIRMED).count() == 1


@pytest.mark.parametrize("body, code", [
    ({"email": "not-an-address"}, "invalid_email"),
    ({"email": "someone@mailinator.com"}, "disposable_email"),
    ({"email": "someone@x.yopmail.com"}, "disposable_email"),
    ({"districts": ["okubo", "atlantis"]}, "unknown_district"),
    ({"themes": ["flying"]}, "unknown_theme"),
    ({"digest": False, "issues": False}, "nothing_chosen"),
])
def test_bad_input_is_a_problem_with_a_code_and_nothing_is_stored_or_sent(client, body, code):
    response = client.post(API, {"email": address(), "districts": [], "themes": [], **body},
                           content_type="application/json")
    assert response.status_code == 422
    problem = response.json()
    assert problem["code"] == code and problem["detail"] and response["Content-Type"] == "application/problem+json"
    assert not Subscriber.objects.exists() and not mail.outbox


def test_a_language_the_portal_does_not_speak_is_a_validation_problem(client):
    response = client.post(API, {"email": address(), "language": "fr"}, content_type="application/json")
    assert response.status_code == 422 and response.json()["code"] == "validation_error"


@pytest.mark.parametrize("token", ["", "garbage", "eyJzIjoxLCJuIjoiYSJ9:1xXF:forged"])
def test_an_altered_confirmation_token_is_refused(client, token):
    response = client.post("/api/v3/newsletter/confirm", {"token": token}, content_type="application/json")
    assert response.status_code == 400 and response.json()["code"] == "invalid_token"
    assert client.get(f"/newsletter/confirm/{token or 'x'}/").status_code == 400


def test_an_expired_confirmation_link_says_so_and_subscribes_nobody(client, settings):
    subscriber = make_subscriber(status=Status.PENDING)
    subscriber.pending = {"nonce": "abc", "districts": [], "themes": [], "language": "ja", "issues": True,
                          "digest": True}
    subscriber.save()
    old = TimestampSigner(salt=tokens.CONFIRM_SALT).sign_object({"s": subscriber.pk, "n": "abc"})
    settings.NEWSLETTER_CONFIRM_HOURS = 0
    response = client.post("/api/v3/newsletter/confirm", {"token": old}, content_type="application/json")
    assert response.status_code == 400 and response.json()["code"] == "token_expired"
    page = client.post(f"/newsletter/confirm/{old}/")
    assert page.status_code == 400 and "期限切れ" in page.content.decode()
    subscriber.refresh_from_db()
    assert subscriber.status == Status.PENDING


def test_every_address_gets_the_same_answer_and_a_second_request_sends_nothing_more(client):
    active, suspended, new = make_subscriber(), make_subscriber(status=Status.SUSPENDED), address()
    answers = [subscribe(client, email) for email in (active.email, suspended.email, new)]
    assert {(a.status_code, a.content) for a in answers} == {(202, answers[0].content)}
    assert sorted(m.to[0] for m in mail.outbox) == sorted([active.email, new])  # a suspended address: nothing
    assert subscribe(client, new).status_code == 202 and subscribe(client, active.email).status_code == 202
    assert len(mail.outbox) == 2  # within NEWSLETTER_RESEND_MINUTES: nothing sent twice
    assert Subscriber.objects.count() == 3


def test_an_active_subscribers_new_choices_wait_for_the_owners_confirmation(client):
    subscriber = make_subscriber(districts=["okubo"])
    subscribe(client, subscriber.email, districts=["yotsuya"], themes=[])
    assert "設定変更の確認" in mail.outbox[0].subject
    subscriber.refresh_from_db()
    assert selectors.choices_of(subscriber)["districts"] == ["okubo"]  # someone else cannot change them
    client.post(confirm_path(mail.outbox[0]))
    subscriber.refresh_from_db()
    assert selectors.choices_of(subscriber)["districts"] == ["yotsuya"] and subscriber.status == Status.ACTIVE


def test_the_request_rate_per_client_address_is_limited(client, settings):
    settings.NEWSLETTER_RATE_ADDRESS = (2, 3600)
    assert [subscribe(client, address()).status_code for _ in range(3)] == [202, 202, 429]
    assert subscribe(client, address()).json()["code"] == "rate_limited"


def test_the_site_form_subscribes_with_consent_and_shows_errors_in_japanese(client):
    page = client.get("/newsletter/")
    assert page.status_code == 200 and "大久保" in page.content.decode()
    refused = client.post("/newsletter/", {"email": "bad", "districts": ["okubo"], "language": "ja", "digest": "on"})
    text = refused.content.decode()
    assert refused.status_code == 400 and "メールアドレスの形式が正しくありません" in text and "配信への同意が必要です" in text
    assert 'value="okubo" checked' in text or "checked" in text  # what was chosen is kept
    email = address()
    sent = client.post("/newsletter/", {"email": email, "themes": ["kosodate"], "language": "ko", "issues": "on",
                                        "agree": "on"})
    assert sent.status_code == 302 and sent["Location"].endswith("/newsletter/sent/")
    assert mail.outbox[-1].to == [email] and "/ko/newsletter/confirm/" in mail.outbox[-1].body
    assert selectors.subscriber_by_email(email).consents.get().source == "web"


def test_unconfirmed_requests_are_deleted_after_the_waiting_period(settings):
    from newsletter.services import purge_unconfirmed

    old = make_subscriber(status=Status.PENDING)
    Subscriber.objects.filter(pk=old.pk).update(created_at=timezone.now() - timezone.timedelta(days=8))
    recent, active = make_subscriber(status=Status.PENDING), make_subscriber()
    assert purge_unconfirmed() >= 1
    assert set(Subscriber.objects.values_list("pk", flat=True)) == {recent.pk, active.pk}
