"""The ward's notices and related sites on the public pages."""

import pytest
from wagtail.models import Page

from pages.models import DistrictPage, ThemePage
from wardinfo.models import RelatedSite

pytestmark = pytest.mark.django_db


def _page_html(client, page):
    response = client.get(page.url)
    assert response.status_code == 200
    return response.content.decode()


def test_home_page_lists_published_notices_marked_as_the_wards_and_linking_to_the_official_page(client, notices):
    html = _page_html(client, Page.objects.get(depth=2).specific)
    assert "区からのお知らせ" in html
    for key in ("drill", "course", "kuho"):
        assert f'href="{notices[key].url}"' in html
        assert notices[key].title in html
    assert html.count("新宿区の情報") == 3  # the badge on each notice
    assert notices["ahead"].title not in html  # dated in the future
    assert html.index(notices["drill"].title) < html.index(notices["course"].title) < html.index(notices["kuho"].title)
    assert "<strong>" not in html.split("区からのお知らせ", 1)[1].split("</section>", 1)[0]  # summary as text


def test_district_page_shows_only_its_notices(client, notices):
    html = _page_html(client, notices["okubo"])
    assert notices["drill"].title in html
    assert notices["course"].title not in html and notices["kuho"].title not in html
    other = _page_html(client, DistrictPage.objects.get(slug="yotsuya"))
    assert notices["drill"].title not in other
    assert "四谷に関する区からのお知らせはまだありません。" in other


def test_theme_page_shows_only_its_notices(client, notices):
    html = _page_html(client, notices["kosodate"])
    assert notices["course"].title in html
    assert notices["drill"].title not in html


def test_related_sites_appear_on_their_theme_and_district_pages_and_untagged_ones_on_home(client, notices):
    ward = RelatedSite.objects.create(title="区の公式サイト（テスト）", url="https://ward.example.jp/")
    bousai = RelatedSite.objects.create(title="防災マップ（テスト）", url="https://map.example.jp/", description="避難所の地図")
    bousai.themes.set([notices["bosai"]])
    bousai.districts.set([notices["okubo"]])
    bousai.save()  # parental relations are stored on save, as the admin does
    assert 'href="https://map.example.jp/"' in _page_html(client, notices["bosai"])
    assert "避難所の地図" in _page_html(client, notices["okubo"])
    kosodate = _page_html(client, notices["kosodate"])
    assert "map.example.jp" not in kosodate and "ward.example.jp/\"" not in kosodate
    home = _page_html(client, Page.objects.get(depth=2).specific)
    assert f'href="{ward.url}"' in home and "map.example.jp" not in home


def test_pages_announce_their_feeds(client, notices):
    html = _page_html(client, notices["okubo"])
    assert '<link rel="alternate" type="application/rss+xml"' in html
    assert 'href="/feeds/districts/okubo/notices.rss"' in html
    assert 'href="/feeds/districts/okubo/events.ics"' in html
    home = _page_html(client, Page.objects.get(depth=2).specific)
    assert 'href="/feeds/articles.atom"' in home and 'href="/feeds/events.ics"' in home
    theme = _page_html(client, ThemePage.objects.get(slug="kosodate"))
    assert 'href="/feeds/themes/kosodate/events.rss"' in theme


def test_notice_list_page_filters_by_district_and_theme(client, notices):
    response = client.get("/ward-notices/")
    html = response.content.decode()
    assert response.status_code == 200
    assert "お知らせ（3件）" in html
    html = client.get("/ward-notices/?district=okubo").content.decode()
    assert "大久保・お知らせ（1件）" in html and notices["drill"].title in html and notices["course"].title not in html
    html = client.get("/ward-notices/?theme=kosodate").content.decode()
    assert notices["course"].title in html and notices["drill"].title not in html
    html = client.get("/ward-notices/?district=okubo&theme=kosodate").content.decode()
    assert "条件に合うお知らせはありません。" in html
    # An unknown slug or page number is no error: the whole list, first page.
    html = client.get("/ward-notices/?district=nowhere&page=x").content.decode()
    assert "お知らせ（3件）" in html
