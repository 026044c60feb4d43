import datetime

import pytest
from django.utils import timezone

from pages.models import DistrictPage, ThemePage
from tests.wardinfo.feed_server import local_feeds
from wardinfo.models import FeedSource, RelatedSite, WardNotice

JST = datetime.timezone(datetime.timedelta(hours=9))


@pytest.fixture
def notices(db):
    """
    Known notices instead of the demo's: one tagged 大久保 + 防災, one 子育て, one untagged,
    one dated tomorrow (announced ahead: not shown yet).
    """
    WardNotice.objects.all().delete()
    RelatedSite.objects.all().delete()
    source = FeedSource.objects.create(name="新宿区 新着情報（テスト）", url="https://ward.example.jp/rss.xml")
    okubo = DistrictPage.objects.get(slug="okubo", locale__language_code="ja")
    bosai = ThemePage.objects.get(slug="bosai", locale__language_code="ja")
    kosodate = ThemePage.objects.get(slug="kosodate", locale__language_code="ja")

    def make(title, when, summary="", districts=(), themes=()):
        notice = WardNotice.objects.create(
            source=source, guid=title, title=title, summary=summary, published_at=when,
            url=f"https://ward.example.jp/notice/{WardNotice.objects.count() + 1}.html",
        )
        notice.districts.set(districts)
        notice.themes.set(themes)
        return notice

    return {
        "drill": make("大久保地域で避難所の開設訓練", datetime.datetime(2026, 11, 20, 10, 0, tzinfo=JST),
                      "<p>地域の皆さまの<strong>参加</strong>をお待ちしています。</p>", [okubo], [bosai]),
        "course": make("子育て講座の参加者募集", datetime.datetime(2026, 11, 10, 9, 0, tzinfo=JST),
                       "<p>保護者向けの講座です。</p>", themes=[kosodate]),
        "kuho": make("区報 12月号を発行しました", datetime.datetime(2026, 11, 1, 0, 30, tzinfo=JST)),
        "ahead": make("来年の成人の日のつどい", timezone.now() + datetime.timedelta(days=1)),
        "okubo": okubo, "bosai": bosai, "kosodate": kosodate, "source": source,
    }


@pytest.fixture
def feeds(settings, db):
    """The ward's feeds on a local HTTP server (see feed_server.py), with only this test's sources."""
    with local_feeds(settings) as server:
        yield server
