"""The moderation queue in the Wagtail admin: who may open it, what it lists, decisions one by one and in bulk."""

import datetime
import re

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


def messages_of(response):
    """The messages this request left for the next page, as a moderator reads them (text, buttons' links)."""
    shown = []
    for message in response.wsgi_request._messages._queued_messages:
        html = str(message)
        shown.append({"level": message.level_tag, "text": re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html)).strip(),
                      "links": re.findall(r'href="([^"]+)"', html)})
    return shown


def test_single_and_bulk_decisions_are_taken_logged_and_said_by_title(client, moderator, held, make_member):
    login_staff(client, moderator)
    first, second = held
    approved = client.post(QUEUE, {"single": f"approve|post:{first.pk}"})
    assert Post.objects.get(pk=first.pk).status == Status.SHOWN
    [message] = messages_of(approved)
    assert message["level"] == "success"
    assert message["text"].startswith(f"{first.author.nickname}さんの投稿『ゴミの出し方』を承認しました。")
    third = services.create_thread(make_member(), held[0].thread.board, "宣伝", "安売りのお知らせ")
    response = client.post(QUEUE, {"bulk": "1", "action": "refuse", "reason": "宣伝目的のため",
                                   "selected": [f"post:{second.pk}", f"post:{third.pk}"]})
    texts = [message["text"] for message in messages_of(response)]
    assert texts[0].startswith(f"{second.author.nickname}さんの投稿『迷い猫』を掲載不可にしました。理由は投稿者にメールで伝えました。")
    assert texts[1].startswith(f"{third.author.nickname}さんの投稿『宣伝』を掲載不可にしました。")
    assert not any("post:" in text for text in texts)  # never the key
    assert set(Post.objects.filter(pk__in=[second.pk, third.pk]).values_list("status", flat=True)) == {"refused"}
    assert AuditEntry.objects.filter(action=ModerationAction.APPROVE, actor=moderator).count() == 1
    assert AuditEntry.objects.filter(action=ModerationAction.REFUSE, actor=moderator).count() == 2
    closed = client.get(QUEUE, {"state": "closed"}).content.decode()
    assert "宣伝目的のため" in closed
    client.post(f"{QUEUE}?state=closed", {"single": f"restore|post:{second.pk}"})
    assert Post.objects.get(pk=second.pk).status == Status.SHOWN
    assert AuditEntry.objects.filter(action=ModerationAction.RESTORE).count() == 1


def test_each_row_is_refused_with_the_reason_typed_on_it(client, moderator, held, make_member):
    first, second = held
    third = services.create_thread(make_member(), first.thread.board, "宣伝", "安売りのお知らせ")
    login_staff(client, moderator)
    html = client.get(QUEUE).content.decode()
    for post in (first, second, third):  # a reason field on every row
        assert f'name="reason-post:{post.pk}"' in html
    client.post(QUEUE, {"bulk": "1", "action": "refuse", "reason": "まとめて書いた理由",
                        "selected": [f"post:{first.pk}", f"post:{second.pk}", f"post:{third.pk}"],
                        f"reason-post:{first.pk}": "収集日の質問は区へ", f"reason-post:{second.pk}": "重複した投稿のため"})
    reasons = dict(Post.objects.filter(pk__in=[first.pk, second.pk, third.pk]).values_list("pk", "status_reason"))
    assert reasons == {first.pk: "収集日の質問は区へ", second.pk: "重複した投稿のため", third.pk: "まとめて書いた理由"}
    logged = dict(AuditEntry.objects.filter(action=ModerationAction.REFUSE).values_list("details__target", "reason"))
    assert logged[f"post:{first.pk}"] == "収集日の質問は区へ" and logged[f"post:{third.pk}"] == "まとめて書いた理由"


def test_a_row_refused_without_a_reason_is_named_in_the_error_and_the_others_are_done(
        client, moderator, held, make_member):
    first, second = held
    login_staff(client, moderator)
    response = client.post(QUEUE, {"bulk": "1", "action": "refuse", "reason": "",
                                   "selected": [f"post:{first.pk}", f"post:{second.pk}"],
                                   f"reason-post:{first.pk}": "地域と関係のない内容のため"})
    shown = messages_of(response)
    assert [message["level"] for message in shown] == ["success", "error"]
    assert shown[1]["text"] == "『迷い猫』を掲載不可にできませんでした：理由を入力してください。"
    assert Post.objects.get(pk=first.pk).status == Status.REFUSED
    assert Post.objects.get(pk=second.pk).status == Status.HELD
    # A row's own button: its row's reason first, the shared one where the row has none.
    single = client.post(QUEUE, {"single": f"hide|post:{second.pk}", "reason": "まとめて書いた理由",
                                 f"reason-post:{second.pk}": "この行の理由", f"reason-post:{first.pk}": "別の行の理由"})
    assert messages_of(single)[0]["text"].startswith(f"{second.author.nickname}さんの投稿『迷い猫』を非表示にしました。")
    assert Post.objects.get(pk=second.pk).status_reason == "この行の理由"


def test_refusal_without_reason_is_an_error_and_changes_nothing(client, moderator, held):
    login_staff(client, moderator)
    response = client.post(QUEUE, {"single": f"refuse|post:{held[0].pk}", "reason": ""}, follow=True)
    assert "『ゴミの出し方』を掲載不可にできませんでした：理由を入力してください。" in response.content.decode()
    assert Post.objects.get(pk=held[0].pk).status == Status.HELD
    assert not AuditEntry.objects.filter(action=ModerationAction.REFUSE).exists()
    bad = client.post(QUEUE, {"single": "approve|post:999999"})
    assert bad.status_code == 404
    nothing = client.post(QUEUE, {"bulk": "1", "action": "approve"}, follow=True)
    assert "対象の投稿を選んでください" in nothing.content.decode()


def test_a_decision_already_taken_is_an_error_naming_the_contribution(client, moderator, held):
    services.refuse(held[0], moderator, "二重の確認")
    login_staff(client, moderator)
    response = client.post(QUEUE, {"single": f"approve|post:{held[0].pk}"})
    [message] = messages_of(response)
    assert message["level"] == "error"
    assert message["text"].startswith("『ゴミの出し方』を承認できませんでした：この投稿はすでに「掲載不可」です。")


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
    post = services.create_thread(make_member(), board, "<b>太字</b>", "<script>alert('x')</script>こんにちは")
    login_staff(client, moderator)
    html = client.get(QUEUE).content.decode()
    assert "<script>alert('x')</script>" not in html and "&lt;script&gt;" in html
    assert "<b>太字</b>" not in html and "『&lt;b&gt;太字&lt;/b&gt;』" in html
    response = client.post(QUEUE, {"single": f"hide|post:{post.pk}", f"reason-post:{post.pk}": "<i>確認</i>のため"})
    [message] = response.wsgi_request._messages._queued_messages
    assert "<b>" not in str(message) and "『&lt;b&gt;太字&lt;/b&gt;』を非表示にしました" in str(message)
