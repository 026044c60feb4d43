"""
The editorial workflow as the edit screen drives it: approving there advances to the next step,
each step has a different approver (four eyes), and only the workflow publishes for editors and
moderators, whichever way they try.
"""

import re

import pytest
from django.urls import reverse
from wagtail.models import APIToken, Page, TaskState

from pages.editorial import APPROVAL_TASK, REVIEW_TASK
from pages.models import ArticleIndexPage, ArticlePage, DistrictPage, FourEyesApprovalTask
from tests.staff import login_staff

from .workflow_helpers import add_url, article_form, edit_url

pytestmark = pytest.mark.django_db


@pytest.fixture
def articles():
    return ArticleIndexPage.objects.get()


def _submitted(client, editor, parent, title="大久保の見守り隊", slug="mimamori"):
    """
    An article an editor wrote and submitted through the add screen, and the form they posted
    (with the block ids the editor's script gives every block, so that posting it again is no edit).
    """
    login_staff(client, editor)
    data = article_form(title, slug, districts=[DistrictPage.objects.get(slug="okubo")])
    data.update({"body-0-id": "6f0c2b5e-0000-4000-8000-000000000001", "body-1-id": "6f0c2b5e-0000-4000-8000-000000000002"})
    client.post(add_url(parent), {**data, "action-submit": "1"})
    return ArticlePage.objects.get(slug=slug), data


def _approve_on_edit_screen(client, user, page, data, **changes):
    """What the edit screen posts for 承認: the whole form, plus the action the menu's button adds."""
    login_staff(client, user)
    return client.post(edit_url(page), {**data, **changes, "action-workflow-action": "true",
                                        "workflow-action-name": "approve"})


def _step(page):
    page.refresh_from_db()
    state = page.current_workflow_state
    return state.current_task_state.task.name if state else None


def test_both_steps_are_four_eyes_tasks():
    page = ArticlePage.objects.live().first()
    tasks = [task.specific for task in page.get_workflow().tasks.all()]
    assert [task.name for task in tasks] == [REVIEW_TASK, APPROVAL_TASK]
    assert all(isinstance(task, FourEyesApprovalTask) for task in tasks)


def test_approving_on_the_edit_screen_advances_to_the_approval_step(client, editor, moderator, articles):
    page, data = _submitted(client, editor, articles)
    assert _step(page) == REVIEW_TASK
    response = _approve_on_edit_screen(client, moderator, page, data)
    assert response.status_code == 302
    assert _step(page) == APPROVAL_TASK, "the review was approved, not restarted"
    assert page.revisions.count() == 1, "an unchanged form saves no new revision"


def test_the_editor_form_reports_no_phantom_change_of_the_date(editor, articles):
    """The cause of the restart: 掲載日's callable default made the form always report a change."""
    page = ArticlePage(title="日付の確認", slug="hizuke", date="2026-11-20", body=[("paragraph", "<p>本文</p>")])
    articles.add_child(instance=page)
    form_class = ArticlePage.get_edit_handler().get_form_class()
    data = article_form("日付の確認", "hizuke")
    form = form_class(data, instance=page, parent_page=articles, for_user=editor)
    assert "date" not in form.changed_data
    changed = form_class({**data, "date": "2026-11-21"}, instance=page, parent_page=articles, for_user=editor)
    assert "date" in changed.changed_data


def test_an_approver_who_corrects_a_typo_on_the_edit_screen_still_advances(client, editor, moderator, articles):
    page, data = _submitted(client, editor, articles)
    _approve_on_edit_screen(client, moderator, page, data, lead="誤字を直しました。")
    assert _step(page) == APPROVAL_TASK
    assert page.get_latest_revision_as_object().lead == "誤字を直しました。"


def test_the_reviewer_may_not_give_the_final_approval_but_a_second_moderator_may(
        client, editor, moderator, make_staff, articles):
    page, data = _submitted(client, editor, articles)
    _approve_on_edit_screen(client, moderator, page, data)

    # The edit screen offers the reviewer no 承認, and says why.
    login_staff(client, moderator)
    screen = client.get(edit_url(page))
    html = screen.content.decode()
    assert 'data-workflow-action-name="approve"' not in html
    assert "「内容確認」を承認した人とは別の人が承認します" in html
    # Posting the approval anyway changes nothing.
    task_state = page.current_workflow_state.current_task_state
    refused = client.post(reverse("wagtailadmin_pages:workflow_action", args=(page.pk, "approve", task_state.pk)))
    assert refused.status_code in (302, 403)  # the admin's "no permission" answer
    assert _step(page) == APPROVAL_TASK and not page.live
    # Nor is the step in the reviewer's list of pages to review on the dashboard.
    assert not FourEyesApprovalTask.objects.get(name=APPROVAL_TASK).get_task_states_user_can_moderate(
        moderator).filter(pk=task_state.pk).exists()

    second = make_staff("Moderators")
    _approve_on_edit_screen(client, second, page, data)
    page.refresh_from_db()
    assert page.live and page.current_workflow_state is None
    approvals = TaskState.objects.filter(workflow_state__object_id=str(page.pk), status="approved")
    assert {state.finished_by for state in approvals} == {moderator, second}


def test_a_moderator_who_submitted_a_page_approves_no_step_of_it(client, moderator, make_staff, articles):
    page, data = _submitted(client, moderator, articles, "戸塚の防犯パトロール", "patrol")
    login_staff(client, moderator)
    assert "レビューを依頼したのはあなたなので" in client.get(edit_url(page)).content.decode()
    _approve_on_edit_screen(client, moderator, page, data)
    assert _step(page) == REVIEW_TASK
    _approve_on_edit_screen(client, make_staff("Moderators"), page, data)
    assert _step(page) == APPROVAL_TASK


def test_an_autosave_carrying_the_approval_does_not_repeat_it(client, editor, moderator, articles):
    page, data = _submitted(client, editor, articles)
    login_staff(client, moderator)
    response = client.post(edit_url(page), {**data, "action-workflow-action": "true", "workflow-action-name": "approve"},
                           HTTP_ACCEPT="application/json")
    assert response.status_code == 400
    assert response.json()["error_code"] == "action_in_autosave"
    assert _step(page) == REVIEW_TASK


# --- Publishing around the workflow ----------------------------------------------------------------

@pytest.fixture(params=["Editors", "Moderators"])
def staff(request, make_staff):
    return make_staff(request.param)


@pytest.fixture
def draft(articles):
    page = ArticlePage(title="下書きの記事", slug="shitagaki", live=False, body=[("paragraph", "<p>下書き</p>")])
    articles.add_child(instance=page)
    page.save_revision()
    return ArticlePage.objects.get(pk=page.pk)


def test_the_edit_screen_publish_button_is_refused(client, staff, draft):
    login_staff(client, staff)
    assert 'name="action-publish"' not in client.get(edit_url(draft)).content.decode()
    client.post(edit_url(draft), {**article_form("下書きの記事", "shitagaki"), "action-publish": "1"})
    draft.refresh_from_db()
    assert not draft.live


def test_creating_with_publish_is_refused(client, staff, articles):
    login_staff(client, staff)
    client.post(add_url(articles), {**article_form("直接公開", "chokusetsu"), "action-publish": "1"})
    page = ArticlePage.objects.filter(slug="chokusetsu").first()
    assert page is None or not page.live


def test_bulk_publish_is_refused(client, staff, draft):
    login_staff(client, staff)
    url = reverse("wagtail_bulk_action", args=("wagtailcore", "page", "publish")) + f"?id={draft.pk}"
    client.post(url, {"include_descendants": ""})
    draft.refresh_from_db()
    assert not draft.live


def test_unpublishing_and_republishing_are_refused(client, staff):
    live = ArticlePage.objects.live().first()
    login_staff(client, staff)
    client.post(reverse("wagtailadmin_pages:unpublish", args=(live.pk,)))
    live.refresh_from_db()
    assert live.live, "only an administrator takes a page down"


def test_copying_with_publish_and_aliases_are_refused(client, staff, articles):
    live = ArticlePage.objects.live().first()
    login_staff(client, staff)
    for extra in ({"publish_copies": "on"}, {"alias": "on"}):
        slug = "copy-" + next(iter(extra))
        client.post(reverse("wagtailadmin_pages:copy", args=(live.pk,)),
                    {"new_title": "複製", "new_slug": slug, "new_parent_page": articles.pk, **extra})
        assert not ArticlePage.objects.filter(slug=slug, live=True).exists(), extra


def test_restoring_a_revision_and_publishing_it_is_refused(client, staff):
    live = ArticlePage.objects.live().first()
    revision = live.save_revision()
    login_staff(client, staff)
    screen = client.get(reverse("wagtailadmin_pages:revisions_revert", args=(live.pk, revision.pk)))
    assert 'name="action-publish"' not in screen.content.decode()


def _api(client, user, method, path, payload=None):
    _token, secret = APIToken.create_token(user=user, name="テスト")
    return getattr(client, method)(path, payload or {}, content_type="application/json",
                                   HTTP_AUTHORIZATION=f"Bearer {secret}")


def test_the_api_publish_and_copy_are_refused(client, staff, draft, articles):
    response = _api(client, staff, "post", f"/api/v3/pages/{draft.pk}/actions/publish/")
    assert response.status_code == 403
    draft.refresh_from_db()
    assert not draft.live
    live = ArticlePage.objects.live().first()
    copied = _api(client, staff, "post", f"/api/v3/pages/{live.pk}/actions/copy/",
                  {"destination_id": articles.pk, "slug": "api-copy", "keep_live": True})
    assert copied.status_code in (400, 403, 422)
    assert not Page.objects.filter(slug="api-copy", live=True).exists()


def test_administrators_keep_the_power_to_publish(client, administrator, draft):
    login_staff(client, administrator)
    client.post(edit_url(draft), {**article_form("下書きの記事", "shitagaki"), "action-publish": "1"})
    draft.refresh_from_db()
    assert draft.live


# --- Readable slugs ------------------------------------------------------------------------------

def test_a_japanese_title_gets_a_romanised_slug(client, editor, articles):
    login_staff(client, editor)
    # What Wagtail's own slug field makes of the title (kept in Japanese), and what it proposes.
    client.post(add_url(articles), article_form("大久保の子育てサロン", "大久保の子育てサロン"))
    assert ArticlePage.objects.filter(slug="okubo-no-kosodate-salon").exists()
    proposal = client.get(reverse("pages_slug_proposal"), {"title": "戸塚の子ども食堂"}).json()
    assert proposal == {"slug": "totsuka-no-kodomo-shokudo"}


def test_a_slug_the_editor_wrote_is_kept_and_a_taken_one_is_numbered(client, editor, articles):
    login_staff(client, editor)
    client.post(add_url(articles), article_form("大久保の子育てサロン", "salon-okubo"))
    assert ArticlePage.objects.filter(slug="salon-okubo").exists()
    client.post(add_url(articles), article_form("大久保の子育てサロン", "大久保の子育てサロン"))
    client.post(add_url(articles), article_form("大久保の子育てサロン", "大久保の子育てサロン"))
    slugs = set(ArticlePage.objects.filter(title="大久保の子育てサロン").values_list("slug", flat=True))
    assert slugs == {"salon-okubo", "okubo-no-kosodate-salon", "okubo-no-kosodate-salon-1"}


# --- The admin in Japanese -----------------------------------------------------------------------

def test_staff_get_the_admin_in_japanese_whatever_their_browser_says(client, make_staff):
    # /admin/ has no language prefix, and the default language is served unprefixed: Japanese,
    # unless the staff member chose another in their account settings.
    newcomer = make_staff("Moderators")
    login_staff(client, newcomer)
    html = client.get("/admin/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9").content.decode()
    assert '<html lang="ja"' in html
    assert "ダッシュボード" in html


def test_the_workflow_mail_to_moderators_is_japanese(client, editor, moderator, articles, mailoutbox):
    login_staff(client, moderator)
    client.get("/admin/", HTTP_ACCEPT_LANGUAGE="en")  # the moderator's admin profile exists
    _submitted(client, editor, articles)
    to_moderator = [message for message in mailoutbox if moderator.email in message.to]
    assert to_moderator
    text = to_moderator[0].subject + to_moderator[0].body
    assert "大久保の見守り隊" in text
    assert not re.search(r"\b(submitted|has been|awaiting|moderation)\b", text, re.I), text
