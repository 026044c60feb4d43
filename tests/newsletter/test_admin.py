"""
Issues in the admin: editors write and submit, two different moderators approve (内容確認 →
公開承認), and only that approval releases an issue for sending; the preview shows the mail; a
test send goes to oneself and is logged. Subscribers are for administrators only; suspending an
address needs a reason and is logged. Figures per mailing are shown to staff.
"""

import pytest
from django.core import mail
from django.urls import reverse
from wagtail.test.utils.form_data import nested_form_data, rich_text, streamfield

from members.models import AuditEntry
from newsletter import services
from newsletter.models import Issue, Status
from tests.newsletter.conftest import make_subscriber
from tests.staff import login_staff

pytestmark = pytest.mark.django_db


def issue_form(title, **extra):
    return nested_form_data({
        "title": title, "lead": "今週の地域の話題です。", "language": "", "send_at": "",
        "body": streamfield([("heading", "おすすめ"), ("text", rich_text("<p>落ち葉拾いに参加しませんか。</p>"))]),
        **extra,
    })


def create_as(client, user, title, action):
    login_staff(client, user)
    data = issue_form(title)
    data[action] = "1"
    response = client.post(reverse("wagtailsnippets_newsletter_issue:add"), data)
    assert response.status_code in (200, 302), response.status_code
    return Issue.objects.filter(title=title).first()


def act(client, user, issue, action):
    login_staff(client, user)
    task_state = issue.current_workflow_state.current_task_state
    url = reverse("wagtailsnippets_newsletter_issue:workflow_action", args=(issue.pk, action, task_state.pk))
    return client.post(url, {"comment": ""})


def test_issues_follow_the_two_step_review_and_only_the_last_approval_releases_them(client, editor, moderator,
                                                                                   make_staff):
    issue = create_as(client, editor, "大久保だより 12月号", "action-submit")
    assert issue is not None and issue.live is False
    assert issue.current_workflow_state.workflow.name == "編集ワークフロー（確認・承認）"
    act(client, editor, issue, "approve")  # the editor cannot approve their own submission
    issue.refresh_from_db()
    assert issue.current_workflow_task.name == "内容確認"
    act(client, moderator, issue, "approve")
    issue.refresh_from_db()
    assert issue.live is False and issue.current_workflow_task.name == "公開承認"
    act(client, moderator, issue, "approve")  # the same moderator may not approve the second step
    issue.refresh_from_db()
    assert issue.live is False
    act(client, make_staff("Moderators"), issue, "approve")
    issue.refresh_from_db()
    assert issue.live is True
    assert list(services.selectors.due_issues()) == [issue]


def test_neither_an_editor_nor_a_moderator_can_publish_directly(client, editor, moderator):
    for user, title in ((editor, "編集者の号"), (moderator, "審査担当の号")):
        issue = create_as(client, user, title, "action-publish")
        assert issue is not None and issue.live is False, user
        response = client.post(reverse("wagtailsnippets_newsletter_issue:edit", args=[issue.pk]),
                               {**issue_form(title), "action-publish": "1"})
        issue.refresh_from_db()
        assert issue.live is False and response.status_code in (200, 302, 403)


def test_the_preview_is_the_mail_and_a_test_send_goes_to_oneself_and_is_logged(client, editor):
    issue = create_as(client, editor, "テスト送信の号", "action-submit")
    page = client.get(reverse("wagtailsnippets_newsletter_issue:mail", args=[issue.pk]))
    text = page.content.decode()
    assert page.status_code == 200 and "【新宿地域ポータル】テスト送信の号" in text and "落ち葉拾い" in text
    preview = issue.make_preview_request(preview_mode="text").content.decode()
    assert "落ち葉拾いに参加しませんか。" in preview and "<p>" not in preview.split("<pre>")[1]
    assert "<h2" in issue.make_preview_request(preview_mode="html").content.decode()

    client.post(reverse("wagtailsnippets_newsletter_issue:mail", args=[issue.pk]))
    [message] = mail.outbox
    assert message.to == [editor.email] and message.subject.startswith("［テスト送信］")
    assert AuditEntry.objects.filter(action="newsletter_test_send", actor=editor).exists()


def test_subscribers_are_for_administrators_only_and_suspending_needs_a_reason(client, editor, moderator,
                                                                           administrator):
    subscriber = make_subscriber()
    index = reverse("newsletter_subscribers:index")
    for user in (editor, moderator):
        login_staff(client, user)
        assert client.get(index).status_code in (302, 403)
        assert client.get(reverse("newsletter_subscribers:detail", args=[subscriber.pk])).status_code in (302, 403)
    login_staff(client, administrator)
    listing = client.get(index, {"q": subscriber.email.upper()}).content.decode()
    assert subscriber.masked_email in listing and subscriber.email not in listing
    suspend = reverse("newsletter_subscribers:suspend", args=[subscriber.pk])
    refused = client.post(suspend, {"suspend-reason": ""})
    assert refused.status_code == 400 and "理由を入力してください" in refused.content.decode()
    client.post(suspend, {"suspend-reason": "本人から電話で停止の依頼"})
    subscriber.refresh_from_db()
    assert subscriber.status == Status.SUSPENDED
    entry = AuditEntry.objects.get(action="newsletter_suspend")
    assert entry.actor == administrator and entry.reason == "本人から電話で停止の依頼"
    client.post(reverse("newsletter_subscribers:reactivate", args=[subscriber.pk]), {"reactivate-reason": "誤り"})
    subscriber.refresh_from_db()
    assert subscriber.status == Status.ACTIVE


def test_staff_see_the_figures_of_each_mailing(client, editor):
    make_subscriber(), make_subscriber()
    issue = Issue(title="件数の号", live=False)
    issue.save()
    issue.save_revision().publish()
    services.run_mailing(services.issue_mailing(Issue.objects.get(pk=issue.pk)))
    login_staff(client, editor)
    page = client.get(reverse("newsletter_mailings:index")).content.decode()
    assert "件数の号" in page and "<td>2</td>" in page
    assert AuditEntry.objects.filter(action="newsletter_send_issue").exists()


def test_the_admin_pages_open_for_those_allowed(client, editor, administrator):
    issue = create_as(client, editor, "一覧の号", "action-save")
    login_staff(client, editor)
    listing = client.get(reverse("wagtailsnippets_newsletter_issue:list"))
    assert listing.status_code == 200 and "一覧の号" in listing.content.decode()
    edit = client.get(reverse("wagtailsnippets_newsletter_issue:edit", args=[issue.pk])).content.decode()
    assert "メールとして確認・テスト送信" in edit and "送る相手（セグメント）" in edit
    menu = client.get("/admin/").content.decode()  # the sidebar's items, as JSON in the page
    assert "/admin/newsletter/mailings/" in menu and "/admin/newsletter/subscribers/" not in menu  # not for editors
    login_staff(client, administrator)
    assert "/admin/newsletter/subscribers/" in client.get("/admin/").content.decode()
    subscriber = make_subscriber()
    detail = client.get(reverse("newsletter_subscribers:detail", args=[subscriber.pk])).content.decode()
    assert subscriber.masked_email in detail and subscriber.email not in detail and "同意の記録" in detail
