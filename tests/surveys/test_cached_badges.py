"""
What an answer changes on the cached pages (surveys.cache_status): a call filling up, a place freed
by a cancellation and a survey reaching its limit show at the next anonymous GET; an answer that
changes no badge leaves the cached pages alone.
"""

import pytest
from django.db import transaction

from moderation.models import ModerationSettings
from surveys import cache_status, services
from surveys.models import Application, RecruitmentPage

from .conftest import VALID

pytestmark = pytest.mark.django_db
APPLICATION = {"experience": "ある"}


def _badge(html, title):
    """The badge on the card of ``title``."""
    card = html[html.index(title) - 600:html.index(title)] if title in html else ""
    return next((label for label in ("定員に達しました", "受付終了", "受付中", "受付前") if label in card), None)


def test_a_call_filling_up_shows_at_once_and_a_cancellation_opens_it_again(
        client, cached, committed, index, make_call, make_member):
    call = make_call(title="川沿い清掃ボランティア", capacity=2, waiting_list=False)
    first, second = make_member(), make_member()
    committed(lambda: services.apply(call, APPLICATION, first))
    assert _badge(cached(index.url).content.decode(), "川沿い清掃ボランティア") == "受付中"

    second_application = committed(lambda: services.apply(call, APPLICATION, second))
    full = client.get(index.url)
    assert full["X-Page-Cache"] == "miss" and _badge(full.content.decode(), "川沿い清掃ボランティア") == "定員に達しました"

    cached(index.url)
    committed(lambda: services.cancel(second_application, second))
    again = client.get(index.url)
    assert again["X-Page-Cache"] == "miss" and _badge(again.content.decode(), "川沿い清掃ボランティア") == "受付中"


def test_an_application_that_changes_no_badge_leaves_the_cached_pages_alone(
        client, cached, committed, index, make_call, make_member):
    call = make_call(title="公園の花植えボランティア", capacity=5)
    committed(lambda: services.apply(call, APPLICATION, make_member()))
    cached(index.url)
    committed(lambda: services.apply(call, APPLICATION, make_member()))
    committed(lambda: services.apply(call, APPLICATION, make_member()))
    assert client.get(index.url)["X-Page-Cache"] == "hit"


def test_a_survey_reaching_its_limit_leaves_the_cached_listing_at_once(client, cached, committed, index, make_survey,
                                                                       make_member):
    ModerationSettings.load()  # (made on first use: a setting retires everything)
    survey = make_survey(title="図書館の利用アンケート", max_responses=1)
    resident = make_member()
    assert _badge(cached(index.url).content.decode(), "図書館の利用アンケート") == "受付中"
    committed(lambda: services.answer_survey(survey, VALID, resident, "203.0.113.5", "device"))
    closed = client.get(index.url)
    assert closed["X-Page-Cache"] == "miss" and "図書館の利用アンケート" not in closed.content.decode()


def test_a_place_freed_by_an_erasure_shows_at_once(client, cached, committed, index, make_call, make_member):
    call = make_call(title="防災訓練の運営ボランティア", capacity=1, waiting_list=False)
    resident = make_member()
    committed(lambda: services.apply(call, APPLICATION, resident))
    assert _badge(cached(index.url).content.decode(), "防災訓練の運営ボランティア") == "定員に達しました"
    committed(lambda: Application.objects.filter(member=resident).delete())  # as a member's erasure does
    freed = client.get(index.url)
    assert freed["X-Page-Cache"] == "miss" and _badge(freed.content.decode(), "防災訓練の運営ボランティア") == "受付中"


def test_many_answers_deleted_in_one_transaction_check_the_form_once(committed, make_call, make_member, monkeypatch):
    call = make_call(capacity=10)
    for _n in range(5):
        committed(lambda: services.apply(call, APPLICATION, make_member()))
    checks = []
    real = cache_status.changed
    monkeypatch.setattr(cache_status, "changed", lambda *args: checks.append(args[:2]) or real(*args))

    def purge():
        with transaction.atomic():
            for application in list(call.applications.all()):
                application.delete()

    committed(purge)
    assert checks == [(RecruitmentPage, call.pk)]
