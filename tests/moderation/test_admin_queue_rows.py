"""What a queue row shows a moderator: a reply with its thread, a post's images as thumbnails."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from PIL import Image

from moderation import services
from moderation.models import Post, Status
from tests.moderation.test_admin import QUEUE, messages_of
from tests.staff import login_staff

pytestmark = pytest.mark.django_db


@pytest.fixture
def reply(board, make_member, policy):
    """A held reply (by a new member) in a shown thread (by a trusted one)."""
    opening = services.create_thread(make_member(), board, "夏祭りの準備", "手伝える方を募集します。")
    policy.trusted_after_approved_posts = 3
    policy.save()
    return services.reply(make_member(), opening.thread, "土曜日の午後なら手伝えます。")


def test_a_reply_is_shown_with_its_threads_title_and_a_link_to_the_thread(client, moderator, reply):
    assert reply.status == Status.HELD
    login_staff(client, moderator)
    html = client.get(QUEUE).content.decode()
    row = html[html.index(f'data-item="post:{reply.pk}"'):]
    row = row[:row.index("</tr>")]
    assert "『夏祭りの準備』への返信" in row and "土曜日の午後なら手伝えます。" in row
    assert f'href="/board/threads/{reply.thread_id}/"' in row and "スレッド『夏祭りの準備』を開く" in row
    assert client.get(f"/board/threads/{reply.thread_id}/").status_code == 200  # the link leads somewhere

    response = client.post(QUEUE, {"single": f"approve|post:{reply.pk}"})
    [message] = messages_of(response)
    assert message["text"].startswith(f"{reply.author.nickname}さんの『夏祭りの準備』への返信を承認しました。")


def test_a_reply_whose_thread_is_not_visible_says_so_without_a_dead_link(client, moderator, reply):
    services.hide(reply.thread.opening, moderator, "確認のため")
    login_staff(client, moderator)
    html = client.get(QUEUE).content.decode()
    row = html[html.index(f'data-item="post:{reply.pk}"'):]
    row = row[:row.index("</tr>")]
    assert "スレッド『夏祭りの準備』は公開されていません" in row
    assert f"/board/threads/{reply.thread_id}/" not in row
    assert client.get(f"/board/threads/{reply.thread_id}/").status_code == 404  # what the link would have met


def _jpeg(colour="tomato", size=(64, 48)):
    buffer = io.BytesIO()
    Image.new("RGB", size, colour).save(buffer, "JPEG")
    return SimpleUploadedFile("photo.jpg", buffer.getvalue(), content_type="image/jpeg")


def test_a_held_posts_images_are_thumbnails_the_moderator_can_load(client, moderator, board, make_member, policy):
    policy.trusted_after_approved_posts = 3
    policy.save()
    post = services.create_thread(make_member(), board, "公園の落書き", "写真を撮りました。",
                                  [_jpeg(), _jpeg("navy", (40, 80))])
    assert post.status == Status.HELD
    images = list(post.images.all())
    login_staff(client, moderator)
    html = client.get(QUEUE).content.decode()
    for number, image in enumerate(images, start=1):
        assert f'<img src="/board/images/{image.pk}/" alt="公園の落書きの画像{number}（{number}枚目）"' in html
        served = client.get(f"/board/images/{image.pk}/")
        assert served.status_code == 200 and served["Content-Type"] == "image/jpeg"
        assert served["Cache-Control"] == "private, no-store"  # a held post's image is never cached on the way
        assert Client().get(f"/board/images/{image.pk}/").status_code == 404  # nobody else sees it
    assert 'width="120" height="90"' in html and 'width="60" height="120"' in html  # the shape kept


def test_a_post_without_images_has_no_thumbnails(client, moderator, board, make_member, policy):
    policy.trusted_after_approved_posts = 3
    policy.save()
    services.create_thread(make_member(), board, "落とし物", "駅前で傘を拾いました。")
    login_staff(client, moderator)
    assert "moderation-thumbnails" not in client.get(QUEUE).content.decode()
    assert Post.objects.filter(status=Status.HELD).count() == 1
