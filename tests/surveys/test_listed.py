"""Surveys and calls where residents look: search, the feed of open ones, district pages, the moderation queue."""

import pytest
from django.template import Context, Template
from django.utils import timezone

from moderation import registry as moderation_registry
from moderation.models import ModerationSettings
from moderation.selectors import queue
from pages.terms import district_model
from search.models import SearchDocument
from surveys import services
from surveys.models import Comment

from .conftest import VALID

pytestmark = pytest.mark.django_db


def test_an_open_survey_is_found_and_leaves_the_index_when_it_closes(client, make_survey):
    survey = make_survey(title="ひまわり公園の利用アンケート")
    key = f"surveys.survey:{survey.pk}"
    assert SearchDocument.objects.filter(key=key).exists()
    results = client.get("/api/v3/search/", {"q": "ひまわり公園"}).json()["results"]
    assert ("survey", survey.pk) in [(r["type"], r["id"]) for r in results]
    survey.unpublish()
    assert not SearchDocument.objects.filter(key=key).exists()


def test_the_feed_lists_open_calls_of_a_district(client, make_call):
    okubo = district_model().objects.get(slug="okubo", locale__language_code="ja")
    call = make_call(title="大久保の夏祭りスタッフ募集")
    call.districts.set([okubo])
    call.save_revision().publish()
    make_call(title="締め切った募集", opens_at=timezone.now() - timezone.timedelta(days=5),
              closes_at=timezone.now() - timezone.timedelta(days=1))
    rss = client.get("/forms/feeds/districts/okubo/open.rss").content.decode()
    assert "大久保の夏祭りスタッフ募集" in rss and "締め切った募集" not in rss
    assert "大久保の夏祭りスタッフ募集" in client.get("/forms/feeds/open.atom").content.decode()


def test_district_pages_can_list_open_forms_through_the_tag(rf, make_call):
    okubo = district_model().objects.get(slug="okubo", locale__language_code="ja")
    call = make_call(title="大久保の清掃ボランティア")
    call.districts.set([okubo])
    call.save_revision().publish()
    html = Template("{% load surveys_tags %}{% open_forms_for page %}").render(Context({"page": okubo,
                                                                                         "request": rf.get("/")}))
    assert "大久保の清掃ボランティア" in html and "受付中" in html


def test_a_held_comment_waits_in_the_one_moderation_queue(make_survey, make_member):
    policy = ModerationSettings.load()
    policy.trusted_after_approved_posts = 5  # a new member's text is held
    policy.save()
    survey = make_survey(publish_comments=True)
    services.answer_survey(survey, VALID, make_member(), "203.0.113.1", "a")
    comment = Comment.objects.get()
    assert comment.status == "held"
    assert comment in queue(kind="survey_comment")
    assert moderation_registry.kind_of(comment).label == "アンケートの自由記述"


def test_a_moderator_approves_a_held_comment_in_the_queue_and_it_is_published(client, make_survey, make_member,
                                                                               moderator):
    from tests.staff import login_staff

    policy = ModerationSettings.load()
    policy.trusted_after_approved_posts = 5
    policy.save()
    survey = make_survey(publish_comments=True, results_public=True)
    services.answer_survey(survey, {**VALID, "opinion": "噴水がほしいです。"}, make_member(), "203.0.113.1", "a")
    comment = Comment.objects.get()
    login_staff(client, moderator)
    page = client.get("/admin/moderation/queue/")
    assert page.status_code == 200 and "アンケートの自由記述" in page.content.decode()
    client.post("/admin/moderation/queue/", {"single": f"approve|survey_comment:{comment.pk}"})
    comment.refresh_from_db()
    assert comment.status == "shown"
    survey.closes_at = timezone.now() - timezone.timedelta(minutes=1)
    survey.save_revision().publish()
    assert "噴水がほしいです。" in client.get(survey.url + "results/").content.decode()
