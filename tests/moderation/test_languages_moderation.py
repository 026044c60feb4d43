"""
Residents' contributions in the resident's language: the labels they meet (submission kinds, flag
reasons, status badges), the reasons a post is refused or held (web and API; stable codes), and the
mails moderators send them, in the language the member uses the site in (``User.language``). What
is kept for the record stays in Japanese, the language moderators read.
"""

import re

import pytest
from bs4 import BeautifulSoup
from django.core import mail
from django.core.exceptions import ValidationError
from django.test import Client
from django.utils import timezone, translation

from members.models import User
from moderation import services
from moderation.models import ModerationSettings, NGWord, Post, Sanction, Status
from tests.members.test_registration import resident, web_form

pytestmark = pytest.mark.django_db

KANA = re.compile(r"[\u3041-\u3096\u30a1-\u30fa]")


def _soup(response):
    return BeautifulSoup(response.content, "html.parser")


def test_a_member_registered_under_en_gets_the_refusal_mail_in_english(client, board, policy, moderator):
    data = resident(41)
    response = client.post("/en/members/register/", web_form(data))
    assert response.status_code == 302
    member = User.objects.by_email(data["email"]).get()
    assert member.language == "en"
    User.objects.filter(pk=member.pk).update(email_verified_at=timezone.now())
    member.refresh_from_db()
    post = services.create_thread(member, board, "フリーマーケット", "日曜日にフリーマーケットをします。")
    mail.outbox.clear()
    services.refuse(post, moderator, "営業目的の投稿はお受けしていません")  # the moderator writes in Japanese
    refusal = mail.outbox[-1]
    assert refusal.to == [data["email"]]
    assert refusal.subject == "[Shinjuku Regional Portal] Your post could not be published"
    assert "営業目的の投稿はお受けしていません" in refusal.body and "フリーマーケット" in refusal.body
    # Around the resident's and the moderator's own words, nothing is left in Japanese.
    body = refusal.body.replace("営業目的の投稿はお受けしていません", "").replace("フリーマーケット", "")
    body = body.replace(member.nickname, "")
    assert not KANA.search(body), body


def test_a_member_registered_in_japanese_gets_it_in_japanese(client, board, policy, moderator):
    data = resident(42)
    assert client.post("/members/register/", web_form(data)).status_code == 302
    member = User.objects.by_email(data["email"]).get()
    assert member.language == "ja"
    User.objects.filter(pk=member.pk).update(email_verified_at=timezone.now())
    post = services.create_thread(User.objects.get(pk=member.pk), board, "朝市", "朝市があります。")
    services.refuse(post, moderator, "重複しています")
    assert mail.outbox[-1].subject == "【新宿地域ポータル】ご投稿を掲載できませんでした"


def test_the_language_follows_the_site_language_the_member_uses_logged_in(client, member, moderator):
    assert member.language == "ja"
    client.force_login(member)
    assert client.get("/ko/board/").status_code == 200
    member.refresh_from_db()
    assert member.language == "ko"
    # Not the API, the admin or a page that is not there: no language of the public site.
    client.get("/api/v3/board/boards/", headers={"accept-language": "en"})
    client.get("/en/no-such-page/")
    member.refresh_from_db()
    assert member.language == "ko"
    mail.outbox.clear()
    services.sanction(member, moderator, Sanction.Kind.SUSPEND, "繰り返しの宣伝", days=7)
    sanction = mail.outbox[-1]
    assert sanction.subject == "[신주쿠 지역 포털] 게시 일시 정지 안내"
    assert "게시 일시 정지" in sanction.body and "繰り返しの宣伝" in sanction.body
    # An anonymous visitor changes nobody's language.
    Client().get("/en/board/")
    member.refresh_from_db()
    assert member.language == "ko"


def test_the_labels_residents_meet_are_in_their_language(client, board, member, make_member, policy, captcha_ok):
    post = services.create_thread(member, board, "回覧板", "町会の回覧です。")
    client.force_login(make_member())
    flag_form = _soup(client.get(f"/en/board/posts/{post.pk}/flag/"))
    reasons = [label.get_text(strip=True) for label in flag_form.select('label[for^="id_reason_"]')]
    assert reasons == ["Abuse or discrimination", "Personal information", "Advertising or spam",
                       "Illegal or offensive", "Other"]
    heading = _soup(client.get("/en/submissions/new/event/")).select_one("h1").get_text(strip=True)
    assert "Event information" in heading
    # The author's own post awaiting review: its badge in the visitor's language.
    ModerationSettings.objects.update(trusted_after_approved_posts=5)
    author = make_member()
    held = services.create_thread(author, board, "新しい話題", "はじめての投稿です。")
    assert held.status == Status.HELD
    client.force_login(author)
    badges = _soup(client.get(f"/en/board/threads/{held.thread_id}/")).select(".badge--muted")
    assert [badge.get_text(strip=True) for badge in badges] == ["Awaiting review"]
    mine = _soup(client.get("/en/board/mine/")).select(".contribution__status")
    assert [status.get_text(strip=True) for status in mine] == ["Awaiting review"]


def test_a_refusal_says_why_in_the_residents_language_and_is_kept_in_japanese(client, board, member, policy,
                                                                             captcha_ok):
    NGWord.objects.create(word="ばか")
    client.force_login(member)
    response = client.post(f"/en/board/{board.slug}/new/", {"title": "ひとこと", "body": "この バカ！",
                                                              "g-recaptcha-response": "token"})
    assert response.status_code == 422
    assert "This cannot be published. It contains wording that cannot be published." in response.content.decode()
    stored = Post.objects.get()
    assert stored.status == Status.REFUSED
    assert stored.status_reason == "掲載できない表現が含まれています。"
    assert stored.screening == [{"code": "ng_word", "message": "掲載できない表現が含まれています"}]


def test_refusal_reasons_are_in_the_active_language_with_their_stable_codes(board, member, policy):
    # What the API and the forms are given: the error's message and reasons in the request's language.
    links = "\n".join(f"https://shop{n}.example.jp/" for n in range(5))
    with translation.override("zh-hans"), pytest.raises(services.ContributionError) as refused:
        services.create_thread(member, board, "お店", f"おすすめ\n{links}")
    error = refused.value
    assert (error.code, error.status) == ("refused", 422)
    assert error.reasons == [{"code": "too_many_links", "message": "链接最多3个（当前有5个）"}]
    assert error.message == "此内容无法发布。链接最多3个（当前有5个）。"
    stored = Post.objects.get()
    assert stored.screening == [{"code": "too_many_links", "message": "リンクは3件までです（5件あります）"}]
    assert stored.status_reason == "リンクは3件までです（5件あります）。"
    with translation.override("en"), pytest.raises(ValidationError) as empty:
        services.create_thread(member, board, "題", "  ")
    assert empty.value.message_dict == {"body": ["Please fill this in."]}


def test_a_suspended_member_is_told_until_when_in_english(client, board, member, policy, captcha_ok, moderator):
    services.sanction(member, moderator, Sanction.Kind.SUSPEND, "宣伝の繰り返し", days=3)
    client.force_login(member)
    response = client.post(f"/en/board/{board.slug}/new/", {"title": "題", "body": "本文",
                                                              "g-recaptcha-response": "token"})
    assert response.status_code == 403
    text = _soup(response).get_text(" ")
    assert "Your posting is suspended until" in text
    assert not Post.objects.exists()


def test_too_many_posts_in_a_row_is_said_in_english(client, board, member, policy, captcha_ok, settings):
    settings.MODERATION_RATE_LIMITS = {"member": (1, 600), "address": (100, 600)}
    client.force_login(member)
    client.post(f"/en/board/{board.slug}/new/", {"title": "一件目", "body": "最初", "g-recaptcha-response": "t"})
    response = client.post(f"/en/board/{board.slug}/new/", {"title": "二件目", "body": "次", "g-recaptcha-response": "t"})
    assert response.status_code == 429
    assert "You are posting too often." in response.content.decode()
    assert Post.objects.count() == 1
