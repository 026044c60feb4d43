"""
Never stale: every kind of change retires the cached answers that show it (portal.cache_invalidation),
and only those of its sections; the next anonymous GET shows the change.
"""

import datetime

import pytest
from django.utils import timezone
from wagtail.images import get_image_model

from ads.models import Advertiser, Booking
from moderation import services as moderation_services
from moderation.models import ModerationSettings, Post, Status
from pages.models import ArticlePage, DistrictPage
from portal import page_cache
from wardinfo.models import FeedSource, WardNotice

pytestmark = pytest.mark.django_db


def _article():
    return ArticlePage.objects.live().filter(locale__language_code="ja").order_by("pk").first()


def _publish_title(page, title):
    page.title = title
    page.save_revision().publish()


def test_a_published_change_is_on_the_next_get_of_the_page_and_of_the_home_page(client, cached, committed):
    article = _article()
    before = cached(article.url)
    assert "差し替えた見出し" not in before.content.decode()
    cached("/api/v3/content/")
    committed(lambda: _publish_title(article, "差し替えた見出し"))
    after = client.get(article.url)
    assert after["X-Page-Cache"] == "miss" and "差し替えた見出し" in after.content.decode()
    assert client.get("/api/v3/content/")["X-Page-Cache"] == "miss"


def test_a_saved_draft_retires_nothing(client, cached, committed):
    article = _article()
    cached(article.url)
    article.title = "まだ下書きの見出し"
    committed(lambda: article.save_revision())
    assert client.get(article.url)["X-Page-Cache"] == "hit"


def test_an_unpublished_page_is_gone_on_the_next_get(client, cached, committed):
    article = _article()
    cached(article.url)
    committed(article.unpublish)
    assert client.get(article.url).status_code == 404


def test_a_deleted_page_is_gone_and_a_moved_page_moves(client, cached, committed):
    first, second = ArticlePage.objects.live().filter(locale__language_code="ja").order_by("pk")[:2]
    first_url, second_url = first.url, second.url
    cached(first_url)
    cached(second_url)
    committed(first.delete)
    assert client.get(first_url).status_code == 404
    target = DistrictPage.objects.live().filter(locale__language_code="ja").first()
    committed(lambda: second.move(target, pos="last-child"))
    moved = client.get(second_url)  # Wagtail left a redirect to the new place
    assert moved.status_code == 301 and moved["Location"].startswith(target.url)


def test_a_changed_district_shows_on_the_home_page(client, cached, committed):
    district = DistrictPage.objects.live().filter(locale__language_code="ja").first()
    home = cached("/")
    assert district.title in home.content.decode()
    committed(lambda: _publish_title(district, "改称した地域"))
    assert "改称した地域" in client.get("/").content.decode()


def _new_notice():
    source = FeedSource.objects.first() or FeedSource.objects.create(name="区のお知らせ", url="https://example.jp/feed")
    return WardNotice.objects.create(source=source, guid="s1-test", title="臨時の区からのお知らせ", url="https://example.jp/n",
                                     published_at=timezone.now())


def test_an_imported_ward_notice_retires_notices_and_pages_but_not_the_board(client, cached, committed):
    cached("/ward-notices/")
    cached("/feeds/articles.rss")
    cached("/board/")
    committed(_new_notice)
    assert "臨時の区からのお知らせ" in client.get("/ward-notices/").content.decode()
    assert client.get("/board/")["X-Page-Cache"] == "hit"


def test_a_moderation_decision_retires_the_board_and_the_pages_that_show_posts(client, cached, committed, moderator):
    post = Post.objects.filter(status=Status.SHOWN, is_opening=False).select_related("thread").first()
    url = f"/api/v3/board/threads/{post.thread_id}/"
    before = cached(url).json()
    assert post.pk in _post_ids(before)
    cached("/")
    cached("/ward-notices/")
    committed(lambda: moderation_services.hide(post, moderator, "テストのため非表示にします。"))
    assert post.pk not in _post_ids(client.get(url).json())
    assert client.get("/")["X-Page-Cache"] == "miss"  # district, theme and home pages carry residents' posts
    assert client.get("/ward-notices/")["X-Page-Cache"] == "hit"


def _text(response):
    import json

    return json.dumps(response.json(), ensure_ascii=False)


def test_a_members_new_nickname_or_withdrawal_retires_the_pages_that_show_their_posts_a_log_in_does_not(
        client, cached, committed):
    from django.contrib.auth import get_user_model
    from django.utils import timezone as tz

    post = Post.objects.filter(status=Status.SHOWN, author__isnull=False).select_related("author").first()
    member = get_user_model().objects.get(pk=post.author_id)
    url = f"/api/v3/board/threads/{post.thread_id}/"
    assert member.nickname in _text(cached(url))
    member.last_login = tz.now()
    committed(lambda: member.save(update_fields=["last_login"]))
    assert client.get(url)["X-Page-Cache"] == "hit"
    member.nickname = "新しい呼び名"
    committed(lambda: member.save(update_fields=["nickname"]))
    answer = client.get(url)
    assert answer["X-Page-Cache"] == "miss" and "新しい呼び名" in _text(answer)
    cached("/")
    committed(lambda: member.save())  # a withdrawal saves the whole row (members.services.withdraw_member)
    assert client.get("/")["X-Page-Cache"] == "miss"


def test_a_page_made_private_leaves_the_cache_at_once(client, cached, committed):
    from wagtail.models import PageViewRestriction

    article = _article()
    assert article.title in cached(article.url).content.decode()
    committed(lambda: PageViewRestriction.objects.create(
        page=article, restriction_type=PageViewRestriction.PASSWORD, password="himitsu-0000"))
    after = client.get(article.url)
    assert after["X-Page-Cache"] != "hit" and "password" in after.content.decode().lower()


def _post_ids(answer):
    found = set()
    stack = [answer]
    while stack:
        value = stack.pop()
        if isinstance(value, dict):
            if "body_html" in value or "body" in value:
                found.add(value.get("id"))
            stack.extend(value.values())
        elif isinstance(value, list):
            stack.extend(value)
    return found


def test_a_board_thread_page_carries_a_form_and_is_never_stored(client, settings):
    settings.PAGE_CACHE_SECONDS = 600
    post = Post.objects.filter(status=Status.SHOWN).first()
    assert client.get(f"/board/threads/{post.thread_id}/")["X-Page-Cache"] == "bypass"


def test_a_changed_ad_booking_retires_the_pages(client, cached, committed):
    cached("/")
    advertiser = Advertiser.objects.create(name="テスト広告主（架空）")
    today = timezone.localdate()
    committed(lambda: Booking.objects.create(advertiser=advertiser, name="春の掲載", placement="home-top",
                                             starts_on=today, ends_on=today))
    assert client.get("/")["X-Page-Cache"] == "miss"


def test_a_booking_boundary_at_midnight_changes_every_key_and_no_entry_outlives_the_day(client, cached, monkeypatch):
    cached("/")
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    monkeypatch.setattr(page_cache.timezone, "localdate", lambda: tomorrow)
    assert client.get("/")["X-Page-Cache"] == "miss"
    now = timezone.localtime()
    midnight = timezone.make_aware(datetime.datetime.combine(now.date() + datetime.timedelta(days=1), datetime.time()))
    assert page_cache.seconds_to_keep() <= (midnight - now).total_seconds() + 1


@pytest.mark.parametrize("change", ["image", "settings"])
def test_an_image_or_a_site_setting_retires_everything(client, cached, committed, change):
    cached("/")
    cached("/board/")
    if change == "image":
        image = get_image_model().objects.first()
        committed(lambda: image.save())
    else:
        committed(lambda: ModerationSettings.load().save())
    assert client.get("/")["X-Page-Cache"] == "miss"
    assert client.get("/board/")["X-Page-Cache"] == "miss"


def test_a_change_inside_a_transaction_that_rolls_back_retires_nothing(client, cached, django_capture_on_commit_callbacks):
    cached("/")
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        _new_notice()
    assert callbacks  # registered for the commit, which never comes
    assert client.get("/")["X-Page-Cache"] == "hit"
