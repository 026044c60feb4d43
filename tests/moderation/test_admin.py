"""The moderation queue in the Wagtail admin: who may open it, what it lists, decisions one by one and in bulk."""

import datetime

import pytest
from django.utils import timezone

from members.models import AuditEntry
from moderation import services
from moderation.audit import ModerationAction
from moderation.models import Post, Sanction, Status, Submission
from tests.staff import login_staff

pytestmark = pytest.mark.django_db
QUEUE = "/admin/moderation/queue/"


@pytest.fixture
def held(board, make_member):
    policy = services.current_policy()
    policy.trusted_after_approved_posts = 3
    policy.save()
    first = services.create_thread(make_member(), board, "ゴミの出し方", "燃えないゴミは何曜日ですか。")
    second = services.create_thread(make_member(), board, "迷い猫", "茶色の猫を探しています。")
    Post.objects.filter(pk=first.pk).update(queued_at=timezone.now() - datetime.timedelta(hours=30))
    return first, second


def test_only_moderators_and_administrators_open_the_queue(client, editor, moderator, administrator, held):
    login_staff(client, editor)
    # Wagtail answers a permission refusal in the admin with a redirect to the dashboard.
    for response in (client.get(QUEUE), client.post(QUEUE, {"single": f"approve|post:{held[0].pk}"})):
        assert response.status_code == 302 and response["Location"] == "/admin/"
    assert "投稿の審査" not in client.get("/admin/").content.decode()  # not in the editor's menu
    assert Post.objects.get(pk=held[0].pk).status == Status.HELD
    for staff in (moderator, administrator):
        login_staff(client, staff)
        response = client.get(QUEUE)
        assert response.status_code == 200
        html = response.content.decode()
        assert "ゴミの出し方" in html and "迷い猫" in html and "はじめのうちの投稿は" in html
    client.logout()
    assert client.get(QUEUE).status_code == 302  # to the admin log-in


def test_queue_filters_by_kind_and_age_and_shows_time_waited(client, moderator, held, member):
    services.submit(member, Submission.Kind.LOCAL_INFO, "桜の開花", "大久保通りの桜が咲きました。")
    login_staff(client, moderator)
    html = client.get(QUEUE).content.decode()
    assert "桜の開花" in html and "1日" in html  # 30 hours in the queue
    only_posts = client.get(QUEUE, {"kind": "post"}).content.decode()
    assert "桜の開花" not in only_posts and "迷い猫" in only_posts
    old = client.get(QUEUE, {"age": "24"}).content.decode()
    assert "ゴミの出し方" in old and "迷い猫" not in old


def test_single_and_bulk_decisions_are_taken_and_logged(client, moderator, held, make_member):
    login_staff(client, moderator)
    first, second = held
    client.post(QUEUE, {"single": f"approve|post:{first.pk}"})
    assert Post.objects.get(pk=first.pk).status == Status.SHOWN
    third = services.create_thread(make_member(), held[0].thread.board, "宣伝", "安売りのお知らせ")
    response = client.post(QUEUE, {"bulk": "1", "action": "refuse", "reason": "宣伝目的のため",
                                   "selected": [f"post:{second.pk}", f"post:{third.pk}"]}, follow=True)
    assert "2件を処理しました" in response.content.decode()
    assert set(Post.objects.filter(pk__in=[second.pk, third.pk]).values_list("status", flat=True)) == {"refused"}
    assert AuditEntry.objects.filter(action=ModerationAction.APPROVE, actor=moderator).count() == 1
    assert AuditEntry.objects.filter(action=ModerationAction.REFUSE, actor=moderator).count() == 2
    closed = client.get(QUEUE, {"state": "closed"}).content.decode()
    assert "宣伝目的のため" in closed
    client.post(f"{QUEUE}?state=closed", {"single": f"restore|post:{second.pk}"})
    assert Post.objects.get(pk=second.pk).status == Status.SHOWN
    assert AuditEntry.objects.filter(action=ModerationAction.RESTORE).count() == 1


def test_refusal_without_reason_is_an_error_and_changes_nothing(client, moderator, held):
    login_staff(client, moderator)
    response = client.post(QUEUE, {"single": f"refuse|post:{held[0].pk}", "reason": ""}, follow=True)
    assert "理由を入力してください" in response.content.decode()
    assert Post.objects.get(pk=held[0].pk).status == Status.HELD
    assert not AuditEntry.objects.filter(action=ModerationAction.REFUSE).exists()
    bad = client.post(QUEUE, {"single": "approve|post:999999"})
    assert bad.status_code == 404
    nothing = client.post(QUEUE, {"bulk": "1", "action": "approve"}, follow=True)
    assert "対象の投稿を選んでください" in nothing.content.decode()


def test_edit_with_note_and_sanction_from_the_admin(client, moderator, held):
    login_staff(client, moderator)
    post = held[0]
    url = f"/admin/moderation/items/post:{post.pk}/edit/"
    assert client.get(url).status_code == 200
    missing_note = client.post(url, {"title": post.thread.title, "body": "書き換え", "note": ""})
    assert missing_note.status_code == 200 and Post.objects.get(pk=post.pk).body == post.body
    client.post(url, {"title": post.thread.title, "body": "燃えないゴミの日を教えてください。", "note": "表現を整えました"})
    assert Post.objects.get(pk=post.pk).body == "燃えないゴミの日を教えてください。"
    entry = AuditEntry.objects.get(action=ModerationAction.EDIT)
    assert entry.details["before"]["body"] == "燃えないゴミは何曜日ですか。" and entry.reason == "表現を整えました"

    sanction_url = f"/admin/moderation/members/{post.author_id}/sanction/"
    assert client.get(sanction_url).status_code == 200
    client.post(sanction_url, {"kind": "suspend", "days": "", "reason": "宣伝の繰り返し"})
    assert not Sanction.objects.exists()  # a suspension needs its period
    client.post(sanction_url, {"kind": "suspend", "days": "7", "reason": "宣伝の繰り返し"})
    sanction = Sanction.objects.get()
    assert sanction.kind == "suspend" and sanction.until > timezone.now() + datetime.timedelta(days=6)
    assert AuditEntry.objects.filter(action=ModerationAction.SANCTION, subject=post.author).exists()


def test_residents_text_is_escaped_in_the_admin(client, moderator, board, make_member):
    policy = services.current_policy()
    policy.trusted_after_approved_posts = 1
    policy.save()
    services.create_thread(make_member(), board, "<b>太字</b>", "<script>alert('x')</script>こんにちは")
    login_staff(client, moderator)
    html = client.get(QUEUE).content.decode()
    assert "<script>alert('x')</script>" not in html and "&lt;script&gt;" in html
