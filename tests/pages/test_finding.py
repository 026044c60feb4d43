"""
Finding things on the public site, on pages built here: the events calendar and filters, the
「NEW」 mark, related articles, district and theme links on cards, and a page's map.
"""

import datetime
import re

import pytest
from django.utils import timezone
from wagtail.images import get_image_model

from pages.models import (
    ArticleIndexPage,
    ArticlePage,
    DistrictIndexPage,
    DistrictPage,
    EventIndexPage,
    EventPage,
    ShopPage,
    ThemeIndexPage,
    ThemePage,
)

pytestmark = pytest.mark.django_db

JST = datetime.timezone(datetime.timedelta(hours=9))


def _publish(page, parent):
    parent.add_child(instance=page)
    page.save_revision().publish()
    return type(page).objects.get(pk=page.pk)


def _event(title, slug, start, days=0, district=None, themes=()):
    page = EventPage(title=title, slug=slug, start=start, end=start + datetime.timedelta(days=days, hours=2),
                     venue="テスト会館", organiser="テスト実行委員会", district=district)
    page.themes.set(list(themes))
    return _publish(page, EventIndexPage.objects.get())


def _article(title, slug, districts=(), themes=(), date=None):
    page = ArticlePage(title=title, slug=slug, body=[("paragraph", "<p>本文</p>")], date=date or timezone.localdate())
    page.districts.set(list(districts))
    page.themes.set(list(themes))
    return _publish(page, ArticleIndexPage.objects.get())


def _cell(html, day):
    """The calendar's table cell of ``day``."""
    match = re.search(r'<td class="calendar__day[^"]*"[^>]*>\s*<span class="calendar__date"><time datetime="'
                      + day.isoformat() + r'">.*?</td>', html, re.S)
    assert match, day
    return match.group(0)


def _card(html, title):
    """The card (``<article class="card…">``) whose title is ``title``."""
    for card in re.findall(r'<article class="card.*?</article>', html, re.S):
        if f">{title}</a>" in card:
            return card
    raise AssertionError(f"no card for {title}")


@pytest.fixture
def okubo():
    return DistrictPage.objects.get(slug="okubo")


@pytest.fixture
def kosodate():
    return ThemePage.objects.get(slug="kosodate")


# --- Events by month -------------------------------------------------------------------------------

def test_the_month_calendar_shows_each_event_on_its_days_with_links_to_other_months(client, okubo):
    walk = _event("大久保の春の散歩会", "haru-sanpo", datetime.datetime(2031, 3, 10, 10, tzinfo=JST), district=okubo)
    fair = _event("三日間の古本市", "furuhon-ichi", datetime.datetime(2031, 3, 20, 10, tzinfo=JST), days=2)
    index = EventIndexPage.objects.get()
    html = client.get(index.url, {"month": "2031-03"}).content.decode()

    assert "<caption" in html and "2031年3月のイベント</caption>" in html
    assert html.count('<th scope="col"') == 7
    assert walk.url in _cell(html, datetime.date(2031, 3, 10))
    assert walk.url not in _cell(html, datetime.date(2031, 3, 11))
    for day in (20, 21, 22):
        assert fair.url in _cell(html, datetime.date(2031, 3, day)), day
    assert fair.url not in _cell(html, datetime.date(2031, 3, 23))
    assert 'href="?month=2031-02"' in html and 'href="?month=2031-04"' in html
    assert "<script" not in html


def test_today_is_marked_in_the_calendar(client):
    html = client.get(EventIndexPage.objects.get().url).content.decode()
    today = _cell(html, timezone.localdate())
    assert 'aria-current="date"' in today and "今日" in today
    assert html.count('aria-current="date"') == 1


def test_the_calendar_and_the_list_follow_the_district_and_theme_filters(client, okubo, kosodate):
    mine = _event("大久保の子育て広場", "hiroba", datetime.datetime(2031, 3, 5, 10, tzinfo=JST),
                  district=okubo, themes=[kosodate])
    other = _event("四谷の子育て広場", "yotsuya-hiroba", datetime.datetime(2031, 3, 6, 10, tzinfo=JST),
                   district=DistrictPage.objects.get(slug="yotsuya"), themes=[kosodate])
    index = EventIndexPage.objects.get()
    html = client.get(index.url, {"month": "2031-03", "district": "okubo", "theme": "kosodate"}).content.decode()
    assert mine.url in _cell(html, datetime.date(2031, 3, 5))
    assert other.url not in html
    assert "2031年3月のイベント・大久保・子育て</caption>" in html
    assert '<option value="okubo" selected>' in html


def test_the_list_filters_by_dates_as_the_content_api_does(client, okubo):
    running = _event("月をまたぐ展示", "tenji", datetime.datetime(2031, 2, 27, 10, tzinfo=JST), days=5)
    inside = _event("三月の講座", "koza", datetime.datetime(2031, 3, 15, 10, tzinfo=JST), district=okubo)
    later = _event("四月の講座", "koza-4", datetime.datetime(2031, 4, 15, 10, tzinfo=JST))
    index = EventIndexPage.objects.get()
    response = client.get(index.url, {"date_from": "2031-03-01", "date_to": "2031-03-31"})
    listed = [page.pk for page in response.context["items"].object_list]
    assert listed == [running.pk, inside.pk], "an event counts while it runs; soonest first"
    assert later.pk not in listed
    api = client.get("/api/v3/content/", {"type": "event", "date_from": "2031-03-01", "date_to": "2031-03-31"}).json()
    assert {item["id"] for item in api["items"]} == set(listed)
    both = client.get(index.url, {"date_from": "2031-03-01", "date_to": "2031-03-31", "district": str(okubo.pk)})
    assert [page.pk for page in both.context["items"].object_list] == [inside.pk]


def test_an_unknown_filter_value_is_said_and_left_out(client):
    response = client.get(EventIndexPage.objects.get().url, {"district": "nowhere", "date_from": "2031-13-40"})
    assert response.status_code == 200
    assert 'role="alert"' in response.content.decode()
    assert response.context["items"].object_list, "the other events are still listed"


# --- 「NEW」 ------------------------------------------------------------------------------------------

def test_items_first_published_in_the_last_seven_days_are_marked_new(client):
    fresh = _article("公開したばかりの記事", "fresh", date=datetime.date(2032, 1, 2))
    old = _article("八日前に公開した記事", "old", date=datetime.date(2032, 1, 1))
    ArticlePage.objects.filter(pk=old.pk).update(first_published_at=timezone.now() - datetime.timedelta(days=8))
    html = client.get(ArticleIndexPage.objects.get().url).content.decode()
    new_card = _card(html, fresh.title)
    assert "badge--new" in new_card and '<span aria-hidden="true">NEW</span>' in new_card
    assert '<span class="visually-hidden">新着</span>' in new_card
    assert "badge--new" not in _card(html, old.title)


# --- Related articles ----------------------------------------------------------------------------

def test_an_article_shows_up_to_four_newest_related_articles_never_itself():
    district = _publish(DistrictPage(title="テスト地区", slug="test-chiku"), DistrictIndexPage.objects.get())
    theme = _publish(ThemePage(title="テストテーマ", slug="test-theme"), ThemeIndexPage.objects.get())
    article = _article("関連元の記事", "moto", districts=[district], date=datetime.date(2031, 1, 1))
    same_district = [_article(f"同じ地区の記事{n}", f"chiku-{n}", districts=[district], date=datetime.date(2031, 1, 1 + n))
                     for n in range(1, 4)]
    same_theme = _article("同じテーマの記事", "theme-1", themes=[theme], date=datetime.date(2031, 2, 1))
    _article("関係のない記事", "kankei-nai", date=datetime.date(2031, 3, 1))
    article.themes.set([theme])
    article.save_revision().publish()

    from django.test import Client

    html = Client().get(article.url).content.decode()
    related = html[html.index('id="related-heading"'):]
    titles = re.findall(r'class="card__link" href="[^"]+">([^<]+)</a>', related)
    assert titles == [same_theme.title, same_district[2].title, same_district[1].title, same_district[0].title]
    assert "関係のない記事" not in related and "関連元の記事" not in related


def test_an_article_without_relations_has_no_related_section(client):
    article = _article("どこにも属さない記事", "nowhere")
    assert 'id="related-heading"' not in client.get(article.url).content.decode()


# --- District and theme links ------------------------------------------------------------------

def test_cards_link_their_districts_and_themes(client, okubo, kosodate):
    article = _article("大久保の子育て相談会", "sodankai", districts=[okubo], themes=[kosodate],
                       date=datetime.date(2032, 6, 1))
    card = _card(client.get(ArticleIndexPage.objects.get().url).content.decode(), article.title)
    assert f'<a class="card__term" href="{okubo.url}">大久保</a>' in card
    assert f'<a class="card__term" href="{kosodate.url}">子育て</a>' in card
    # The district page's cards link them too, and the article page links its district.
    assert f'href="{kosodate.url}"' in _card(client.get(okubo.url).content.decode(), article.title)
    assert f'href="{okubo.url}"' in client.get(article.url).content.decode()


def test_an_event_card_links_its_one_district(client, okubo):
    event = _event("大久保の夜店", "yomise", timezone.now() + datetime.timedelta(days=1), district=okubo)
    card = _card(client.get(EventIndexPage.objects.get().url).content.decode(), event.title)
    assert f'<a class="card__term" href="{okubo.url}">大久保</a>' in card


# --- A page's map --------------------------------------------------------------------------------

def test_a_stored_map_image_is_shown_and_nothing_is_loaded_from_a_map_service(client):
    shop = ShopPage.objects.live().filter(latitude__isnull=False).first() or ShopPage.objects.live().first()
    shop.latitude, shop.longitude = "35.701000", "139.700000"
    shop.map_image = get_image_model().objects.first()
    shop.save_revision().publish()
    response = client.get(shop.url)
    html = response.content.decode()
    img = re.search(r'<figure class="map-image"><img [^>]+>', html).group(0)
    assert f'alt="{shop.title}の場所を示す地図"' in img and 'src="/media/images/' in img
    assert "地図で見る（OpenStreetMap）" in html, "the link stays"
    assert "<iframe" not in html and "tile" not in html
    assert "frame-src 'none'" in response["Content-Security-Policy"]


def test_without_a_map_image_the_page_keeps_the_link_only(client):
    shop = ShopPage.objects.live().first()
    shop.latitude, shop.longitude, shop.map_image = "35.701000", "139.700000", None
    shop.save_revision().publish()
    html = client.get(shop.url).content.decode()
    assert "地図で見る（OpenStreetMap）" in html
    assert 'class="map-image"' not in html
