"""
The listings that must not grow with the number of pages (issue 18, part 4) show what they
showed before: the home page's newest articles and upcoming events, a district's upcoming events,
its tagged pages and their count, an article's related articles, the districts and themes in tree
order. Each is checked against the plain query it replaced, on pages built here, and (on SQLite)
its plan reads an index in the listing's order instead of every page and a sort.
"""

import datetime

import pytest
from django.db import connection
from django.utils import timezone
from wagtail.models import Locale

from pages import selectors
from pages.models import (
    ArticleIndexPage,
    ArticlePage,
    DistrictIndexPage,
    DistrictPage,
    EventIndexPage,
    EventPage,
    HomePage,
    ThemePage,
)

pytestmark = pytest.mark.django_db


def _publish(page, parent, live=True):
    parent.add_child(instance=page)
    revision = page.save_revision()
    if live:
        revision.publish()
    else:
        type(page).objects.filter(pk=page.pk).update(live=False)
    return type(page).objects.get(pk=page.pk)


def _event(slug, start, hours=2, district=None, live=True):
    page = EventPage(title=f"イベント {slug}", slug=slug, start=start, end=start + datetime.timedelta(hours=hours),
                     venue="テスト会館", organiser="テスト実行委員会", district=district)
    return _publish(page, EventIndexPage.objects.get(), live)


def _article(slug, date, districts=(), themes=(), live=True):
    page = ArticlePage(title=f"記事 {slug}", slug=slug, body=[("paragraph", "<p>本文</p>")], date=date)
    page.districts.set(list(districts))
    page.themes.set(list(themes))
    return _publish(page, ArticleIndexPage.objects.get(), live)


def _ja():
    return Locale.objects.get(language_code="ja")


def _plain_upcoming(queryset, now):
    """The query ``not_ended`` replaced: every event not ended, sorted by start."""
    return list(queryset.filter(end__gte=now).order_by("start", "pk"))


def test_the_home_page_shows_the_newest_articles_by_date_and_never_a_draft(client):
    future = timezone.localdate() + datetime.timedelta(days=400)
    same_day = [_article(f"onaji-hi-{n}", future) for n in range(3)]
    _article("shitagaki", future + datetime.timedelta(days=1), live=False)
    shown = client.get(HomePage.objects.get(locale=_ja()).url).context["latest_articles"]
    expected = list(ArticlePage.objects.live().filter(locale=_ja()).order_by("-date", "-pk")[:6])
    assert [page.pk for page in shown] == [page.pk for page in expected]
    assert [page.pk for page in shown[:3]] == [page.pk for page in reversed(same_day)]  # the same day: newest first


def test_an_event_running_since_long_ago_is_listed_first_and_an_ended_one_never(client):
    now = timezone.now()
    running = _event("nagai-tenji", now - datetime.timedelta(days=45), hours=24 * 90)
    _event("owatta", now - datetime.timedelta(days=1))
    soon = _event("mamonaku", now + datetime.timedelta(minutes=30))
    shown = client.get(HomePage.objects.get(locale=_ja()).url).context["upcoming_events"]
    assert shown[0] == running and soon in shown and "owatta" not in [event.slug for event in shown]
    assert shown == _plain_upcoming(EventPage.objects.live().filter(locale=_ja()), now)[:6]


@pytest.mark.parametrize("since_days", [-200, -30, 0, 30, 200])
def test_not_ended_lists_what_the_plain_query_lists_at_any_time(since_days):
    now = timezone.now()
    _event("nagai", now - datetime.timedelta(days=100), hours=24 * 150)
    _event("mijikai", now + datetime.timedelta(days=10))
    since = now + datetime.timedelta(days=since_days)
    events = EventPage.objects.live()
    assert list(selectors.not_ended(events, since)) == _plain_upcoming(events, since)


def test_a_district_page_lists_its_running_and_coming_events_and_counts_only_what_a_visitor_sees(client):
    district = DistrictPage.objects.get(slug="okubo")
    now = timezone.now()
    running = _event("okubo-tenji", now - datetime.timedelta(days=20), hours=24 * 40, district=district)
    _event("okubo-owatta", now - datetime.timedelta(days=2), district=district)
    _article("okubo-shitagaki", timezone.localdate(), districts=[district], live=False)
    response = client.get(district.url)
    events = list(response.context["upcoming_events"])
    plain = _plain_upcoming(EventPage.objects.live().filter(locale=_ja(), district__translation_key=district.translation_key),
                            now)
    assert events[0] == running and events == plain[:5]
    items = response.context["items"]
    tagged = [page.pk for page in district.tagged_pages()]
    assert items.paginator.count == len(tagged) == district.tagged_pages(for_count=True).count()
    assert "okubo-shitagaki" not in [page.slug for page in district.tagged_pages()]
    assert [page.pk for page in items.object_list] == tagged[:len(items.object_list)]
    newest = sorted(district.tagged_pages(), key=lambda page: (page.first_published_at, page.pk), reverse=True)
    assert [page.pk for page in newest] == tagged


def test_related_articles_share_a_district_or_theme_and_leave_out_drafts():
    district = DistrictPage.objects.get(slug="okubo")
    theme = ThemePage.objects.get(slug="kosodate")
    day = datetime.date(2032, 5, 1)
    article = _article("moto-kiji", day, districts=[district], themes=[theme])
    by_district = _article("chiku-kiji", day + datetime.timedelta(days=1), districts=[district])
    by_theme = _article("theme-kiji", day + datetime.timedelta(days=2), themes=[theme])
    _article("shitagaki-kiji", day + datetime.timedelta(days=3), districts=[district], live=False)
    related = selectors.related_articles(article)
    assert related[:2] == [by_theme, by_district]
    plain = (ArticlePage.objects.live().filter(locale=_ja()).exclude(pk=article.pk)
             .filter(pk__in=ArticlePage.objects.filter(districts=district).order_by().values("pk")
                     .union(ArticlePage.objects.filter(themes=theme).order_by().values("pk")))
             .order_by("-date", "-first_published_at", "-pk"))
    assert [page.pk for page in related] == [page.pk for page in plain[:selectors.RELATED_LIMIT]]


def test_the_districts_come_in_the_trees_order_and_only_visible_ones():
    hidden = _publish(DistrictPage(title="非公開の地区", slug="hikokai"), DistrictIndexPage.objects.get(), live=False)
    found = selectors.terms_in_order(DistrictPage, _ja())
    assert found == list(DistrictPage.objects.live().filter(locale=_ja()).order_by("path"))
    assert hidden not in found and found


# --- The plans (SQLite): an index in the listing's order, not every page and a sort -------------

def _plan(queryset):
    sql, params = queryset.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN QUERY PLAN " + sql, params)
        return [row[-1] for row in cursor.fetchall()]


@pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite's query plans")
def test_the_listings_read_their_own_index_in_order():
    ja = _ja()
    district = DistrictPage.objects.get(slug="okubo", locale=ja)
    plans = {
        "newest articles": _plan(selectors.listed_in(ArticlePage, ja).order_by("-date", "-pk")[:6]),
        "upcoming events": _plan(selectors.not_ended(selectors.listed_in(EventPage, ja))[:6]),
        "district's events": _plan(selectors.term_events(district, "district")[:5]),
        "district's pages": _plan(district.tagged_pages()[:12]),
        "districts": _plan(selectors.visible_pages(DistrictPage, ja).filter(
            pk__in=DistrictPage.objects.order_by().values("pk")).order_by("path")),
    }
    assert "USING INDEX pages_article_date_id_idx" in " ".join(plans["newest articles"])
    assert "USING INDEX pages_event_start_id_idx" in " ".join(plans["upcoming events"])
    assert "USING INDEX pages_event_start_id_idx" in " ".join(plans["district's events"])
    assert "USING INDEX pages_page_first_published_idx" in " ".join(plans["district's pages"])
    for name, plan in plans.items():
        assert not any(step.startswith("SCAN wagtailcore_page USING INDEX sqlite_autoindex") or
                       "wagtailcore_page_locale_id" in step for step in plan), (name, plan)
    for name in ("newest articles", "upcoming events", "district's events", "district's pages"):
        assert "USE TEMP B-TREE FOR ORDER BY" not in plans[name], (name, plans[name])
