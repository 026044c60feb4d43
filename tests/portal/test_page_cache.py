"""
The anonymous page cache (portal.page_cache): hits and misses, its headers, ETag/304, no cookie and
no Vary on Cookie or Accept-Language for an anonymous visitor, and what is never stored.
"""

import pytest
from django.core.cache import caches

from pages.models import ArticlePage, DistrictPage, EventPage, HomePage, ShopPage, SpecialPage, ThemePage

pytestmark = pytest.mark.django_db


@pytest.fixture
def page_cache(settings):
    settings.PAGE_CACHE_SECONDS = 600
    caches["pages"].clear()
    caches["page_versions"].clear()
    yield caches["pages"]
    caches["pages"].clear()


def _vary(response):
    return {value.strip().lower() for value in response.get("Vary", "").split(",") if value.strip()}


def test_an_anonymous_page_is_rendered_once_then_served_from_the_cache(client, page_cache, django_assert_num_queries):
    first = client.get("/")
    assert first.status_code == 200 and first["X-Page-Cache"] == "miss"
    with django_assert_num_queries(0):
        second = client.get("/")
    assert second["X-Page-Cache"] == "hit"
    assert second.content == first.content
    assert second["Content-Type"] == first["Content-Type"]
    assert "script-src 'self'" in second["Content-Security-Policy"]  # the security headers are kept


def test_cached_answers_say_public_no_cache_with_an_etag_and_let_nginx_keep_them_one_second(client, page_cache):
    response = client.get("/")
    assert response["Cache-Control"] == "public, no-cache"
    assert response["ETag"].startswith('"') and len(response["ETag"]) > 10
    assert response["X-Accel-Expires"] == "1"


def test_the_query_string_is_part_of_the_key_in_any_order(client, page_cache):
    district = DistrictPage.objects.live().filter(locale__language_code="ja").first()
    client.get(district.url, {"page": "2", "x": "1"})
    assert client.get(district.url + "?x=1&page=2")["X-Page-Cache"] == "hit"
    other = client.get(district.url, {"page": "1"})
    assert other["X-Page-Cache"] == "miss"


@pytest.mark.parametrize("url", ["/", "/api/v3/content/", "/feeds/articles.rss", "/ward-notices/"])
def test_a_client_holding_the_answer_gets_304(client, page_cache, url):
    first = client.get(url)
    assert first.status_code == 200, url
    etag = first["ETag"]
    again = client.get(url, HTTP_IF_NONE_MATCH=etag)
    assert again.status_code == 304 and again["ETag"] == etag and not again.content
    assert client.get(url, HTTP_IF_NONE_MATCH='"something-else"').status_code == 200


def test_the_first_request_with_a_matching_etag_is_answered_304_too(client, page_cache):
    etag = client.get("/api/v3/content/")["ETag"]
    page_cache.clear()
    assert client.get("/api/v3/content/", HTTP_IF_NONE_MATCH=etag).status_code == 304


def _public_urls(client):
    japanese = {"locale__language_code": "ja"}
    urls = ["/", "/en/", "/ko/", "/search/?q=%E6%96%B0%E5%AE%BF", "/board/", "/ward-notices/", "/local-info/",
            "/feeds/articles.rss", "/feeds/articles.atom", "/feeds/events.ics", "/api/v3/content/",
            "/api/v3/ward-notices/", "/api/v3/pages/", "/members/privacy/", "/members/terms/", "/submissions/"]
    for model in (DistrictPage, ThemePage, ArticlePage, ShopPage, EventPage, SpecialPage):
        page = model.objects.live().filter(**japanese).first()
        urls += [page.url, page.get_parent().url]
    return urls


def test_no_anonymous_get_of_a_public_page_sets_a_cookie_or_varies_on_cookie_or_language(client, page_cache):
    for url in _public_urls(client):
        for attempt in ("first", "second"):
            response = client.get(url)
            assert response.status_code == 200, (url, response.status_code)
            assert not response.cookies, (url, attempt, response.cookies)
            assert "cookie" not in _vary(response) or response["X-Page-Cache"] == "bypass", (url, response["Vary"])
            assert "accept-language" not in _vary(response), (url, response["Vary"])


def test_the_language_of_a_page_is_the_urls_never_the_browsers(client, page_cache):
    japanese = client.get("/", HTTP_ACCEPT_LANGUAGE="en")
    assert japanese.status_code == 200 and '<html lang="ja"' in japanese.content.decode()
    english = client.get("/en/", HTTP_ACCEPT_LANGUAGE="ja")
    assert '<html lang="en"' in english.content.decode()
    assert '<html lang="ja"' in client.get("/", HTTP_ACCEPT_LANGUAGE="ko")  .content.decode()


def test_the_search_is_never_cached_but_sets_no_cookie(client, page_cache):
    response = client.get("/search/", {"q": "新宿"})
    assert response["X-Page-Cache"] == "bypass" and not response.cookies


def test_the_pages_apis_search_is_never_cached_but_its_listing_is(client, page_cache):
    assert client.get("/api/v3/pages/", {"search": "四谷"})["X-Page-Cache"] == "bypass"
    assert client.get("/api/v3/pages/", {"search": "四谷"})["X-Page-Cache"] == "bypass"
    client.get("/api/v3/pages/", {"limit": "5"})
    assert client.get("/api/v3/pages/", {"limit": "5"})["X-Page-Cache"] == "hit"


def test_home_is_the_home_page(page_cache):
    assert HomePage.objects.live().filter(locale__language_code="ja").first().url == "/"


BROWSER = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0 Safari/537.36"


def test_a_hit_costs_no_query_sets_no_cookie_and_is_still_counted_as_its_page(client, page_cache, django_assert_num_queries):
    from reports import counting  # noqa: PLC0415
    from reports.models import PageViewDay  # noqa: PLC0415

    counting.cache.clear()
    district = DistrictPage.objects.live().filter(locale__language_code="ja").first()
    assert client.get(district.url, HTTP_USER_AGENT=BROWSER)["X-Page-Cache"] == "miss"
    for _ in range(2):
        with django_assert_num_queries(0):
            hit = client.get(district.url, HTTP_USER_AGENT=BROWSER)
        assert hit["X-Page-Cache"] == "hit" and not hit.cookies and "Set-Cookie" not in hit
    counting.flush()
    rows = PageViewDay.objects.filter(path=district.url)
    assert sum(row.views for row in rows) == 3  # the render and both hits
    assert {row.page_id for row in rows} == {district.pk}
    counting.cache.clear()


def test_without_readable_generations_nothing_is_cached(client, page_cache, monkeypatch):
    from django.core.cache.backends.dummy import DummyCache  # noqa: PLC0415

    from portal import page_cache as module  # noqa: PLC0415

    monkeypatch.setattr(module, "versions", lambda: DummyCache("none", {}))  # a store that keeps nothing
    for _ in range(2):
        response = client.get("/")
        assert response.status_code == 200 and response["X-Page-Cache"] == "bypass"
