"""
Members manage their subscription on their profile and through `GET|PUT /api/v3/newsletter/me`
(no confirmation mail: they log in with that address); it is part of their data export and is
erased when they withdraw.
"""

import pytest
from django.core import mail

from members.models import User
from members.services import export_member_data, withdraw_member
from newsletter import selectors
from newsletter.models import ConsentRecord, Status, Subscriber
from tests.newsletter.conftest import address, make_subscriber

pytestmark = pytest.mark.django_db
PASSWORD = "correct horse battery 9"


@pytest.fixture
def member(client):
    from django.utils import timezone

    user = User.objects.create_user(address(), PASSWORD, nickname="さくら", email_verified_at=timezone.now())
    client.force_login(user)
    return user


def test_the_profile_shows_the_newsletter_and_saving_subscribes_at_once(client, member):
    page = client.get("/members/me/").content.decode()
    assert "メールマガジン" in page and "いまメールマガジンは受け取っていません" in page
    response = client.post("/newsletter/me/", {"next": "profile", "subscribed": "on", "districts": ["okubo"],
                                               "language": "ja", "digest": "on"})
    assert response.status_code == 302 and response["Location"].endswith("/members/me/")
    subscriber = selectors.subscriber_of_member(member)
    assert subscriber.status == Status.ACTIVE and subscriber.email == member.email and subscriber.user == member
    assert selectors.choices_of(subscriber)["districts"] == ["okubo"] and not subscriber.issues
    assert subscriber.consents.get().source == ConsentRecord.Source.PROFILE
    assert mail.outbox == []
    assert "いまメールマガジンを受け取っています" in client.get("/members/me/").content.decode()


def test_bad_choices_on_the_preferences_page_are_shown_and_nothing_changes(client, member):
    response = client.post("/newsletter/me/", {"subscribed": "on", "language": "ja", "districts": ["atlantis"]})
    assert response.status_code == 400 and "選べない地域です" in response.content.decode()
    response = client.post("/newsletter/me/", {"subscribed": "on", "language": "ja"})
    assert response.status_code == 400 and "1つ以上選んでください" in response.content.decode()
    assert not Subscriber.objects.exists()


def test_the_api_gives_and_changes_the_members_own_choices(member):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)  # as a browser: the session cookie alone is not enough to change
    client.force_login(member)
    assert client.get("/api/v3/newsletter/me").json() == {
        "subscribed": False, "districts": [], "themes": [], "language": "ja", "issues": True, "digest": True}
    client.get("/api/v3/members/csrf")
    token = client.cookies["csrftoken"].value
    body = {"subscribed": True, "districts": [], "themes": ["kosodate"], "language": "zh-hans", "issues": True,
            "digest": False}
    refused = client.put("/api/v3/newsletter/me", body, content_type="application/json")
    assert refused.status_code == 403  # no CSRF header
    answer = client.put("/api/v3/newsletter/me", body, content_type="application/json", HTTP_X_CSRFTOKEN=token)
    assert answer.status_code == 200 and answer.json() == {**body}
    bad = client.put("/api/v3/newsletter/me", {**body, "themes": ["flying"]}, content_type="application/json",
                     HTTP_X_CSRFTOKEN=token)
    assert bad.status_code == 422 and bad.json()["code"] == "unknown_theme"
    stop = client.put("/api/v3/newsletter/me", {"subscribed": False}, content_type="application/json",
                      HTTP_X_CSRFTOKEN=token)
    assert stop.json()["subscribed"] is False
    assert selectors.subscriber_of_member(member).status == Status.UNSUBSCRIBED


def test_the_api_needs_a_signed_in_member(client):
    response = client.get("/api/v3/newsletter/me")
    assert response.status_code == 401 and response.json()["code"] == "authentication_required"


def test_a_suspended_address_stays_suspended_whatever_the_member_saves(client, member):
    make_subscriber(email=member.email, status=Status.SUSPENDED)
    response = client.post("/newsletter/me/", {"subscribed": "on", "language": "ja", "digest": "on"})
    assert response.status_code == 400 and "停止されています" in response.content.decode()
    assert Subscriber.objects.get().status == Status.SUSPENDED


def test_the_subscription_is_in_the_export_and_erased_on_withdrawal(client, member):
    client.post("/newsletter/me/", {"subscribed": "on", "themes": ["kosodate"], "language": "ja", "digest": "on"})
    other = make_subscriber()
    exported = export_member_data(member)["newsletter"]
    assert exported[0]["email"] == member.email and exported[0]["themes"] == ["子育て"]
    assert exported[0]["consents"][0]["text_version"] == "2026-11"
    withdraw_member(member, keep_posts=True, password=PASSWORD)
    assert list(Subscriber.objects.all()) == [other]
    assert not ConsentRecord.objects.exclude(subscriber=other).exists()


def test_a_subscription_made_before_registering_is_linked_once_the_address_is_verified(client):
    from django.utils import timezone

    email = address()
    client.post("/api/v3/newsletter/subscriptions", {"email": email}, content_type="application/json")
    impostor = User.objects.create_user(email.upper(), PASSWORD, nickname="なりすまし")  # not verified: no link
    assert Subscriber.objects.get().user is None
    impostor.delete()
    owner = User.objects.create_user(email, PASSWORD, nickname="あおい")
    owner.email_verified_at = timezone.now()
    owner.save()
    assert Subscriber.objects.get().user == owner
    withdraw_member(owner, keep_posts=False, password=PASSWORD)
    assert not Subscriber.objects.exists()
