"""
「元に戻す（再表示）」 after a refusal or a hiding: the link in the message leads to a page that
restores the contribution (a GET changes nothing), and it is offered only where restoring is allowed.
"""

import pytest

from members.models import AuditEntry
from moderation import services
from moderation.audit import ModerationAction
from moderation.models import Status
from tests.moderation.test_admin import QUEUE, messages_of
from tests.moderation.test_flow import _shop_submission
from tests.staff import login_staff

pytestmark = pytest.mark.django_db


@pytest.fixture
def held_post(board, make_member, policy):
    policy.trusted_after_approved_posts = 3
    policy.save()
    return services.create_thread(make_member(), board, "駐輪場の場所", "駅の近くに駐輪場はありますか。")


@pytest.mark.parametrize("action, status, done", [("refuse", Status.REFUSED, "掲載不可にしました"),
                                                  ("hide", Status.HIDDEN, "非表示にしました")])
def test_the_message_after_a_refusal_or_hiding_links_to_a_restore_that_works(
        client, moderator, held_post, action, status, done):
    login_staff(client, moderator)
    response = client.post(QUEUE, {"single": f"{action}|post:{held_post.pk}",
                                   f"reason-post:{held_post.pk}": "個人が特定できる内容のため"})
    [message] = messages_of(response)
    assert message["text"].startswith(f"{held_post.author.nickname}さんの投稿『駐輪場の場所』を{done}。")
    assert "元に戻す（再表示）" in message["text"]
    [link] = message["links"]
    assert link == f"/admin/moderation/items/post:{held_post.pk}/restore/"

    page = client.get(link)  # looking changes nothing
    assert page.status_code == 200
    body = page.content.decode()
    assert "『駐輪場の場所』" in body and "個人が特定できる内容のため" in body and "再表示する" in body
    assert held_post.__class__.objects.get(pk=held_post.pk).status == status

    restored = client.post(link, {"note": "誤って処理したため"})
    assert restored.status_code == 302 and restored["Location"] == QUEUE
    assert messages_of(restored)[0]["text"].startswith(
        f"{held_post.author.nickname}さんの投稿『駐輪場の場所』を再表示しました。")
    assert held_post.__class__.objects.get(pk=held_post.pk).status == Status.SHOWN
    entry = AuditEntry.objects.get(action=ModerationAction.RESTORE)
    assert entry.actor == moderator and entry.reason == "誤って処理したため"
    assert entry.details["target"] == f"post:{held_post.pk}"


def test_a_refused_shop_submission_is_offered_no_restore_because_restore_refuses_it(client, moderator, member, policy):
    submission = _shop_submission(member)
    login_staff(client, moderator)
    response = client.post(QUEUE, {"single": f"refuse|submission:{submission.pk}",
                                   f"reason-submission:{submission.pk}": "営業の実態が確認できないため"})
    [message] = messages_of(response)
    assert message["text"].startswith(f"{member.nickname}さんの投稿『喫茶まちかど』を掲載不可にしました。")
    assert message["links"] == [] and "元に戻す" not in message["text"]

    with pytest.raises(services.ContributionError):  # what the missing link would have offered
        services.restore(submission, moderator)
    closed = client.get(QUEUE, {"state": "closed"}).content.decode()
    row = closed[closed.index(f'data-item="submission:{submission.pk}"'):]
    row = row[:row.index("</tr>")]
    assert "お店・イベントの投稿は「承認」でページにします。" in row and f"restore|submission:{submission.pk}" not in row

    url = f"/admin/moderation/items/submission:{submission.pk}/restore/"
    page = client.get(url).content.decode()
    assert "お店・イベントの投稿は「承認」でページにします。" in page and 'name="note"' not in page
    refused = client.post(url, {"note": "戻したい"})
    assert messages_of(refused)[0]["text"] == "『喫茶まちかど』を再表示できませんでした：お店・イベントの投稿は「承認」でページにします。"
    submission.refresh_from_db()
    assert submission.status == Status.REFUSED


def test_a_post_not_refused_or_hidden_has_nothing_to_restore(client, moderator, held_post, make_member):
    login_staff(client, moderator)
    page = client.get(f"/admin/moderation/items/post:{held_post.pk}/restore/").content.decode()
    assert "再表示できるのは非表示・掲載不可の投稿です。" in page and 'name="note"' not in page
    response = client.post(f"/admin/moderation/items/post:{held_post.pk}/restore/")
    assert messages_of(response)[0]["level"] == "error"
    assert held_post.__class__.objects.get(pk=held_post.pk).status == Status.HELD
    assert client.get("/admin/moderation/items/nothing/restore/").status_code == 404


def test_the_restore_page_is_for_moderators_only(client, editor, moderator, held_post):
    services.refuse(held_post, moderator, "確認のため")
    login_staff(client, editor)
    url = f"/admin/moderation/items/post:{held_post.pk}/restore/"
    for response in (client.get(url), client.post(url)):
        assert response.status_code == 302 and response["Location"] == "/admin/"
    assert held_post.__class__.objects.get(pk=held_post.pk).status == Status.REFUSED
