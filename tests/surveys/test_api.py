"""
The forms API as a headless front end uses it: the listing and one form's questions, then
answers and applications with every error code — and, for every refusal, nothing stored.
"""

import pytest
from django.test import Client
from django.utils import timezone

from pages.terms import district_model
from surveys.models import Application, Response

from .conftest import BROWSER, VALID, post_answers

pytestmark = pytest.mark.django_db


def test_the_listing_shows_open_surveys_and_calls_only(api, make_survey, make_call):
    open_survey = make_survey(title="公園のアンケート")
    make_survey(title="終わったアンケート", opens_at=timezone.now() - timezone.timedelta(days=9),
                closes_at=timezone.now() - timezone.timedelta(days=1))
    make_survey(title="これからのアンケート", opens_at=timezone.now() + timezone.timedelta(days=1))
    call = make_call(title="清掃ボランティア")
    items = api.get("/api/v3/forms/").json()["items"]
    assert {(i["title"], i["type"], i["status"]) for i in items} == {
        ("公園のアンケート", "survey", "open"), ("清掃ボランティア", "recruitment", "open")}
    only_calls = api.get("/api/v3/forms/?type=recruitment").json()["items"]
    assert [i["id"] for i in only_calls] == [call.pk]
    assert open_survey.pk not in [i["id"] for i in only_calls]


def test_the_listing_narrows_by_district(api, make_survey):
    okubo = district_model().objects.get(slug="okubo", locale__language_code="ja")
    tagged = make_survey(title="大久保のアンケート")
    tagged.districts.set([okubo])
    tagged.save_revision().publish()
    make_survey(title="区全体のアンケート")
    items = api.get("/api/v3/forms/?district=okubo").json()["items"]
    assert [i["title"] for i in items] == ["大久保のアンケート"]
    assert items[0]["districts"][0]["slug"] == "okubo"
    assert api.get("/api/v3/forms/?district=nowhere").status_code == 404


def test_one_form_gives_its_questions(api, survey):
    body = api.get(f"/api/v3/forms/{survey.pk}/").json()
    assert body["type"] == "survey" and body["status"] == "open" and body["audience"] == "anyone"
    fields = {f["name"]: f for f in body["fields"]}
    assert fields["visits"]["choices"] == ["ほぼ毎日", "週に1〜2回", "ほとんど行かない"]
    assert fields["wishes"]["type"] == "multiple" and fields["wishes"]["max_choices"] == 2
    assert fields["satisfaction"]["choices"] == ["1", "2", "3", "4", "5"]
    assert fields["opinion"]["max_length"] == 50 and fields["nickname_short"]["max_length"] == 200
    assert "okubo" in fields["district"]["choices"]


def test_an_anonymous_answer_is_taken_once_per_device(api, survey):
    response = post_answers(api, survey, {**VALID, "district": "okubo"})
    assert response.status_code == 201, response.content
    stored = Response.objects.get(page=survey)
    assert stored.answers["wishes"] == ["ベンチ"] and stored.answers["satisfaction"] == 4
    assert stored.district.slug == "okubo" and stored.member is None and len(stored.device_hash) == 64
    again = post_answers(api, survey, VALID)
    assert again.status_code == 409 and again.json()["code"] == "already_answered"
    assert Response.objects.filter(page=survey).count() == 1
    other_browser = Client(enforce_csrf_checks=True, HTTP_USER_AGENT="Mozilla/5.0 (iPhone) Safari/605")
    other_browser.get("/api/v3/members/csrf")
    assert post_answers(other_browser, survey, VALID).status_code == 201


@pytest.mark.parametrize("answers, field", [
    ({**VALID, "visits": "毎時間"}, "visits"),  # a choice not offered
    ({**VALID, "wishes": ["ベンチ", "日陰", "トイレ"]}, "wishes"),  # over the maximum
    ({**VALID, "satisfaction": 6}, "satisfaction"),
    ({**VALID, "opinion": "あ" * 51}, "opinion"),  # over-long text
    ({**VALID, "color": "赤"}, "color"),  # an unknown question
    ({"wishes": ["ベンチ"], "satisfaction": 3}, "visits"),  # a required one missing
    ({**VALID, "district": "atlantis"}, "district"),
])
def test_bad_answers_are_refused_field_by_field_and_nothing_is_stored(api, survey, answers, field):
    response = post_answers(api, survey, answers)
    assert response.status_code == 422
    body = response.json()
    assert body["code"] == "validation_error"
    assert field in [error["loc"][-1] for error in body["errors"]]
    assert all(error["msg"] for error in body["errors"])
    assert not Response.objects.filter(page=survey).exists()


def test_answers_must_be_an_object(api, survey):
    response = api.post(f"/api/v3/forms/{survey.pk}/responses", {"answers": ["ほぼ毎日"]},
                        content_type="application/json", HTTP_X_CSRFTOKEN=api.cookies["csrftoken"].value)
    assert response.status_code == 422
    assert not Response.objects.exists()


def test_after_closing_the_answer_is_gone(api, make_survey):
    closed = make_survey(opens_at=timezone.now() - timezone.timedelta(days=9),
                         closes_at=timezone.now() - timezone.timedelta(minutes=1))
    response = post_answers(api, closed, VALID)
    assert response.status_code == 410 and response.json()["code"] == "closed"
    assert response.json()["detail"] == "受付は終了しました。"
    assert not Response.objects.exists()


def test_before_opening_nothing_is_taken(api, make_survey):
    later = make_survey(opens_at=timezone.now() + timezone.timedelta(days=1))
    response = post_answers(api, later, VALID)
    assert response.status_code == 409 and response.json()["code"] == "not_open"
    assert not Response.objects.exists()


def test_close_after_n_answers(make_survey):
    survey = make_survey(max_responses=1)
    first, second = (Client(enforce_csrf_checks=True, HTTP_USER_AGENT=f"browser {n}") for n in (1, 2))
    for client in (first, second):
        client.get("/api/v3/members/csrf")
    assert post_answers(first, survey, VALID).status_code == 201
    response = post_answers(second, survey, VALID)
    assert response.status_code == 410 and response.json()["code"] == "closed"
    assert Response.objects.filter(page=survey).count() == 1


def test_members_only_needs_a_login_and_takes_one_answer_per_member(api, make_survey, member):
    survey = make_survey(audience="members")
    response = post_answers(api, survey, VALID)
    assert response.status_code == 401 and response.json()["code"] == "authentication_required"
    assert not Response.objects.exists()
    api.force_login(member)
    api.get("/api/v3/members/csrf")
    assert post_answers(api, survey, VALID).status_code == 201
    again = post_answers(api, survey, VALID, HTTP_USER_AGENT="another browser")
    assert again.status_code == 409 and again.json()["code"] == "already_answered"
    assert Response.objects.filter(page=survey, member=member).count() == 1


def test_a_post_without_the_csrf_token_is_refused(survey):
    client = Client(enforce_csrf_checks=True, HTTP_USER_AGENT=BROWSER)
    response = client.post(f"/api/v3/forms/{survey.pk}/responses", {"answers": VALID}, content_type="application/json")
    assert response.status_code == 403 and response.json()["code"] == "csrf_failed"
    assert not Response.objects.exists()


def test_an_unpublished_form_is_not_found(api, survey):
    survey.unpublish()
    assert api.get(f"/api/v3/forms/{survey.pk}/").status_code == 404
    assert post_answers(api, survey, VALID).status_code == 404
    assert not Response.objects.exists()


APPLICANT = {"experience": "はじめて", "name": "山田 花子", "email": "hanako@example.jp"}


def _client(n):
    client = Client(enforce_csrf_checks=True, HTTP_USER_AGENT=f"browser {n}")
    client.get("/api/v3/members/csrf")
    return client


def test_a_first_come_call_fills_then_waits(make_call):
    call = make_call(capacity=2, waiting_list=True)
    codes = [post_answers(_client(n), call, {**APPLICANT, "email": f"a{n}@example.jp"}) for n in range(4)]
    assert [r.status_code for r in codes] == [201, 201, 202, 202]
    assert [r.json()["state"] for r in codes] == ["selected", "selected", "waiting", "waiting"]
    assert api_status(call) == "full"


def api_status(call):
    return Client().get(f"/api/v3/forms/{call.pk}/").json()["status"]


def test_a_full_call_without_a_waiting_list_refuses(make_call):
    call = make_call(capacity=1, waiting_list=False)
    assert post_answers(_client(1), call, APPLICANT).status_code == 201
    response = post_answers(_client(2), call, {**APPLICANT, "email": "late@example.jp"})
    assert response.status_code == 409 and response.json()["code"] == "full"
    assert call.applications.count() == 1


def test_a_non_member_gives_only_what_the_call_asks(make_call):
    call = make_call(ask_phone=True, eligibility="区内在住・在勤の方")
    fields = {f["name"] for f in Client().get(f"/api/v3/forms/{call.pk}/").json()["fields"]}
    assert fields == {"experience", "name", "email", "phone", "eligible"}
    response = post_answers(_client(1), call, {**APPLICANT, "phone": "03-1234-5678"})
    assert response.status_code == 422
    assert [e["loc"][-1] for e in response.json()["errors"]] == ["eligible"]
    assert not Application.objects.exists()
    assert post_answers(_client(1), call, {**APPLICANT, "phone": "03-1234-5678", "eligible": True}).status_code == 201
    stored = Application.objects.get()
    assert (stored.name, stored.phone) == ("山田 花子", "03-1234-5678")


def test_a_member_applies_with_stored_data_and_sees_and_cancels(api, make_call, member):
    call = make_call()
    fields = {f["name"] for f in Client().get(f"/api/v3/forms/{call.pk}/").json()["fields"]}
    api.force_login(member)
    api.get("/api/v3/members/csrf")
    mine = {f["name"] for f in api.get(f"/api/v3/forms/{call.pk}/").json()["fields"]}
    assert "name" in fields and mine == {"experience"}
    assert post_answers(api, call, {"experience": "ある"}).status_code == 201
    again = post_answers(api, call, {"experience": "ある"})
    assert again.status_code == 409 and again.json()["code"] == "already_answered"
    listed = api.get("/api/v3/forms/applications/").json()
    assert [(a["title"], a["state"]) for a in listed] == [(call.title, "selected")]
    cancelled = api.post(f"/api/v3/forms/applications/{listed[0]['id']}/cancel",
                         HTTP_X_CSRFTOKEN=api.cookies["csrftoken"].value)
    assert cancelled.status_code == 200 and cancelled.json()["state"] == "cancelled"


def test_members_only_call_without_login(make_call):
    call = make_call(audience="members")
    response = post_answers(_client(1), call, APPLICANT)
    assert response.status_code == 401 and response.json()["code"] == "authentication_required"
    assert not Application.objects.exists()


def test_the_openapi_document_has_the_forms_endpoints():
    paths = Client().get("/api/v3/openapi.json").json()["paths"]
    assert "/api/v3/forms/" in paths and "/api/v3/forms/{form_id}/responses" in paths


def test_a_non_member_applies_once_per_address(make_call):
    call = make_call()
    assert post_answers(_client(1), call, APPLICANT).status_code == 201
    again = post_answers(_client(2), call, {**APPLICANT, "email": "HANAKO@example.jp"})
    assert again.status_code == 409 and again.json()["code"] == "already_answered"
    assert call.applications.count() == 1
    stored = Application.objects.get()
    assert stored.email == "hanako@example.jp" and len(stored.email_hash) == 64
