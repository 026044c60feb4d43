"""
Rate limits counted in the database (members.ratelimit): they hold whatever the cache does (a
local-memory cache per process, emptied, or swapped for another), and every 429 says when to try
again (``Retry-After``, the seconds until the window ends) on the API and the web alike.
"""

import time

import pytest
from django.core.cache import caches
from django.test import Client

from members import ratelimit
from members.models import RateCounter
from moderation.models import Post

pytestmark = pytest.mark.django_db

API_NEW_THREAD = "/api/v3/board/boards/district-okubo/threads/"
WEB_NEW_THREAD = "/board/district-okubo/new/"


def _another_process(settings, name):
    """What a second gunicorn worker (or a restarted one) has: a local-memory cache of its own, empty."""
    settings.CACHES = {**settings.CACHES, "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache",
                                                     "LOCATION": name}}
    caches["default"].clear()


def test_a_fixed_window_counts_to_its_limit_and_says_when_it_ends():
    start = 1_800_000_000 - 1_800_000_000 % 600 + 590  # ten seconds before a window ends
    hits = [ratelimit.hit("test:scope", "someone", 3, 600, now=start + n) for n in range(4)]
    assert [h.allowed for h in hits] == [True, True, True, False]
    assert [h.count for h in hits] == [1, 2, 3, 4]
    assert [h.retry_after for h in hits] == [10, 9, 8, 7]
    fresh = ratelimit.hit("test:scope", "someone", 3, 600, now=start + 10)
    assert fresh.allowed and fresh.count == 1 and fresh.retry_after == 600, "a new window starts from zero"
    assert ratelimit.hit("test:scope", "someone else", 3, 600, now=start + 10).count == 1, "counted per who"


def test_ended_windows_are_pruned_and_nothing_is_stored_in_the_clear():
    ratelimit.hit("test:prune", "203.0.113.9", 5, 60, now=1_800_000_000)
    assert RateCounter.objects.filter(key__startswith="test:prune:").count() == 1
    assert not RateCounter.objects.filter(key__contains="203.0.113.9").exists(), "the address only as a keyed hash"
    ratelimit.hit("test:prune", "203.0.113.9", 5, 60, now=1_800_000_000 + 120)
    assert RateCounter.objects.filter(key__startswith="test:prune:").count() == 1, "the ended window went"


def test_posts_counted_by_two_processes_with_caches_of_their_own_share_one_limit(
        settings, board, member, policy, captcha_ok):
    settings.MODERATION_RATE_LIMITS = {"member": (3, 600), "address": (100, 600)}
    answers = []
    for n in range(6):  # each post from "another worker": its own, empty local-memory cache
        _another_process(settings, f"worker-{n % 2}-{n}")
        client = Client()
        client.force_login(member)
        answers.append(client.post(WEB_NEW_THREAD, {"title": f"話題{n}", "body": f"本文その{n}です。",
                                                    "g-recaptcha-response": "t"}).status_code)
    assert answers == [302, 302, 302, 429, 429, 429]
    assert Post.objects.filter(author=member).count() == 3


def _window_left(window):
    return window - int(time.time()) % window


def test_a_429_from_the_api_carries_retry_after(settings, board, member, policy, captcha_ok):
    settings.MODERATION_RATE_LIMITS = {"member": (1, 600), "address": (100, 600)}
    api = Client(enforce_csrf_checks=True)
    api.force_login(member)
    api.get("/api/v3/members/csrf")
    headers = {"X-CSRFToken": api.cookies["csrftoken"].value}
    first = api.post(API_NEW_THREAD, {"title": "一件目", "body": "最初の話題", "captcha": "t"}, headers=headers)
    assert first.status_code == 201 and "Retry-After" not in first
    refused = api.post(API_NEW_THREAD, {"title": "二件目", "body": "次の話題", "captcha": "t"}, headers=headers)
    assert refused.status_code == 429 and refused.json()["code"] == "rate_limited"
    assert abs(int(refused["Retry-After"]) - _window_left(600)) <= 2


def test_a_429_on_the_web_carries_retry_after(settings, client, board, member, policy, captcha_ok):
    settings.MODERATION_RATE_LIMITS = {"member": (100, 600), "address": (1, 3600)}
    client.force_login(member)
    client.post(WEB_NEW_THREAD, {"title": "一件目", "body": "最初", "g-recaptcha-response": "t"})
    refused = client.post(WEB_NEW_THREAD, {"title": "二件目", "body": "次の話題", "g-recaptcha-response": "t"})
    assert refused.status_code == 429 and "短い時間に続けて投稿されています" in refused.content.decode()
    assert abs(int(refused["Retry-After"]) - _window_left(3600)) <= 2, "the address's window, the one that refused"


def test_a_locked_out_log_in_carries_retry_after(client, django_user_model, settings):
    from django.utils import timezone

    resident = django_user_model.objects.create_user(email="retry@example.jp", password="correct horse battery",
                                                     self_registered=True, email_verified_at=timezone.now())
    for _ in range(5):
        page = client.post("/members/login/", {"username": resident.email, "password": "wrong"},
                           REMOTE_ADDR="192.0.2.70")
    assert page.status_code == 429 and page["Retry-After"] == str(15 * 60)
    api = client.post("/api/v3/members/login", {"email": resident.email, "password": "wrong"},
                      content_type="application/json", REMOTE_ADDR="192.0.2.71")
    assert api.status_code == 429 and api.json()["code"] == "locked_out" and api["Retry-After"] == str(15 * 60)


def test_an_answer_after_a_refused_request_carries_no_stale_retry_after(settings, client, board, member, policy,
                                                                         captcha_ok):
    settings.MODERATION_RATE_LIMITS = {"member": (0, 600), "address": (100, 600)}
    client.force_login(member)
    assert client.post(WEB_NEW_THREAD, {"title": "t", "body": "b", "g-recaptcha-response": "t"}).status_code == 429
    assert "Retry-After" not in client.get("/board/")


def test_newsletter_requests_are_counted_in_the_database_and_their_429_carries_retry_after(settings, client):
    settings.NEWSLETTER_RATE_ADDRESS = (2, 3600)
    answers = []
    for n in range(3):
        _another_process(settings, f"newsletter-{n}")
        answers.append(client.post("/api/v3/newsletter/subscriptions", {
            "email": f"reader{n}@example.jp", "districts": [], "themes": [], "language": "ja", "digest": True},
            content_type="application/json"))
    assert [answer.status_code for answer in answers] == [202, 202, 429]
    assert abs(int(answers[2]["Retry-After"]) - _window_left(3600)) <= 2
