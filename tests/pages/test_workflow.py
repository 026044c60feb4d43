"""
The editorial workflow, driven through the Wagtail admin as staff use it: editors write and
submit, moderators review then approve (two steps), only approval publishes.
"""

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone
from wagtail.models import PageLogEntry, WorkflowState

from pages.editorial import APPROVAL_TASK, REVIEW_TASK
from pages.models import ArticleIndexPage, ArticlePage, DistrictPage, ThemePage
from tests.staff import login_staff

from .workflow_helpers import add_url, article_form, edit_url

pytestmark = pytest.mark.django_db


@pytest.fixture
def articles():
    return ArticleIndexPage.objects.get()


def _create_as(client, user, parent, title, slug, action):
    login_staff(client, user)
    district = DistrictPage.objects.get(slug="okubo")
    theme = ThemePage.objects.get(slug="bohan")
    data = article_form(title, slug, districts=[district], themes=[theme])
    data[action] = "1"
    response = client.post(add_url(parent), data)
    assert response.status_code in (200, 302), response.status_code
    return ArticlePage.objects.filter(slug=slug).first(), response


def _act(client, user, page, action, comment=""):
    login_staff(client, user)
    state = page.current_workflow_state
    task_state = state.current_task_state
    url = reverse("wagtailadmin_pages:workflow_action", args=(page.pk, action, task_state.pk))
    return client.post(url, {"comment": comment})


def test_an_editor_cannot_publish_even_by_posting_the_publish_action(client, editor, articles):
    page, _ = _create_as(client, editor, articles, "大久保の見守り隊", "mimamori", "action-publish")
    assert page is not None, "the editor's draft is kept"
    assert page.live is False
    assert not page.permissions_for_user(editor).can_publish()
    # Publishing the existing draft through the edit view is refused as well.
    response = client.post(edit_url(page), {**article_form("大久保の見守り隊", "mimamori"), "action-publish": "1"})
    page.refresh_from_db()
    assert page.live is False
    assert response.status_code in (200, 302, 403)


def test_submitted_article_is_published_only_after_review_and_approval(client, editor, moderator, make_staff,
                                                                      articles):
    page, _ = _create_as(client, editor, articles, "戸塚の子ども食堂", "kodomo-shokudo", "action-submit")
    state = page.current_workflow_state
    assert state.status == WorkflowState.STATUS_IN_PROGRESS
    assert state.current_task_state.task.name == REVIEW_TASK

    # An editor cannot approve their own submission.
    response = _act(client, editor, page, "approve")
    page.refresh_from_db()
    assert page.current_workflow_state.current_task_state.task.name == REVIEW_TASK
    assert response.status_code in (302, 403)

    _act(client, moderator, page, "approve", "内容を確認しました")
    page.refresh_from_db()
    assert page.live is False, "review alone does not publish"
    assert page.current_workflow_state.current_task_state.task.name == APPROVAL_TASK

    second_moderator = make_staff("Moderators")
    _act(client, second_moderator, page, "approve", "公開します")
    page.refresh_from_db()
    assert page.live is True
    assert page.current_workflow_state is None

    history = list(PageLogEntry.objects.filter(page=page).order_by("timestamp").values_list("action", flat=True))
    for action in ("wagtail.create", "wagtail.workflow.start", "wagtail.workflow.approve", "wagtail.publish"):
        assert action in history, history
    comments = [entry.data.get("comment") for entry in PageLogEntry.objects.filter(page=page, action="wagtail.workflow.approve")]
    assert "内容を確認しました" in str(comments)


def test_a_moderator_can_reject_with_a_comment_and_the_editor_resubmits(client, editor, moderator, articles):
    page, _ = _create_as(client, editor, articles, "四谷の古書店", "kosho", "action-submit")
    _act(client, moderator, page, "reject", "写真の代替テキストを書いてください")
    page.refresh_from_db()
    state = WorkflowState.objects.for_instance(page).latest("created_at")
    assert state.status == WorkflowState.STATUS_NEEDS_CHANGES
    assert page.live is False
    log = PageLogEntry.objects.filter(page=page, action="wagtail.workflow.reject").get()
    assert "代替テキスト" in str(log.data)


def test_scheduled_publishing_happens_when_publish_scheduled_runs(client, editor, moderator, make_staff, articles):
    go_live = timezone.localtime() + timezone.timedelta(minutes=5)
    login_staff(client, editor)
    data = article_form("榎町の秋祭り", "aki-matsuri", go_live_at=go_live.strftime("%Y-%m-%d %H:%M"))
    data["action-submit"] = "1"
    client.post(add_url(articles), data)
    page = ArticlePage.objects.get(slug="aki-matsuri")
    _act(client, moderator, page, "approve")
    _act(client, make_staff("Moderators"), page, "approve")
    page.refresh_from_db()
    assert page.live is False, "approved, but waiting for its time"
    assert page.scheduled_revision is not None

    call_command("publish_scheduled")
    page.refresh_from_db()
    assert page.live is False, "not yet: the time has not come"

    later = go_live + timezone.timedelta(minutes=1)
    from unittest import mock

    with mock.patch("django.utils.timezone.now", return_value=later):
        call_command("publish_scheduled")
    page.refresh_from_db()
    assert page.live is True
