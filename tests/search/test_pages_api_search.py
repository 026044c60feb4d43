"""
One search for the API (issue 17, item 5): Wagtail's ``GET /api/v3/pages/?search=`` answers with
the portal's search — the same pages in the same order as ``/api/v3/search/?type=…`` — in
Wagtail's own JSON shape, with its filters and pagination; images and documents keep Wagtail's.
"""

import pytest
from wagtail.models import Page

from pages.models import ArticlePage, ShopPage
from search.api import _page_types

pytestmark = pytest.mark.django_db


def _portal(client, q, *types, **params):
    data = client.get("/api/v3/search/", {"q": q, "type": list(types), **params}).json()
    return [r["id"] for r in data["results"]], data["count"]


def _pages(client, q, **params):
    response = client.get("/api/v3/pages/", {"search": q, **params})
    assert response.status_code == 200, response.content
    data = response.json()
    return [item["id"] for item in data["items"]], data["count"]


@pytest.mark.parametrize("q", ["子育て", "四谷", "こそだて", "新宿 公園"])
def test_the_pages_api_finds_what_the_search_api_finds_in_the_same_order(client, q):
    everything = _page_types(Page)  # every page source
    portal_ids, portal_count = _portal(client, q, *everything)
    ids, count = _pages(client, q, limit=10)
    assert ids and ids == portal_ids and count == portal_count


def test_a_type_filter_narrows_to_that_page_type_with_the_same_ranking(client):
    portal_ids, portal_count = _portal(client, "支える", "article")
    ids, count = _pages(client, "支える", type="pages.ArticlePage", limit=10)
    assert ids == portal_ids and count == portal_count > 0
    assert set(ArticlePage.objects.filter(pk__in=ids).values_list("pk", flat=True)) == set(ids)


def test_pagination_walks_the_same_ranking_without_gaps_or_repeats(client):
    first10, count = _pages(client, "新宿", limit=10)
    assert count > 12
    window = _pages(client, "新宿", limit=5, offset=3)[0]
    assert window == first10[3:8]
    pages = [_pages(client, "新宿", limit=7, offset=offset)[0] for offset in range(0, count, 7)]
    walked = [pk for page in pages for pk in page]
    assert len(walked) == len(set(walked)) == count


def test_a_reading_written_in_kana_finds_the_kanji_page(client):
    shop = ShopPage.objects.live().filter(locale__language_code="ja").first()
    word = shop.title.split()[0]
    ids, _count = _pages(client, word, type="pages.ShopPage")
    assert shop.pk in ids


def _walk(client, q, **params):
    count = _pages(client, q, limit=1, **params)[1]
    return [pk for offset in range(0, count, 20) for pk in _pages(client, q, limit=20, offset=offset, **params)[0]]


def test_an_explicit_order_keeps_wagtails_order_over_the_matches(client):
    ranked = _walk(client, "支える", type="pages.ArticlePage")
    ordered = _walk(client, "支える", type="pages.ArticlePage", order="title")
    assert len(ranked) > 20 and set(ordered) == set(ranked) and ordered != ranked
    titles = list(ArticlePage.objects.filter(pk__in=ordered).values_list("pk", "title"))
    assert ordered == [pk for pk, _title in sorted(titles, key=lambda row: (row[1], row[0]))]


def test_nothing_found_is_an_empty_list_and_a_long_query_is_refused_with_its_code(client):
    assert _pages(client, "zzqqxx該当なし") == ([], 0)
    response = client.get("/api/v3/pages/", {"search": "あ" * 101})
    assert response.status_code == 422 and response.json()["code"] == "query_too_long"


def test_images_keep_wagtails_own_search(client):
    response = client.get("/api/v3/images/", {"search": "新宿"})
    assert response.status_code in (200, 401, 403, 404)  # whatever Wagtail answers: not the page search
    assert "query_too_long" not in response.content.decode()
