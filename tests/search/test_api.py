"""The search API and the site's results page: shape, filters, facets, snippets, errors."""

import pytest
from wagtail.contrib.search_promotions.models import Query, SearchPromotion

from pages.models import ArticlePage, DistrictPage, EventPage, ThemePage
from search.models import SearchDocument

pytestmark = pytest.mark.django_db


def get(client, **params):
    return client.get("/api/v3/search/", params)


def test_one_search_over_every_source_with_the_documented_shape(client):
    data = get(client, q="子育て").json()
    assert data["count"] >= 3 and data["count"] == sum(f["count"] for f in data["facets"]["type"])
    assert {"type", "id", "title", "url", "snippet", "date", "districts", "themes"} <= set(data["results"][0])
    assert {r["type"] for r in data["results"]} >= {"theme", "event"}
    assert set(data["facets"]) == {"type", "districts", "themes"}
    assert data["facets"]["themes"][0].keys() == {"value", "label", "count"}
    assert any(f["label"] == "子育て" for f in data["facets"]["themes"])
    assert data["backend"] == "database" and data["fallback"] is False


def test_a_word_inside_running_text_is_found_and_marked_in_the_snippet(client):
    theme = ThemePage.objects.get(slug="kosodate")
    data = get(client, q="子育て", type="theme").json()
    assert [r["id"] for r in data["results"]] == [theme.pk]
    assert "<mark>子育て</mark>" in data["results"][0]["snippet"]


def test_a_variant_spelling_finds_and_marks_the_other_spelling(client):
    data = get(client, q="申し込み", type="event").json()  # the events say 申込不要
    assert data["count"] > 0
    assert any("<mark>申込</mark>" in r["snippet"] for r in data["results"])


def test_snippets_escape_the_text(client):
    article = ArticlePage.objects.live().first()
    article.search_description = "<script>alert(1)</script> ぴかぴか文具店の紹介"
    article.save_revision().publish()
    snippet = get(client, q="ぴかぴか文具店").json()["results"][0]["snippet"]
    assert "<script>" not in snippet and "&lt;script&gt;" in snippet


def test_title_matches_rank_above_body_matches(client):
    district = DistrictPage.objects.get(slug="yotsuya")
    results = get(client, q="四谷").json()["results"]
    assert (results[0]["type"], results[0]["id"]) == ("district", district.pk)
    assert len(results) > 3  # events, shops and articles in 四谷 come after it


def test_filters_by_type_district_theme_and_date(client):
    okubo = DistrictPage.objects.get(slug="okubo")
    by_district = get(client, q="新宿", district="okubo").json()
    assert by_district["count"] > 0 and all("okubo" in r["districts"] for r in by_district["results"])
    assert by_district["count"] < get(client, q="新宿").json()["count"]
    by_theme = get(client, q="新宿", theme="kosodate").json()
    assert by_theme["count"] > 0 and all("kosodate" in r["themes"] for r in by_theme["results"])
    events = get(client, q="新宿", type="event").json()
    assert events["count"] and {r["type"] for r in events["results"]} == {"event"}
    event = EventPage.objects.live().order_by("start").last()
    day = event.start.date().isoformat()
    dated = get(client, q="新宿", type="event", **{"from": day, "to": day}).json()
    assert event.pk in [r["id"] for r in dated["results"]]
    assert all(r["date"][:10] == day for r in dated["results"])
    assert okubo.pk  # the district exists; the filter used its slug


def test_pages_beyond_the_first(client):
    first = get(client, q="新宿").json()
    second = get(client, q="新宿", page=2).json()
    assert first["pages"] >= 2 and second["page"] == 2
    assert not {r["id"] for r in first["results"]} & {r["id"] for r in second["results"]}


@pytest.mark.parametrize("q", ["", "   ", "\u3000"])
def test_an_empty_query_is_a_clear_problem(client, q):
    response = get(client, q=q)
    assert response.status_code == 422 and response["Content-Type"].startswith("application/problem+json")
    assert response.json()["code"] == "query_empty"


def test_an_overlong_query_is_a_clear_problem(client):
    for q in ["子" * 101, "x" * 50000]:
        response = get(client, q=q)
        assert (response.status_code, response.json()["code"]) == (422, "query_too_long")


def test_an_unknown_type_is_a_clear_problem(client):
    response = get(client, q="子育て", type="spaceship")
    assert (response.status_code, response.json()["code"]) == (422, "unknown_type")


@pytest.mark.parametrize("q", ['"大久保', "大久保*", "(防犯", "NEAR(", "a:b", "\\", "の", "!!!", "' OR 1=1 --"])
def test_query_syntax_and_stop_words_never_fail(client, q):
    response = get(client, q=q)
    assert response.status_code == 200
    assert client.get("/search/", {"q": q}).status_code == 200


def test_words_typed_apart_fall_back_to_any_word_and_say_so(client):
    data = get(client, q="子育て ぴよぴよ存在しない").json()
    assert data["count"] > 0 and data["relaxed"] is True and data["message"]
    assert get(client, q="存在しない言葉ぴよぴよ").json()["count"] == 0  # one word: no relaxing


def test_editors_promoted_result_comes_first(client):
    district = DistrictPage.objects.get(slug="kashiwagi")
    query = Query.get("子育て")
    SearchPromotion.objects.create(query=query, page=district, sort_order=0, description="おすすめ")
    results = get(client, q="子育て").json()["results"]
    assert (results[0]["id"], results[0]["type"], results[0]["promoted"]) == (district.pk, "district", True)
    assert [r["id"] for r in results].count(district.pk) == 1


def test_a_promoted_page_that_is_not_visible_is_not_shown(client):
    district = DistrictPage.objects.get(slug="kashiwagi")
    SearchPromotion.objects.create(query=Query.get("子育て"), page=district, sort_order=0)
    district.unpublish()
    results = get(client, q="子育て").json()["results"]
    assert district.pk not in [r["id"] for r in results if r["type"] == "district"]


def test_recent_notices_and_events_are_favoured(client):
    from datetime import timedelta

    from django.utils import timezone

    from search.query import _rerank

    now = timezone.now()
    SearchDocument.objects.filter(source="pages.event").update(date=now - timedelta(days=3650))
    old = SearchDocument.objects.filter(source="pages.event").first()
    recent = SearchDocument.objects.filter(source="pages.event").exclude(pk=old.pk).first()
    recent.date = now
    recent.save()
    # Same relevance: the recent event goes first; an article (no recency) keeps its score.
    ranked = _rerank([(old.key, 1.0), (recent.key, 1.0), ("pages.article:1", 1.0)], [])
    assert ranked[0][0] == recent.key and {key: score for key, score, _all in ranked}["pages.article:1"] == 1.0


def test_suggestions_complete_kanji_and_kana_prefixes(client):
    kanji = client.get("/api/v3/search/suggest", {"q": "子育"}).json()["suggestions"]
    kana = client.get("/api/v3/search/suggest", {"q": "こそだ"}).json()["suggestions"]
    katakana = client.get("/api/v3/search/suggest", {"q": "コソダ"}).json()["suggestions"]
    assert "子育て" in kanji and "子育て" in kana and "子育て" in katakana
    assert client.get("/api/v3/search/suggest", {"q": ""}).json()["suggestions"] == []
    too_long = client.get("/api/v3/search/suggest", {"q": "あ" * 500})
    assert (too_long.status_code, too_long.json()["code"]) == (422, "query_too_long")


def test_the_site_page_shows_results_filters_and_errors(client):
    page = client.get("/search/", {"q": "子育て", "type": "event"})
    html = page.content.decode()
    assert page.status_code == 200 and "<mark>子育て</mark>" in html and 'value="event" checked' in html
    assert all(r.type == "event" for r in page.context["outcome"].results)
    too_long = client.get("/search/", {"q": "子" * 101})
    assert too_long.status_code == 400 and "100文字以内" in too_long.content.decode()


def test_the_search_is_in_the_openapi_document(client):
    paths = client.get("/api/v3/openapi.json").json()["paths"]
    assert "/api/v3/search/" in paths and "/api/v3/search/suggest" in paths


def test_editors_may_manage_promoted_results(editor, moderator):
    for user in (editor, moderator):
        assert user.has_perm("wagtailsearchpromotions.add_searchpromotion")
        assert user.has_perm("wagtailsearchpromotions.change_searchpromotion")
