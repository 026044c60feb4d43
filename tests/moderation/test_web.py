"""The public board and submission pages, as a resident uses them."""

import pytest
from django.urls import reverse

from moderation.models import Board, Post, Status, Submission
from pages.models import ShopPage

pytestmark = pytest.mark.django_db


def test_boards_are_listed_and_anonymous_visitors_are_sent_to_log_in(client, board):
    html = client.get("/board/").content.decode()
    assert "大久保の掲示板" in html and "子育ての掲示板" in html
    response = client.get(f"/board/{board.slug}/new/")
    assert response.status_code == 302 and response["Location"].startswith("/members/login/")
    assert client.post(f"/board/{board.slug}/new/", {"title": "x", "body": "y"}).status_code == 302
    assert not Post.objects.exists()


def test_member_posts_a_thread_replies_and_sees_it(client, board, member, policy, captcha_ok):
    client.force_login(member)
    response = client.post(f"/board/{board.slug}/new/", {
        "title": "公園のベンチが壊れています", "body": "大久保公園の入口のベンチです。\n区に連絡済みです。",
        "g-recaptcha-response": "token"}, follow=True)
    assert response.status_code == 200
    html = response.content.decode()
    assert "投稿しました。" in html and "公園のベンチが壊れています" in html
    assert "<p>大久保公園の入口のベンチです。<br>区に連絡済みです。</p>" in html
    thread = Post.objects.get().thread
    response = client.post(f"/board/threads/{thread.pk}/", {"body": "直りました！", "g-recaptcha-response": "token"},
                           follow=True)
    assert "直りました！" in response.content.decode()
    assert "script-src 'self' https://www.google.com/recaptcha/" in response.headers["Content-Security-Policy"]
    board_page = client.get(f"/board/{board.slug}/").content.decode()
    assert "公園のベンチが壊れています" in board_page and "投稿 2件" in board_page


def test_held_post_is_visible_only_to_its_author_with_the_reason(client, board, make_member, captcha_ok):
    author, stranger = make_member(), make_member()
    client.force_login(author)
    response = client.post(f"/board/{board.slug}/new/", {
        "title": "はじめまして", "body": "よろしくお願いします。", "g-recaptcha-response": "token"}, follow=True)
    html = response.content.decode()
    assert "運営者が確認してから掲載します" in html and "確認待ち" in html
    thread = Post.objects.get().thread
    client.force_login(stranger)
    assert client.get(f"/board/threads/{thread.pk}/").status_code == 404
    assert "はじめまして" not in client.get(f"/board/{board.slug}/").content.decode()
    client.force_login(author)
    mine = client.get("/board/mine/").content.decode()
    assert "はじめまして" in mine and "はじめのうちの投稿は" in mine


def test_the_author_opens_their_held_thread_with_a_note_and_mine_links_only_to_readable_threads(
        client, board, make_member, moderator):
    from moderation import services

    policy = services.current_policy()
    policy.trusted_after_approved_posts = 1
    policy.save()
    author, other = make_member(), make_member()
    held = services.create_thread(author, board, "はじめまして", "よろしくお願いします。")
    shown = services.create_thread(other, board, "町の話題", "どなたでもどうぞ。")
    services.approve(shown, moderator)
    reply = services.reply(author, shown.thread, "よろしくお願いします。返信です。")
    services.hide(shown, moderator, "確認のため")  # the thread replied to is no longer readable
    client.force_login(author)
    page = client.get(f"/board/threads/{held.thread_id}/").content.decode()
    assert "運営者の確認待ちです" in page and "公開されるまで返信できません" in page
    mine = client.get("/board/mine/").content.decode()
    assert f'href="/board/threads/{held.thread_id}/#post-{held.pk}"' in mine
    assert "町の話題" in mine and f"/board/threads/{reply.thread_id}/" not in mine
    assert client.get(f"/board/threads/{reply.thread_id}/").status_code == 404


def test_bad_input_keeps_the_text_and_stores_nothing(client, board, member, policy, captcha_ok):
    client.force_login(member)
    response = client.post(f"/board/{board.slug}/new/", {"title": "", "body": "本文だけ書きました",
                                                           "g-recaptcha-response": "token"})
    assert response.status_code == 400
    html = response.content.decode()
    assert 'class="form-error"' in html and "本文だけ書きました" in html
    response = client.post(f"/board/{board.slug}/new/", {"title": "長すぎ", "body": "あ" * 4001,
                                                           "g-recaptcha-response": "token"})
    assert response.status_code == 400 and "4000" in response.content.decode()
    assert not Post.objects.exists()


def test_refused_post_shows_the_reason_keeps_the_text_and_is_kept_for_the_record(client, board, member, policy,
                                                                                 captcha_ok):
    from moderation.models import NGWord

    NGWord.objects.create(word="ばか")
    client.force_login(member)
    response = client.post(f"/board/{board.slug}/new/", {"title": "ひとこと", "body": "この バカ！",
                                                           "g-recaptcha-response": "token"})
    assert response.status_code == 422
    html = response.content.decode()
    assert "掲載できない表現が含まれています" in html and "この バカ！" in html
    assert Post.objects.get().status == Status.REFUSED


def test_captcha_failure_is_a_form_error(client, board, member, policy, real_captcha_keys):
    from unittest import mock

    from django_recaptcha.client import RecaptchaResponse

    client.force_login(member)
    with mock.patch("django_recaptcha.fields.client.submit", return_value=RecaptchaResponse(is_valid=False)):
        response = client.post(f"/board/{board.slug}/new/", {"title": "t", "body": "b", "g-recaptcha-response": "x"})
    assert response.status_code == 400 and "ロボットではありません" in response.content.decode()
    assert not Post.objects.exists()


def test_rate_limit_answers_429_in_japanese(client, board, member, policy, captcha_ok, settings):
    settings.MODERATION_RATE_LIMITS = {"member": (1, 600), "address": (100, 600)}
    client.force_login(member)
    client.post(f"/board/{board.slug}/new/", {"title": "一件目", "body": "最初", "g-recaptcha-response": "t"})
    response = client.post(f"/board/{board.slug}/new/", {"title": "二件目", "body": "次の話題",
                                                           "g-recaptcha-response": "t"})
    assert response.status_code == 429 and "短い時間に続けて投稿されています" in response.content.decode()
    assert Post.objects.count() == 1


def test_flag_edit_and_delete_pages(client, board, member, make_member, policy, captcha_ok):
    from moderation import services

    post = services.create_thread(member, board, "回覧板", "町会の回覧です。")
    reporter = make_member()
    client.force_login(reporter)
    response = client.post(f"/board/posts/{post.pk}/flag/", {"reason": "spam", "comment": "宣伝です"}, follow=True)
    assert "通報を受け付けました" in response.content.decode()
    again = client.post(f"/board/posts/{post.pk}/flag/", {"reason": "spam"})
    assert again.status_code == 409 and "すでに通報済み" in again.content.decode()
    assert client.get(f"/board/posts/{post.pk}/edit/").status_code == 404  # not theirs
    client.force_login(member)
    response = client.post(f"/board/posts/{post.pk}/edit/", {"body": "町会の回覧です（訂正）。"}, follow=True)
    assert "町会の回覧です（訂正）。" in response.content.decode() and "（編集済み）" in response.content.decode()
    client.post(f"/board/posts/{post.pk}/delete/")
    assert Post.objects.get(pk=post.pk).status == Status.DELETED
    assert client.get(f"/board/threads/{post.thread_id}/").status_code == 404


@pytest.mark.parametrize("kind, fields", [
    ("local_info", {"title": "朝市のお知らせ", "body": "毎月第2日曜日に朝市があります。"}),
    ("new_shop", {"title": "喫茶まちかど", "body": "昭和から続く喫茶店です。", "category": "restaurant",
                  "address": "新宿区大久保二丁目1-1", "title_reading": "きっさまちかど"}),
    ("event", {"title": "夕涼み会", "body": "盆踊りがあります。", "start": "2027-07-20T18:00", "end": "2027-07-20T21:00",
               "venue": "大久保公園", "fee": "無料", "organiser": "町会（架空）"}),
])
def test_submission_forms(client, member, policy, captcha_ok, kind, fields):
    client.force_login(member)
    assert client.get(f"/submissions/new/{kind}/").status_code == 200
    response = client.post(f"/submissions/new/{kind}/", {**fields, "g-recaptcha-response": "t"}, follow=True)
    assert "情報をお寄せいただきありがとうございます" in response.content.decode()
    submission = Submission.objects.get()
    assert submission.kind == kind and submission.status == Status.HELD
    assert fields["title"] in client.get("/board/mine/").content.decode()


def test_correction_form_needs_a_change_and_a_listed_shop(client, member, policy, captcha_ok):
    client.force_login(member)
    shop = ShopPage.objects.live().first()
    empty = client.post("/submissions/new/shop_correction/", {"target": shop.pk, "title": "訂正", "body": "根拠",
                                                               "g-recaptcha-response": "t"})
    assert empty.status_code == 400 and "訂正する項目を1つ以上" in empty.content.decode()
    ok = client.post("/submissions/new/shop_correction/", {"target": shop.pk, "title": "営業時間", "body": "店頭で確認",
                                                            "opening_hours": "10時〜19時", "g-recaptcha-response": "t"})
    assert ok.status_code == 302
    assert Submission.objects.get().target_page_id == shop.pk
    event_bad = client.post("/submissions/new/event/", {"title": "逆", "body": "b", "start": "2027-07-20T18:00",
                                                         "end": "2027-07-20T17:00", "venue": "v", "fee": "無料",
                                                         "organiser": "o", "g-recaptcha-response": "t"})
    assert event_bad.status_code == 400 and "終了日時は開始日時より後に" in event_bad.content.decode()
    assert client.get("/submissions/new/unknown/").status_code == 404


def test_images_are_served_only_while_the_post_is_visible(client, board, member, make_member, policy, moderator):
    import io

    from django.core.files.uploadedfile import SimpleUploadedFile
    from PIL import Image

    from moderation import services

    buffer = io.BytesIO()
    Image.new("RGB", (64, 48), "tomato").save(buffer, "JPEG")
    upload = SimpleUploadedFile("photo.jpg", buffer.getvalue(), content_type="image/jpeg")
    post = services.create_thread(member, board, "写真", "夕焼けです。", [upload])
    image = post.images.get()
    response = client.get(reverse("board:image", args=[image.pk]))
    assert response.status_code == 200 and response["Content-Type"] == "image/jpeg"
    services.hide(post, moderator, "確認のため")
    assert client.get(reverse("board:image", args=[image.pk])).status_code == 404
    client.force_login(member)
    assert client.get(reverse("board:image", args=[image.pk])).status_code == 200  # its author still sees it


def test_inactive_board_is_not_listed(client, board):
    Board.objects.filter(pk=board.pk).update(active=False)
    assert client.get(f"/board/{board.slug}/").status_code == 404
    assert "大久保の掲示板" not in client.get("/board/").content.decode()
