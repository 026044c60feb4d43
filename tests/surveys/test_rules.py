"""
The rules behind the forms: one answer per person, capacity and the waiting list, the
reproducible lottery, the scheduled deletions, screening of free text, the exports.
"""

import csv
import io
import json

import pytest
from django.core import mail
from django.db import IntegrityError, transaction
from django.utils import timezone
from openpyxl import load_workbook

from members.models import AuditEntry
from moderation.models import ModerationSettings
from surveys import exports, services
from surveys.models import Application, ApplicationState, Comment, DailySalt, LotteryDraw, Response

from .conftest import VALID

pytestmark = pytest.mark.django_db


# --- one answer per person -----------------------------------------------------------------------

def test_the_device_hash_is_keyed_by_a_random_daily_salt_and_keeps_no_address(survey):
    today = timezone.localdate()
    first = services.device_hash("203.0.113.7", "Firefox", today)
    assert first == services.device_hash("203.0.113.7", "Firefox", today)
    assert first != services.device_hash("203.0.113.8", "Firefox", today)
    assert first != services.device_hash("203.0.113.7", "Chrome", today)
    salt = DailySalt.objects.get(day=today).salt
    assert len(salt) == 64 and today.isoformat() not in salt
    tomorrow = services.device_hash("203.0.113.7", "Firefox", today + timezone.timedelta(days=1))
    assert tomorrow != first
    assert not DailySalt.objects.filter(day=today).exists()  # yesterday's salt is destroyed
    answer = services.answer_survey(survey, VALID, None, "203.0.113.7", "Firefox")
    stored = json.dumps({f.name: str(getattr(answer, f.attname)) for f in Response._meta.concrete_fields})
    assert "203.0.113.7" not in stored


def test_the_database_refuses_a_second_answer_of_a_member(survey, member):
    Response.objects.create(page=survey, member=member, answers={})
    with pytest.raises(IntegrityError), transaction.atomic():
        Response.objects.create(page=survey, member=member, answers={})


def test_an_answer_is_a_member_s_own_when_logged_in(survey, member):
    answer = services.answer_survey(survey, VALID, member, "203.0.113.7", "Firefox")
    assert answer.member == member and answer.device_hash == ""
    with pytest.raises(services.FormError) as error:
        services.answer_survey(survey, VALID, member, "198.51.100.1", "Other")
    assert error.value.code == "already_answered"


def test_anonymous_answers_from_one_address_are_rate_limited(survey, settings):
    settings.MODERATION_RATE_LIMITS = {**settings.MODERATION_RATE_LIMITS, "address": (2, 600)}
    for n in range(2):
        services.answer_survey(survey, VALID, None, "203.0.113.9", f"browser {n}")
    with pytest.raises(services.FormError) as error:
        services.answer_survey(survey, VALID, None, "203.0.113.9", "browser 3")
    assert error.value.status == 429
    assert Response.objects.filter(page=survey).count() == 2


# --- free text and screening ---------------------------------------------------------------------

@pytest.fixture
def trusting_policy(db):
    policy = ModerationSettings.load()
    policy.trusted_after_approved_posts = 0
    policy.save()
    return policy


def test_free_text_with_personal_data_is_held_and_not_published(client, make_survey, make_member, trusting_policy):
    survey = make_survey(publish_comments=True, results_public=True)
    clean, personal = make_member(), make_member()
    services.answer_survey(survey, {**VALID, "opinion": "木陰のベンチが増えるとうれしいです。"}, clean, "203.0.113.1", "a")
    services.answer_survey(survey, {**VALID, "opinion": "連絡は 090-1234-5678 までください。"}, personal,
                           "203.0.113.2", "b")
    held = Comment.objects.get(author=personal)
    assert held.status == "held" and "personal_data" in [r["code"] for r in held.screening]
    assert Comment.objects.get(author=clean).status == "shown"
    survey.closes_at = timezone.now() - timezone.timedelta(minutes=1)
    survey.save_revision().publish()
    page = client.get(survey.url + "results/").content.decode()
    assert "木陰のベンチ" in page
    assert "090-1234-5678" not in page


def test_anonymous_free_text_is_never_a_published_comment(make_survey):
    survey = make_survey(publish_comments=True)
    services.answer_survey(survey, VALID, None, "203.0.113.1", "a")
    assert not Comment.objects.exists()
    assert Response.objects.get().answers["opinion"] == VALID["opinion"]  # staff still read it


# --- capacity and the waiting list ---------------------------------------------------------------

APPLICANT = {"experience": "はじめて", "name": "山田 花子", "email": "hanako@example.jp"}


def test_capacity_then_waiting_list_then_promotion_on_cancel(make_call, make_member,
                                                            django_capture_on_commit_callbacks):
    call = make_call(capacity=2, waiting_list=True)
    people = [make_member() for _ in range(4)]
    with django_capture_on_commit_callbacks(execute=True):
        applied = [services.apply(call, {"experience": "ある"}, person) for person in people]
    assert [a.state for a in applied] == ["selected", "selected", "waiting", "waiting"]
    assert [a.waiting_position for a in applied[2:]] == [1, 2]
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        promoted = services.cancel(applied[0], people[0])
    assert promoted.pk == applied[2].pk
    states = dict(call.applications.values_list("pk", "state"))
    assert [states[a.pk] for a in applied] == ["cancelled", "selected", "selected", "waiting"]
    assert {m.to[0] for m in mail.outbox} == {people[0].email, people[2].email}
    assert any("当選・採用" in m.subject for m in mail.outbox if m.to == [people[2].email])


def test_a_cancelled_member_may_apply_again_and_others_cannot_cancel(make_call, make_member):
    call = make_call()
    owner, stranger = make_member(), make_member()
    application = services.apply(call, {"experience": "ある"}, owner)
    with pytest.raises(services.FormError):
        services.cancel(application, stranger)
    services.cancel(application, owner)
    assert services.apply(call, {"experience": "ある"}, owner).state == "selected"


# --- the lottery ---------------------------------------------------------------------------------

def _closed_lottery(make_call, capacity=2, count=6):
    call = make_call(mode="lottery", capacity=capacity, waiting_list=True)
    for n in range(count):
        services.apply(call, {**APPLICANT, "email": f"applicant{n}@example.jp"})
    call.closes_at = timezone.now() - timezone.timedelta(minutes=1)
    call.save_revision().publish()
    return call


def test_the_lottery_is_reproducible_from_its_audit_entry(make_call, moderator):
    call = _closed_lottery(make_call)
    assert set(call.applications.values_list("state", flat=True)) == {"received"}
    draw = services.draw_lottery(call, moderator, seed="4f3c2a")
    entry = AuditEntry.objects.get(action="surveys_lottery")
    ids = sorted(call.applications.values_list("pk", flat=True))
    assert entry.details["seed"] == "4f3c2a"
    assert entry.details["applicants_sha256"] == services.applicants_digest(ids) == draw.applicants_sha256
    winners, waiting = services.lottery_winners(ids, entry.details["seed"], call.capacity)
    assert winners == draw.winner_ids == entry.details["winners"] and waiting == draw.waiting_ids
    assert set(call.applications.filter(state="selected").values_list("pk", flat=True)) == set(winners)
    assert list(call.applications.filter(state="waiting").order_by("waiting_position")
                .values_list("pk", flat=True)) == waiting
    assert services.lottery_winners(list(reversed(ids)), "4f3c2a", 2)[0] == winners  # order of input is irrelevant
    assert services.lottery_winners(ids, "another seed", 2)[0] != winners or len(ids) <= 2


def test_a_lottery_runs_once_after_closing_by_those_allowed(make_call, moderator, editor):
    call = make_call(mode="lottery")
    with pytest.raises(services.FormError) as error:
        services.draw_lottery(call, moderator)
    assert error.value.code == "still_open"
    call = _closed_lottery(make_call)
    with pytest.raises(services.FormError):
        services.draw_lottery(call, editor)
    services.draw_lottery(call, moderator)
    with pytest.raises(services.FormError) as error:
        services.draw_lottery(call, moderator)
    assert error.value.code == "already_drawn" and LotteryDraw.objects.filter(page=call).count() == 1


def test_without_a_waiting_list_the_lottery_rejects_the_rest(make_call, moderator):
    call = make_call(mode="lottery", capacity=1, waiting_list=False)
    for n in range(3):
        services.apply(call, {**APPLICANT, "email": f"x{n}@example.jp"})
    call.closes_at = timezone.now() - timezone.timedelta(minutes=1)
    call.save_revision().publish()
    services.draw_lottery(call, moderator, seed="abc")
    assert sorted(call.applications.values_list("state", flat=True)) == ["rejected", "rejected", "selected"]


def test_selection_is_decided_by_staff_and_audited(make_call, moderator, editor):
    call = make_call(mode="selection")
    application = services.apply(call, APPLICANT)
    assert application.state == "received"
    with pytest.raises(services.FormError):
        services.decide(application, "selected", editor)
    services.decide(application, ApplicationState.SELECTED, moderator)
    entry = AuditEntry.objects.get(action="surveys_decide")
    assert (entry.details["before"], entry.details["after"]) == ("received", "selected")


# --- deletion jobs -------------------------------------------------------------------------------

def test_answers_are_deleted_on_their_date_and_the_deletion_is_recorded(make_survey):
    due = make_survey(answers_delete_on=timezone.localdate())
    kept = make_survey(answers_delete_on=timezone.localdate() + timezone.timedelta(days=1))
    for page in (due, kept):
        services.answer_survey(page, VALID, None, "203.0.113.1", "a")
        services.answer_survey(page, VALID, None, "203.0.113.2", "b")
    from surveys.tasks import delete_expired_answers

    delete_expired_answers.call()
    assert not Response.objects.filter(page=due).exists()
    assert Response.objects.filter(page=kept).count() == 2
    entry = AuditEntry.objects.get(action="surveys_delete_answers")
    assert entry.details == {"target": f"survey:{due.pk}", "title": due.title, "rows": 2}


def test_applicants_are_deleted_after_the_retention_period(make_call):
    old = make_call(retention_days=30)
    recent = make_call(retention_days=30)
    for page in (old, recent):
        services.apply(page, APPLICANT)
    Application.objects.filter(page=old).update(created_at=timezone.now() - timezone.timedelta(days=40))
    for page, days in ((old, 31), (recent, 29)):
        page.closes_at = timezone.now() - timezone.timedelta(days=days)
        page.save_revision().publish()
    from surveys.tasks import delete_expired_applications

    delete_expired_applications.call()
    assert not Application.objects.filter(page=old).exists()
    assert Application.objects.filter(page=recent).count() == 1
    assert AuditEntry.objects.get(action="surveys_delete_applications").details["rows"] == 1


# --- exports -------------------------------------------------------------------------------------

@pytest.mark.parametrize("text", ["=HYPERLINK(\"http://evil.example\")", "+81 3", "-1+2", "@SUM(A1)"])
def test_csv_and_xlsx_neutralise_formula_cells(make_survey, text):
    survey = make_survey()
    services.answer_survey(survey, {**VALID, "opinion": text}, None, "203.0.113.1", "a")
    raw = exports.as_csv(survey)
    assert raw.startswith("\ufeff".encode())
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"), newline="")))
    assert rows[0][3:] == ["近所の公園にどのくらい行きますか", "公園にあるとよいもの", "満足度", "ご意見", "ひとこと"]
    assert rows[1][6] == "'" + text
    sheet = load_workbook(io.BytesIO(exports.as_xlsx(survey))).active
    assert sheet.cell(row=2, column=7).value == "'" + text
    assert sheet.cell(row=2, column=5).value == "ベンチ"


def test_plain_cells_are_left_alone():
    assert exports.neutralise("ふつうの回答") == "ふつうの回答"
    assert exports.neutralise(["ベンチ", "日陰"]) == "ベンチ、日陰"
    assert exports.neutralise(4) == "4"
    # Text questions strip surrounding whitespace, but a tab or carriage return in front is neutralised too.
    assert exports.neutralise("\t=1+1") == "'\t=1+1" and exports.neutralise("\r=1") == "'\r=1"
