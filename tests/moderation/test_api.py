"""The board, submission and flag API: the same rules as the web pages, problem documents with stable codes."""

import pytest
from django.test import Client

from moderation import services
from moderation.models import Flag, Post, Status, Submission
from pages.models import DistrictPage, ShopPage

pytestmark = pytest.mark.django_db


@pytest.fixture
def api(member):
    """A member's API client: logged in, with the CSRF token checked as in a browser."""
    client = Client(enforce_csrf_checks=True)
    client.force_login(member)
    client.get("/api/v3/members/csrf")
    client.csrf_headers = {"X-CSRFToken": client.cookies["csrftoken"].value}
    return client


def _post(api, url, data=None, **kwargs):
    """A multipart write with the reCAPTCHA token a browser front end would pass on (its check is replaced)."""
    return api.post(url, {"captcha": "token", **(data or {})}, headers=api.csrf_headers, **kwargs)


def test_reading_boards_threads_and_posts(client, board, member, policy):
    post = services.create_thread(member, board, "図書館の読み聞かせ", "土曜の午前です。")
    boards = client.get("/api/v3/board/boards/").json()
    assert {"slug": "district-okubo", "district": "okubo"}.items() <= next(
        b for b in boards if b["slug"] == "district-okubo").items()
    threads = client.get(f"/api/v3/board/boards/{board.slug}/threads/").json()
    assert threads["count"] == 1 and threads["items"][0]["title"] == "図書館の読み聞かせ"
    detail = client.get(f"/api/v3/board/threads/{post.thread_id}/").json()
    assert detail["items"][0]["author"] == member.nickname and "<p>土曜の午前です。</p>" in detail["items"][0]["body_html"]
    assert "email" not in str(detail) and member.last_name not in str(detail)


def test_member_creates_thread_and_replies(api, board, policy, captcha_ok):
    response = _post(api, f"/api/v3/board/boards/{board.slug}/threads/", {"title": "防犯パトロール", "body": "参加者募集"})
    assert response.status_code == 201, response.content
    thread_id = response.json()["thread"]
    reply = _post(api, f"/api/v3/board/threads/{thread_id}/posts/", {"body": "参加します"})
    assert reply.status_code == 201 and reply.json()["status"] == "shown"
    edit = api.patch(f"/api/v3/board/posts/{reply.json()['id']}/", {"body": "参加します（2名）"},
                     content_type="application/json", headers=api.csrf_headers)
    assert edit.status_code == 200 and "2名" in edit.json()["body_html"]
    delete = api.delete(f"/api/v3/board/posts/{reply.json()['id']}/", headers=api.csrf_headers)
    assert delete.status_code == 204 and Post.objects.get(pk=reply.json()["id"]).status == Status.DELETED


def test_held_post_is_202_with_the_reason_for_its_author(api, board, captcha_ok):
    policy = services.current_policy()
    policy.trusted_after_approved_posts = 1
    policy.save()
    response = _post(api, f"/api/v3/board/boards/{board.slug}/threads/", {"title": "はじめまして", "body": "よろしく"})
    assert response.status_code == 202
    body = response.json()
    assert body["status"] == "held" and "運営者が確認" in body["status_reason"]
    assert Client().get(f"/api/v3/board/threads/{body['thread']}/").status_code == 404


def test_the_author_reads_their_held_thread_with_a_note_and_nobody_else_learns_it_exists(
        api, member, make_member, board, moderator, captcha_ok):
    policy = services.current_policy()
    policy.trusted_after_approved_posts = 1
    policy.save()
    post = services.create_thread(member, board, "はじめまして", "よろしくお願いします。")
    assert post.status == Status.HELD
    url = f"/api/v3/board/threads/{post.thread_id}/"
    own = api.get(url)
    assert own.status_code == 200, own.content
    detail = own.json()
    assert detail["can_reply"] is False and "確認待ち" in detail["note"]
    assert detail["items"][0]["status"] == "held" and "運営者が確認" in detail["items"][0]["status_reason"]
    stranger = Client()
    stranger.force_login(make_member())
    for client in (stranger, Client()):
        assert client.get(url).status_code == 404
    assert stranger.post(f"{url}posts/", {"body": "返信", "captcha": "t"}).status_code == 404
    reply = _post(api, f"{url}posts/", {"body": "追記です"})
    assert reply.status_code == 403 and reply.json()["code"] == "thread_closed"
    services.approve(post, moderator)
    public = Client().get(url).json()
    assert public["can_reply"] is True and public["note"] == "" and public["items"][0]["status_reason"] == ""


@pytest.mark.parametrize("data, status, code", [
    ({"title": "", "body": "本文"}, 422, "validation_error"),
    ({"title": "題名", "body": "あ" * 4001}, 422, "validation_error"),
    ({"title": "題名", "body": "090-1234-5678 に電話を"}, 202, None),
])
def test_bad_input_is_a_problem_document(api, board, policy, captcha_ok, data, status, code):
    response = _post(api, f"/api/v3/board/boards/{board.slug}/threads/", data)
    assert response.status_code == status
    if code:
        assert response["Content-Type"].startswith("application/problem+json")
        assert response.json()["code"] == code
        assert not Post.objects.exists()


def test_refused_is_422_with_reasons_and_kept(api, board, policy, captcha_ok):
    from moderation.models import NGWord

    NGWord.objects.create(word="死ね")
    response = _post(api, f"/api/v3/board/boards/{board.slug}/threads/", {"title": "ひどい", "body": "しね！"})
    assert response.status_code == 201  # kana: しね is not 死ね (no dictionary guesses)
    response = _post(api, f"/api/v3/board/boards/{board.slug}/threads/", {"title": "ひどい2", "body": "お前なんか死ね"})
    assert response.status_code == 422
    problem = response.json()
    assert problem["code"] == "refused" and problem["errors"][0]["code"] == "ng_word"
    assert Post.objects.filter(status=Status.REFUSED).count() == 1


def test_anonymous_and_csrf_less_writes_are_refused(client, api, board, policy, captcha_ok):
    response = client.post(f"/api/v3/board/boards/{board.slug}/threads/", {"title": "t", "body": "b"})
    assert response.status_code == 401 and response.json()["code"] == "authentication_required"
    no_token = api.post(f"/api/v3/board/boards/{board.slug}/threads/", {"title": "t", "body": "b"})
    assert no_token.status_code == 403
    assert not Post.objects.exists()


def test_rate_limit_is_429(api, board, policy, captcha_ok, settings):
    settings.MODERATION_RATE_LIMITS = {"member": (1, 600), "address": (100, 600)}
    _post(api, f"/api/v3/board/boards/{board.slug}/threads/", {"title": "一", "body": "最初の話題"})
    response = _post(api, f"/api/v3/board/boards/{board.slug}/threads/", {"title": "二", "body": "別の話題"})
    assert response.status_code == 429 and response.json()["code"] == "rate_limited"


def test_flags_api(api, board, make_member, policy):
    post = services.create_thread(make_member(), board, "売ります", "格安です")
    url = "/api/v3/flags/"
    response = api.post(url, {"post": post.pk, "reason": "spam"}, content_type="application/json", headers=api.csrf_headers)
    assert response.status_code == 201 and response.json()["post_hidden"] is False
    again = api.post(url, {"post": post.pk, "reason": "spam"}, content_type="application/json", headers=api.csrf_headers)
    assert again.status_code == 409 and again.json()["code"] == "already_flagged"
    bad = api.post(url, {"post": post.pk, "reason": "dislike"}, content_type="application/json", headers=api.csrf_headers)
    assert bad.status_code == 422
    missing = api.post(url, {"post": 999999, "reason": "spam"}, content_type="application/json", headers=api.csrf_headers)
    assert missing.status_code == 404
    assert Flag.objects.count() == 1


def test_submissions_api(api, member, policy, captcha_ok):
    okubo = DistrictPage.objects.get(slug="okubo")
    response = api.post("/api/v3/submissions/", {
        "kind": "new_shop", "title": "パン工房こむぎ", "body": "天然酵母のパン屋です。", "district": okubo.pk,
        "data": {"category": "shop", "address": "新宿区大久保一丁目2-3", "website": "https://pan.example.jp/"},
        "credit_nickname": True, "captcha": "token",
    }, content_type="application/json", headers=api.csrf_headers)
    assert response.status_code == 202, response.content
    created = Submission.objects.get()
    assert created.data["address"] == "新宿区大久保一丁目2-3" and created.district == okubo and created.credit_nickname
    listing = api.get("/api/v3/submissions/").json()
    assert [item["title"] for item in listing] == ["パン工房こむぎ"]
    invalid = api.post("/api/v3/submissions/", {"kind": "new_shop", "title": "住所なし", "body": "説明",
                                                 "data": {"category": "shop"}, "captcha": "token"},
                       content_type="application/json", headers=api.csrf_headers)
    assert invalid.status_code == 422
    assert any(e["loc"][-1] == "address" for e in invalid.json()["errors"])
    correction = api.post("/api/v3/submissions/", {
        "kind": "shop_correction", "title": "電話番号の訂正", "body": "店頭で確認しました",
        "target": ShopPage.objects.live().first().pk, "data": {"phone": "03-0000-1111"},
        "captcha": "token"},
        content_type="application/json", headers=api.csrf_headers)
    assert correction.status_code == 202
    assert Submission.objects.count() == 2


def test_captcha_is_required_on_api_writes(api, board, policy, real_captcha_keys):
    response = api.post(f"/api/v3/board/boards/{board.slug}/threads/", {"title": "t", "body": "b"}, headers=api.csrf_headers)
    assert response.status_code == 422
    assert any(error["loc"][-1] == "captcha" for error in response.json()["errors"])
    assert not Post.objects.exists()
