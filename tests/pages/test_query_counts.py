"""
SQL queries per public page rendered uncached (issue 18, part 4): at most ``MAX_QUERIES`` for an
anonymous visitor, whatever the page type, and the same number however much content there is.

"Uncached": Django's caches (the page cache, Wagtail's cached site root paths, the ads' version) are
cleared before each counted request, but for the page cache's generations (the record of what
changed, not cached content). What stays is what a running server keeps per process once it has
served a first request (``pages.caching.shared``: sites and root paths, locales, routes, the menu,
breadcrumbs, the districts and themes, the language switcher's translations and the sidebars, kept
until a change bumps their generation); so each page is requested once before it is counted, with
the page cache switched on as in production.
"""

import pytest
from django.conf import settings
from django.core.cache import caches
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from moderation.models import Board, Thread
from pages.caching import forget_shared
from pages.models import (
    ArticleIndexPage,
    ArticlePage,
    DistrictPage,
    EventIndexPage,
    EventPage,
    HomePage,
    ShopIndexPage,
    ShopPage,
    SpecialIndexPage,
    SpecialPage,
    ThemePage,
)
from surveys.models import SurveyIndexPage

pytestmark = pytest.mark.django_db

MAX_QUERIES = 12


def _first(model, language="ja"):
    return model.objects.live().filter(locale__language_code=language).order_by("path").first()


def _url(kind, language="ja"):
    pages = {
        "home": HomePage, "district": DistrictPage, "theme": ThemePage, "article": ArticlePage, "shop": ShopPage,
        "event": EventPage, "special": SpecialPage, "articles": ArticleIndexPage, "shops": ShopIndexPage,
        "events": EventIndexPage, "specials": SpecialIndexPage, "surveys": SurveyIndexPage,
    }
    if kind in pages:
        return _first(pages[kind], language).url
    views = {
        "ward notices": lambda: reverse("ward_notice_list"),
        "search": lambda: reverse("search") + "?q=四谷",
        "board": lambda: reverse("board:index"),
        "board threads": lambda: reverse("board:board", args=[Board.objects.order_by("pk").first().slug]),
        "board thread": lambda: reverse("board:thread", args=[Thread.objects.order_by("pk").first().pk]),
    }
    return views[kind]()


# The queries each page type takes today: a ceiling against regressions. Where it is above
# MAX_QUERIES the goal is not reached yet (see test_..._at_most_twelve_queries, marked xfail there).
BUDGET = {
    "home": 11, "district": 7, "theme": 7, "article": 12, "shop": 5, "event": 4, "special": 10,
    "articles": 7, "shops": 7, "events": 12, "specials": 6, "ward notices": 7, "search": 9,
    "board": 1, "board threads": 3, "board thread": 7,
}
# The sidebars (the ad slot's snapshot, ward notices, related sites, surveys, the board) are kept per
# process (ads.selection, pages.caching.shared) and take none once warm: no slack for other apps.
ADS_SLACK = 0
PAGE_TYPES = list(BUDGET)
NOT_YET = "still above the goal"  # every page type is at or below it now (2026-11-28)


@pytest.fixture(autouse=True)
def page_cache_on(settings):
    """
    As in production: the page cache and its generations on, so what ``pages.caching.shared`` keeps
    per process is used (nothing is kept from another test).
    """
    settings.PAGE_CACHE_SECONDS = 600
    forget_shared()
    yield
    forget_shared()


@pytest.fixture(autouse=True)
def ads_in_steady_state(settings):
    """
    The ad slot as in a running process: the stop-all switch's row exists (created once, at the first
    ad shown; a test's rollback would otherwise remove it before each test) and this process's
    snapshot is built (``ads.selection``), so a counted request does not rebuild it because an
    earlier test changed an ads row.
    """
    from ads import selection
    from ads.models import AdsSwitch

    settings.ADS_SNAPSHOT_CHECK_SECONDS = 3600  # a counted request never re-checks the version in the cleared cache
    AdsSwitch.current()
    selection.invalidate()
    selection.current()


def _clear_caches():
    """Every cache but the page cache's generations (the state of what changed, not cached content)."""
    for alias in settings.CACHES:
        if alias != settings.PAGE_CACHE_VERSIONS_ALIAS:
            caches[alias].clear()


def count_queries(client, url):
    """The queries of one anonymous GET of ``url`` with every cache emptied (after a warm-up request)."""
    _clear_caches()  # the caches outlive the test's rolled-back rows: warm up from empty
    assert client.get(url).status_code == 200
    _clear_caches()
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(queries), [query["sql"] for query in queries.captured_queries]


@pytest.mark.parametrize("kind", PAGE_TYPES)
def test_a_public_page_renders_uncached_within_its_query_budget(client, kind):
    count, sql = count_queries(client, _url(kind))
    print(f"\n{kind}: {count} queries (budget {BUDGET[kind]}, goal {MAX_QUERIES})")
    assert count <= BUDGET[kind] + ADS_SLACK, "\n".join([f"{kind}: {count} queries", *sql])


@pytest.mark.parametrize("kind", [
    pytest.param(kind, marks=pytest.mark.xfail(strict=True, reason=NOT_YET)) if BUDGET[kind] > MAX_QUERIES else kind
    for kind in PAGE_TYPES
])
def test_a_public_page_renders_uncached_in_at_most_twelve_queries(client, kind):
    count, _sql = count_queries(client, _url(kind))
    assert count <= MAX_QUERIES


@pytest.mark.parametrize("kind", ["home", "district", "article", "events"])
def test_a_page_in_another_language_takes_at_most_seven_queries_more(client, kind):
    count, sql = count_queries(client, "/en" + _url(kind) if kind != "home" else "/en/")
    print(f"\n{kind} (en): {count} queries")
    assert count <= BUDGET[kind] + 7 + ADS_SLACK, "\n".join([f"{kind} (en): {count} queries", *sql])


def _add_pages(count):
    """``count`` more articles, shops and events each, tagged with the first district and theme (bulk)."""
    import datetime

    from django.utils import timezone
    from wagtail.images import get_image_model

    from fixtures.bulk import PageBulkCreator

    district, theme = _first(DistrictPage), _first(ThemePage)
    image = get_image_model().objects.order_by("pk").first()  # cards with images, as the demo's
    # Older than every demo page and event: the first page of each listing stays the same, so
    # only the volume the queries sort, count and filter changes.
    published = timezone.now() - datetime.timedelta(days=3000)
    start = published + datetime.timedelta(days=1)
    kinds = [
        (ArticleIndexPage, ArticlePage, lambda n: ArticlePage(title=f"量の記事{n}", slug=f"volume-article-{n}", body=[],
                                                               date=published.date())),
        (ShopIndexPage, ShopPage, lambda n: ShopPage(title=f"量の店{n}", slug=f"volume-shop-{n}", address="新宿区",
                                                         title_reading="んん")),
        (EventIndexPage, EventPage, lambda n: EventPage(
            title=f"量のイベント{n}", slug=f"volume-event-{n}", start=start, end=start, venue="区民センター",
            organiser="実行委員会", district=district, body=[])),
    ]
    for index_model, model, make in kinds:
        creator = PageBulkCreator(_first(index_model), model, batch_size=500)
        for n in range(count):
            tags = {"themes": [theme]} if model is EventPage else {"districts": [district], "themes": [theme]}
            page = make(n)
            page.hero_image, page.first_published_at = image, published
            creator.add(page, **tags)
        creator.flush()


def test_the_query_count_does_not_grow_with_the_number_of_pages(client):
    kinds = ["home", "district", "theme", "article", "articles", "events", "shops"]
    urls = {kind: _url(kind) for kind in kinds}
    before = {kind: count_queries(client, url)[0] for kind, url in urls.items()}
    _add_pages(450)  # the demo's ~75 pages, then ~1,400
    after = {kind: count_queries(client, url)[0] for kind, url in urls.items()}
    print(f"\nqueries with the demo's pages: {before}\nwith 1,350 more: {after}")
    assert after == before
