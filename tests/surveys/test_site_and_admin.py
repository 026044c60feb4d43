"""
What residents and staff see: the public form and results page, 応募の状況, the editor's rules
(no identity questions in an anonymous survey, questions frozen once answered), the results
screen with its charts and exports, the audited list of applicants, a member's data.
"""

import pytest
from django.urls import reverse
from django.utils import timezone
from wagtail.test.utils.form_data import inline_formset, nested_form_data, rich_text

from members.models import AuditEntry
from members.personal_data import erase_everywhere, export_sections
from surveys import selectors, services
from surveys.models import Application, Response, SurveyPage
from tests.staff import login_staff

from .conftest import VALID

pytestmark = pytest.mark.django_db


def test_the_public_form_takes_an_answer_and_then_says_it_was_answered(client, survey):
    page = client.get(survey.url, HTTP_USER_AGENT="Firefox")
    html = page.content.decode()
    assert page.status_code == 200 and 'name="visits"' in html and 'name="district"' in html
    response = client.post(survey.url, {"visits": "ほぼ毎日", "wishes": ["ベンチ", "日陰"], "satisfaction": "5",
                                        "district": "okubo"}, HTTP_USER_AGENT="Firefox")
    assert response.status_code == 200 and "回答を受け付けました" in response.content.decode()
    stored = Response.objects.get(page=survey)
    assert stored.answers["wishes"] == ["ベンチ", "日陰"] and stored.district.slug == "okubo"
    again = client.get(survey.url, HTTP_USER_AGENT="Firefox").content.decode()
    assert "すでに回答しています" in again and 'name="visits"' not in again


def test_the_public_form_shows_errors_and_stores_nothing(client, survey):
    response = client.post(survey.url, {"visits": "毎時間", "satisfaction": "5", "wishes": ["ベンチ", "日陰", "トイレ"]},
                           HTTP_USER_AGENT="Firefox")
    html = response.content.decode()
    assert response.status_code == 200 and "入力内容を確認してください" in html and "選べるのは2個までです" in html
    assert not Response.objects.exists()


def _closed(make_survey, **fields):
    return make_survey(opens_at=timezone.now() - timezone.timedelta(days=10),
                       closes_at=timezone.now() - timezone.timedelta(days=1), **fields)


def test_public_results_show_totals_and_hide_small_counts(client, make_survey):
    survey = make_survey(results_public=True)
    for n in range(6):
        services.answer_survey(survey, {**VALID, "visits": "ほぼ毎日" if n < 5 else "週に1〜2回",
                                        "opinion": f"秘密の意見{n}"}, None, f"203.0.113.{n}", "a")
    assert client.get(survey.url + "results/").status_code == 404  # still open
    survey.closes_at = timezone.now() - timezone.timedelta(minutes=1)
    survey.save_revision().publish()
    html = client.get(survey.url + "results/").content.decode()
    assert "回答数 6件" in html and "<svg" in html
    assert "<td>5</td>" in html  # ほぼ毎日: 5 answers
    assert "<td>非公表</td>" in html and "<td>1</td>" not in html  # 週に1〜2回: 1 answer, hidden
    assert "秘密の意見" not in html  # free text is never in the totals


def test_a_single_hidden_count_that_the_total_would_give_away_is_hidden_with_the_next_smallest(client, make_survey):
    survey = make_survey(results_public=True)
    plan = ["ほぼ毎日"] * 6 + ["週に1〜2回"] * 5 + ["ほとんど行かない"] * 2
    for n, visits in enumerate(plan):
        services.answer_survey(survey, {**VALID, "visits": visits}, None, f"203.0.113.{n}", "a")
    survey.closes_at = timezone.now() - timezone.timedelta(minutes=1)
    survey.save_revision().publish()
    html = client.get(survey.url + "results/").content.decode()
    assert "回答数 13件" in html and "<td>6</td>" in html
    assert "<td>5</td>" not in html, "2 (hidden) = 13 - 6 - 5 unless the 5 is hidden too"


def test_results_are_not_public_unless_the_survey_says_so(client, make_survey):
    assert client.get(_closed(make_survey).url + "results/").status_code == 404


def test_a_closed_form_says_so(client, make_survey):
    html = client.get(_closed(make_survey, results_public=True).url).content.decode()
    assert "受付は終了しました" in html and "結果を見る" in html


def test_the_section_page_lists_open_forms(client, survey, make_call):
    call = make_call(title="清掃ボランティア")
    html = client.get(survey.get_parent().url).content.decode()
    assert survey.title in html and call.title in html and "受付中" in html


def test_my_applications_list_states_and_cancel(client, make_call, member):
    call = make_call(capacity=1)
    services.apply(call, {"experience": "ある"}, member)
    client.force_login(member)
    html = client.get("/forms/mine/").content.decode()
    assert call.title in html and "当選・採用" in html
    application = Application.objects.get(member=member)
    client.post(f"/forms/applications/{application.pk}/cancel/")
    application.refresh_from_db()
    assert application.state == "cancelled"
    assert "取消" in client.get("/forms/mine/").content.decode()


# --- the editor ----------------------------------------------------------------------------------

def _question(label, **extra):
    return {"label": label, "field_type": "short", "required": True, "choices": "", "help_text": "", "clean_name": "",
            "max_length": "", "max_choices": "", "default_value": "", **extra}


def _page_data(title, questions, **extra):
    return nested_form_data({
        "title": title, "slug": "", "intro": rich_text(""), "audience": "anyone", "thanks": "",
        "answers_delete_on": "2027-12-31", "ask_district": "on", "opens_at": "", "closes_at": "",
        "max_responses": "", "form_fields": inline_formset(questions), **extra})


def test_an_anonymous_survey_cannot_ask_for_a_name(client, administrator, index):
    login_staff(client, administrator)
    url = f"/admin/pages/add/surveys/surveypage/{index.pk}/"
    response = client.post(url, _page_data("名前を聞くアンケート", [_question("お名前"), _question("ご意見")], slug="ask-name"))
    assert response.status_code == 200, response
    assert "氏名・メールアドレス・電話番号・住所は聞けません" in response.content.decode()
    assert not SurveyPage.objects.filter(title="名前を聞くアンケート").exists()
    members_only = _page_data("会員アンケート", [_question("お名前"), _question("ご意見")], slug="members-only",
                              audience="members")
    assert client.post(url, members_only).status_code == 302
    created = SurveyPage.objects.get(title="会員アンケート")
    assert [f.clean_name for f in created.get_latest_revision_as_object().form_fields.all()] == ["q1", "q2"]


def test_questions_are_frozen_once_answered(client, administrator, survey):
    login_staff(client, administrator)
    services.answer_survey(survey, VALID, None, "203.0.113.1", "a")
    questions = [_question(f.label, field_type=f.field_type, choices=f.choices, clean_name=f.clean_name,
                           required="on" if f.required else "", id=f.pk, max_length=f.max_length or "",
                           max_choices=f.max_choices or "") for f in survey.form_fields.all()]
    questions[0]["label"] = "書き換えた質問"
    data = _page_data(survey.title, questions, slug=survey.slug)
    response = client.post(f"/admin/pages/{survey.pk}/edit/", data)
    assert "回答が届いているため、質問は変更できません" in response.content.decode()
    assert survey.form_fields.first().label != "書き換えた質問"


# --- staff screens -------------------------------------------------------------------------------

def test_staff_see_counts_and_charts_filtered_by_district_and_export_is_audited(client, moderator, survey):
    services.answer_survey(survey, {**VALID, "district": "okubo"}, None, "203.0.113.1", "a")
    services.answer_survey(survey, {**VALID, "visits": "週に1〜2回", "district": "yotsuya"}, None, "203.0.113.2", "b")
    login_staff(client, moderator)
    html = client.get(f"/admin/surveys/surveys/{survey.pk}/").content.decode()
    assert "回答 2 件" in html and "<svg" in html
    okubo = client.get(f"/admin/surveys/surveys/{survey.pk}/?district=okubo").content.decode()
    assert "回答 1 件" in okubo
    export = client.get(f"/admin/surveys/surveys/{survey.pk}/answers.xlsx")
    assert export.status_code == 200 and export["Content-Type"].startswith("application/vnd.openxmlformats")
    assert AuditEntry.objects.filter(action="surveys_export_responses", actor=moderator).count() == 1


def test_applicants_are_shown_only_to_those_allowed_and_every_view_is_audited(client, moderator, editor, make_call,
                                                                            member):
    call = make_call(ask_address=True)
    services.apply(call, {"experience": "ある"}, member)
    login_staff(client, editor)
    refused = client.get(f"/admin/surveys/calls/{call.pk}/")
    assert refused.status_code == 302 and member.last_name not in refused.content.decode()  # Wagtail: back to the dashboard
    assert not AuditEntry.objects.filter(action="surveys_view_applicants").exists()
    login_staff(client, moderator)
    html = client.get(f"/admin/surveys/calls/{call.pk}/").content.decode()
    assert member.last_name in html and "新宿1-2-3" in html
    entry = AuditEntry.objects.get(action="surveys_view_applicants")
    assert entry.actor == moderator and entry.details["target"] == f"recruitment:{call.pk}"


# --- a member's data -----------------------------------------------------------------------------

def test_a_member_s_answers_and_applications_are_exported_and_erased(survey, make_call, member):
    services.answer_survey(survey, VALID, member, "203.0.113.1", "a")
    services.apply(make_call(ask_phone=True), {"experience": "ある", "phone": "03-1234-5678"}, member)
    exported = export_sections(member)["surveys"]
    assert exported["answers"][0]["answers"]["visits"] == "ほぼ毎日"
    assert exported["applications"][0]["phone"] == "03-1234-5678"
    erase_everywhere(member, keep_posts=False)
    assert not Application.objects.filter(member=member).exists()
    assert not Response.objects.filter(member=member).exists()


def test_the_form_speaks_the_visitor_s_language(client, survey):
    html = client.get(f"/en{survey.url}").content.decode()
    assert "Send my answers" in html and "Open" in html
    korean = client.get(f"/ko{survey.url}").content.decode()
    assert "응답 보내기" in korean


def test_an_editor_s_survey_is_published_only_by_the_two_step_workflow(client, editor, make_staff, index):
    first, second = make_staff("Moderators"), make_staff("Moderators")
    login_staff(client, editor)
    data = _page_data("ワークフローのアンケート", [_question("ご意見", field_type="long")], slug="workflow-survey")
    client.post(f"/admin/pages/add/surveys/surveypage/{index.pk}/", {**data, "action-publish": "1"})
    page = SurveyPage.objects.get(slug="workflow-survey")
    assert not page.live  # an editor's 公開 saves a draft: only the workflow publishes
    data = _page_data("ワークフローのアンケート", [_question("ご意見", field_type="long", clean_name="q1",
                                                     id=page.form_fields.first().pk)], slug="workflow-survey")
    client.post(f"/admin/pages/{page.pk}/edit/", {**data, "action-submit": "1"})
    page.refresh_from_db()
    assert not page.live and page.current_workflow_state is not None
    for moderator in (first, second):  # each step by someone else (four eyes), from the review's own screen
        login_staff(client, moderator)
        task_state = page.current_workflow_state.current_task_state
        client.post(reverse("wagtailadmin_pages:workflow_action", args=[page.pk, "approve", task_state.pk]))
        page.refresh_from_db()
    page.refresh_from_db()
    assert page.live


def test_the_editor_s_preview_shows_the_form_as_the_site_does(rf, survey):
    from django.contrib.auth.models import AnonymousUser

    request = rf.get("/")
    request.user = AnonymousUser()
    html = survey.serve_preview(request, "form").render().content.decode()
    assert 'name="visits"' in html and "回答を送る" in html


def test_editors_see_counts_but_not_the_free_text(client, editor, survey):
    services.answer_survey(survey, {**VALID, "opinion": "自由記述の中身"}, None, "203.0.113.1", "a")
    login_staff(client, editor)
    html = client.get(f"/admin/surveys/surveys/{survey.pk}/").content.decode()
    assert "回答 1 件" in html and "自由記述の中身" not in html and "answers.csv" not in html


def test_an_english_visitor_is_listed_the_japanese_only_surveys_marked_as_japanese(client, make_survey, index):
    from wagtail.models import Locale

    survey = make_survey()
    english = Locale.objects.get_or_create(language_code="en")[0]
    home = index.get_parent().specific
    if not home.has_translation(english):
        home.copy_for_translation(english).save_revision().publish()
    index.copy_for_translation(english).save_revision().publish()
    assert selectors.listed_forms(english) == [], "the API and feeds give one language"
    assert selectors.listed_forms(english, originals=True) == [survey]
    html = client.get("/en/surveys/").content.decode()
    assert f'href="/en{survey.url}" lang="ja">{survey.title}</a>' in html
    assert '<p class="card__type">Survey <span class="badge badge--open">Open</span></p>' in html, "the interface in English"
    assert client.get(f"/en{survey.url}").status_code == 200
