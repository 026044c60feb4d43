"""
Surveys and calls against the real services: PostgreSQL and a real SMTP server (aiosmtpd).

1. Twelve people apply at once, over HTTP, to a first-come call with three places: on PostgreSQL
   the row lock gives exactly three places and a waiting list numbered 1–9 without gaps, and every
   applicant gets their mail over SMTP.
2. The one-answer rules are the database's: a member's second answer and a device's second
   answer of the day are refused by PostgreSQL's partial unique indexes, even past the service.
3. The anonymous answer and the 409 for the same device, through the live server.

The pages are committed (the live server's connection must see them) and removed afterwards.
"""

import json
import threading
import urllib.error
import urllib.request
import uuid

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone
from wagtail.models import Site

from members.models import User
from surveys.fieldtypes import SINGLE
from surveys.models import (
    Application,
    RecruitmentField,
    RecruitmentPage,
    Response,
    SurveyField,
    SurveyIndexPage,
    SurveyPage,
)

pytestmark = [pytest.mark.integration, pytest.mark.django_db]


def in_thread(function, *args):
    """Run ``function`` on a connection of its own (autocommit): what it writes is committed at once."""
    from django.db import connection

    outcome = {}

    def run():
        try:
            outcome["value"] = function(*args)
        except BaseException as error:  # handed back to the test
            outcome["error"] = error
        finally:
            connection.close()

    thread = threading.Thread(target=run)
    thread.start()
    thread.join(120)
    if "error" in outcome:
        raise outcome["error"]
    return outcome.get("value")


@pytest.fixture
def committed(django_db_blocker):
    """Pages committed on a connection of their own (the live server must see them), deleted at the end."""
    made = []

    def index():
        home = Site.objects.get(is_default_site=True).root_page
        found = SurveyIndexPage.objects.child_of(home).first()
        if found is None:
            found = SurveyIndexPage(title="アンケート・募集", slug="surveys")
            home.add_child(instance=found)
            found.save_revision().publish()
            made.append(found)
        return found

    def create(page):
        parent = index()
        parent.add_child(instance=page)
        page.save_revision().publish()
        made.insert(0, page)
        return page

    def remove():
        for page in made:
            page.delete()

    with django_db_blocker.unblock():
        yield lambda page: in_thread(create, page)
        in_thread(remove)


def _csrf_opener(site_url, agent):
    import http.cookiejar

    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    opener.addheaders = [("User-Agent", agent)]
    opener.open(f"{site_url}/api/v3/members/csrf").read()
    token = next(cookie.value for cookie in jar if cookie.name == "csrftoken")
    return opener, token


def _post(site_url, agent, page_id, answers):
    opener, token = _csrf_opener(site_url, agent)
    request = urllib.request.Request(f"{site_url}/api/v3/forms/{page_id}/responses",
                                     data=json.dumps({"answers": answers}).encode(), method="POST",
                                     headers={"Content-Type": "application/json", "X-CSRFToken": token})
    try:
        with opener.open(request) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())


def test_twelve_at_once_get_three_places_and_a_gapless_waiting_list(site_url, committed, smtp_server):
    call = committed(RecruitmentPage(
        title="同時応募のテスト募集", slug=f"rush-{uuid.uuid4().hex[:8]}", organiser="テスト", capacity=3,
        waiting_list=True, closes_at=timezone.now() + timezone.timedelta(days=1),
        form_fields=[RecruitmentField(sort_order=0, clean_name="experience", label="経験", field_type=SINGLE,
                                      choices="はじめて\nある")]))
    results = []

    def apply(n):
        results.append(_post(site_url, f"rush {n}", call.pk, {"experience": "はじめて", "name": f"応募者{n}",
                                                              "email": f"rush{n}@example.jp"}))

    threads = [threading.Thread(target=apply, args=(n,)) for n in range(12)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert sorted(status for status, _body in results) == [201] * 3 + [202] * 9
    states = list(Application.objects.filter(page=call).values_list("state", "waiting_position"))
    assert sorted(s for s, _p in states) == ["selected"] * 3 + ["waiting"] * 9
    assert sorted(p for s, p in states if s == "waiting") == list(range(1, 10))
    received = {message["To"] for message in smtp_server.messages}
    for _wait in range(50):  # mail leaves after the commit (the outbox job)
        received = {message["To"] for message in smtp_server.messages}
        if len(received) == 12:
            break
        threading.Event().wait(0.1)
    assert received == {f"rush{n}@example.jp" for n in range(12)}


def test_postgresql_itself_refuses_a_second_answer(committed):
    survey = committed(SurveyPage(title="制約のテスト", slug=f"constraint-{uuid.uuid4().hex[:8]}",
                                  form_fields=[SurveyField(sort_order=0, clean_name="q1", label="質問",
                                                           field_type=SINGLE, choices="はい\nいいえ")]))

    def duplicates():  # on a connection of its own, so nothing of the test's transaction holds the page
        member = User.objects.create_user(email=f"pg-{uuid.uuid4().hex[:8]}@example.jp", password="x" * 20)
        refused = 0
        try:
            Response.objects.create(page=survey, member=member, answers={"q1": "はい"})
            Response.objects.create(page=survey, device_hash="a" * 64, answers={"q1": "はい"})
            for duplicate in ({"member": member}, {"device_hash": "a" * 64}):
                try:
                    with transaction.atomic():
                        Response.objects.create(page=survey, answers={"q1": "いいえ"}, **duplicate)
                except IntegrityError:
                    refused += 1
            Response.objects.create(page=survey, answers={"q1": "いいえ"})  # no member, no hash: a demo row
            return refused, Response.objects.filter(page=survey).count()
        finally:
            Response.objects.filter(page=survey).delete()
            member.delete()

    assert in_thread(duplicates) == (2, 3)


def test_an_anonymous_answer_then_already_answered_over_http(site_url, committed):
    survey = committed(SurveyPage(title="HTTP のテスト", slug=f"http-{uuid.uuid4().hex[:8]}",
                                  closes_at=timezone.now() + timezone.timedelta(days=1),
                                  form_fields=[SurveyField(sort_order=0, clean_name="q1", label="質問",
                                                           field_type=SINGLE, choices="はい\nいいえ")]))
    assert _post(site_url, "same browser", survey.pk, {"q1": "はい"})[0] == 201
    status, body = _post(site_url, "same browser", survey.pk, {"q1": "いいえ"})
    assert (status, body["code"]) == (409, "already_answered")
    status, body = _post(site_url, "other browser", survey.pk, {"q1": "たぶん"})
    assert (status, body["code"]) == (422, "validation_error")
    assert list(Response.objects.filter(page=survey).values_list("answers", flat=True)) == [{"q1": "はい"}]
