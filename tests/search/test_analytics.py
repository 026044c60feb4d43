"""Search analytics: counted per day and query, nothing about who searched."""

import datetime

import pytest
from django.utils import timezone

from search.analytics import REDACTED
from search.models import QueryStat, SearchDocument
from tests.staff import login_staff

pytestmark = pytest.mark.django_db


def test_queries_are_counted_with_and_without_results(client):
    client.get("/api/v3/search/", {"q": "子育て"})
    client.get("/search/", {"q": "子育て"})
    client.get("/api/v3/search/", {"q": "ぴよぴよ存在しない"})
    client.get("/api/v3/search/", {"q": "子育て", "page": 2})  # further pages are not counted again
    found = QueryStat.objects.get(query="子育て", day=timezone.localdate())
    assert (found.searches, found.zero_results) == (2, 0)
    assert QueryStat.objects.get(query="ぴよぴよ存在しない").zero_results == 1


def test_nothing_about_the_searcher_is_stored():
    columns = {f.name for f in QueryStat._meta.get_fields()}
    assert columns == {"id", "day", "query", "searches", "zero_results"}


@pytest.mark.parametrize("q", ["taro@example.jp", "090-1234-5678", "03 1234 5678", "〒160-0022"])
def test_queries_that_look_like_personal_data_are_not_stored(client, q):
    client.get("/api/v3/search/", {"q": q})
    assert not QueryStat.objects.exclude(query=REDACTED).exists()
    assert QueryStat.objects.get(query=REDACTED).searches == 1


def test_editors_see_popular_queries_and_queries_without_results(client, editor):
    today = timezone.localdate()
    QueryStat.objects.create(day=today, query="子育て", searches=12, zero_results=0)
    QueryStat.objects.create(day=today - datetime.timedelta(days=1), query="粗大ごみ", searches=5, zero_results=5)
    QueryStat.objects.create(day=today - datetime.timedelta(days=60), query="古い検索語", searches=99)
    login_staff(client, editor)
    page = client.get("/admin/search/queries/")
    assert page.status_code == 200
    popular = [row["query"] for row in page.context["popular"]]
    assert popular[:2] == ["子育て", "粗大ごみ"] and "古い検索語" not in popular
    assert [row["query"] for row in page.context["without_results"]] == ["粗大ごみ"]
    assert "古い検索語" in [r["query"] for r in client.get("/admin/search/queries/?days=90").context["popular"]]
    assert page.context["documents"] == SearchDocument.objects.count() > 0
    assert "検索エンジン: なし" in page.content.decode()


def test_the_report_is_not_public(client):
    response = client.get("/admin/search/queries/")
    assert response.status_code == 302 and "/admin/login/" in response["Location"]
