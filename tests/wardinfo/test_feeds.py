"""
Our own feeds: RSS 2.0 and Atom (parsed with feedparser) and iCalendar (parsed with the
icalendar library): valid, in Japan time, Japanese text intact, the right items per scope.
"""

import datetime
import zoneinfo

import feedparser
import pytest
from django.utils import timezone
from icalendar import Calendar

from pages.models import ArticleIndexPage, ArticlePage, DistrictPage, EventIndexPage, EventPage

pytestmark = pytest.mark.django_db
JST = zoneinfo.ZoneInfo("Asia/Tokyo")


@pytest.fixture
def content(notices):
    """An upcoming event in 大久保 (theme 防災), one in 四谷, a past one, a draft, and an article in 大久保."""
    events = EventIndexPage.objects.get()
    soon = (timezone.now() + datetime.timedelta(days=10)).astimezone(JST).replace(hour=10, minute=0, second=0,
                                                                                  microsecond=0)

    def event(title, start, district, published=True, **extra):
        page = EventPage(title=title, start=start, end=start + datetime.timedelta(hours=2), venue="大久保地域センター",
                         venue_address="東京都新宿区大久保二丁目", organiser="大久保防災会（架空）", district=district,
                         fee="無料", lead="起震車で揺れを体験します。", latitude="35.701000", longitude="139.703000",
                         live=published, **extra)
        events.add_child(instance=page)
        if published:
            page.save_revision().publish()
        return page

    okubo, yotsuya = notices["okubo"], DistrictPage.objects.get(slug="yotsuya")
    drill = event("防災フェア＆起震車体験 2026", soon, okubo)
    drill.themes.set([notices["bosai"]])
    drill.save_revision().publish()
    article = ArticlePage(title="商店街の「まちの保健室」を訪ねて", date=datetime.date(2026, 11, 1), lead="看護師さんに聞きました。")
    ArticleIndexPage.objects.get().add_child(instance=article)
    article.districts.set([okubo])
    article.save_revision().publish()
    return {
        "drill": drill,
        "drill_notice": notices["drill"],
        "yotsuya": event("四谷の秋まつり", soon + datetime.timedelta(days=1), yotsuya),
        "past": event("昨年の防災フェア", soon - datetime.timedelta(days=400), okubo),
        "draft": event("準備中のイベント", soon, okubo, published=False),
        "article": article,
        **{key: value for key, value in notices.items() if key != "drill"},
    }


def _parse_feed(client, url, version):
    response = client.get(url)
    assert response.status_code == 200
    parsed = feedparser.parse(response.content)
    assert not parsed.bozo, parsed.get("bozo_exception")
    assert parsed.version == version
    return response, parsed


@pytest.mark.parametrize("suffix, version, content_type", [
    ("rss", "rss20", "application/rss+xml"), ("atom", "atom10", "application/atom+xml"),
])
def test_notice_feeds_are_valid_and_link_to_the_official_pages(client, notices, suffix, version, content_type):
    response, parsed = _parse_feed(client, f"/feeds/notices.{suffix}", version)
    assert response["Content-Type"].startswith(content_type)
    assert parsed.feed.title == "新宿地域ポータル｜区からのお知らせ"
    assert parsed.feed.language == "ja"
    assert [e.title for e in parsed.entries] == [notices[k].title for k in ("drill", "course", "kuho")]
    drill = parsed.entries[0]
    assert drill.link == notices["drill"].url and drill.id == notices["drill"].url
    assert drill.summary.startswith("【新宿区の情報】地域の皆さまの参加をお待ちしています。")
    assert datetime.datetime(*drill.published_parsed[:6], tzinfo=datetime.UTC) == notices["drill"].published_at
    assert {t.term for t in drill.tags} == {"区政情報", "大久保", "防災"}
    raw = response.content.decode()
    assert ("+0900" if suffix == "rss" else "+09:00") in raw  # dates written in Japan time


def test_atom_feed_has_the_required_elements(client, notices):
    _, parsed = _parse_feed(client, "/feeds/notices.atom", "atom10")
    assert parsed.feed.id and parsed.feed.updated_parsed and parsed.feed.author == "新宿地域ポータル"
    assert any(link.rel == "self" and link.href.endswith("/feeds/notices.atom") for link in parsed.feed.links)
    assert all(entry.updated_parsed and entry.id for entry in parsed.entries)


def test_district_feeds_carry_only_that_districts_items(client, content):
    _, notices_feed = _parse_feed(client, "/feeds/districts/okubo/notices.rss", "rss20")
    assert [e.title for e in notices_feed.entries] == [content["drill_notice"].title]
    assert notices_feed.feed.title == "新宿地域ポータル｜大久保の区からのお知らせ"
    _, events_feed = _parse_feed(client, "/feeds/districts/okubo/events.atom", "atom10")
    titles = [e.title for e in events_feed.entries]
    assert "防災フェア＆起震車体験 2026" in titles
    assert "四谷の秋まつり" not in titles and "昨年の防災フェア" not in titles and "準備中のイベント" not in titles
    drill = next(e for e in events_feed.entries if e.title == "防災フェア＆起震車体験 2026")
    assert drill.link == content["drill"].get_full_url()
    assert "会場：大久保地域センター（東京都新宿区大久保二丁目）" in drill.summary
    assert "参加費：無料" in drill.summary and "10:00〜" in drill.summary  # Japan time
    _, articles_feed = _parse_feed(client, "/feeds/districts/okubo/articles.rss", "rss20")
    assert articles_feed.entries[0].title == "商店街の「まちの保健室」を訪ねて"
    assert all("大久保" in {t.term for t in e.tags} for e in articles_feed.entries)


def test_theme_feed(client, content):
    _, parsed = _parse_feed(client, "/feeds/themes/bosai/events.rss", "rss20")
    titles = [e.title for e in parsed.entries]
    assert "防災フェア＆起震車体験 2026" in titles and "四谷の秋まつり" not in titles
    assert all("防災" in {t.term for t in e.tags} for e in parsed.entries)


def test_site_wide_event_feed_has_no_past_or_draft_events(client, content):
    _, parsed = _parse_feed(client, "/feeds/events.rss", "rss20")
    titles = [e.title for e in parsed.entries]
    assert "防災フェア＆起震車体験 2026" in titles and "四谷の秋まつり" in titles
    assert "昨年の防災フェア" not in titles and "準備中のイベント" not in titles


def _calendar(client, url):
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    return Calendar.from_ical(response.content)


def test_district_calendar_is_valid_icalendar_in_japan_time(client, content):
    calendar = _calendar(client, "/feeds/districts/okubo/events.ics")
    assert calendar["VERSION"] == "2.0" and calendar["PRODID"]
    assert calendar["X-WR-TIMEZONE"] == "Asia/Tokyo"
    assert [tz["TZID"] for tz in calendar.walk("VTIMEZONE")] == ["Asia/Tokyo"]
    events = {event["SUMMARY"]: event for event in calendar.walk("VEVENT")}
    assert "四谷の秋まつり" not in events and "準備中のイベント" not in events and "昨年の防災フェア" not in events
    drill = events["防災フェア＆起震車体験 2026"]
    start = drill.decoded("DTSTART")
    assert start == content["drill"].start and str(start.tzinfo) == "Asia/Tokyo" and start.hour == 10
    assert drill["DTSTART"].params["TZID"] == "Asia/Tokyo"
    assert drill.decoded("DTEND") - start == datetime.timedelta(hours=2)
    assert drill["LOCATION"] == "大久保地域センター 東京都新宿区大久保二丁目"
    assert "参加費：無料" in drill["DESCRIPTION"] and "主催：大久保防災会（架空）" in drill["DESCRIPTION"]
    assert drill["URL"] == content["drill"].get_full_url()
    assert drill["UID"].startswith("event-") and drill["DTSTAMP"]
    assert drill["GEO"].to_ical() == "35.701;139.703"
    assert set(drill.get("CATEGORIES").cats) == {"大久保", "防災"}


def test_site_calendar_has_every_districts_events(client, content):
    calendar = _calendar(client, "/feeds/events.ics")
    summaries = {event["SUMMARY"] for event in calendar.walk("VEVENT")}
    assert {"防災フェア＆起震車体験 2026", "四谷の秋まつり"} <= summaries
    assert "準備中のイベント" not in summaries
    assert len({event["UID"] for event in calendar.walk("VEVENT")}) == len(calendar.walk("VEVENT"))


@pytest.mark.parametrize("url", [
    "/feeds/districts/nowhere/events.rss", "/feeds/themes/nowhere/events.ics", "/feeds/comments.rss",
    "/feeds/events.json",
])
def test_unknown_feeds_are_404(client, notices, url):
    assert client.get(url).status_code == 404


def test_english_feed_lists_english_pages_only(client, content):
    response = client.get("/en/feeds/articles.rss")
    assert response.status_code == 200
    parsed = feedparser.parse(response.content)
    assert parsed.feed.language == "en"
    assert "商店街の「まちの保健室」を訪ねて" not in [e.title for e in parsed.entries]
