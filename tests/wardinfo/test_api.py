"""/api/v3/ward-notices/: filters, the ward's mark, clear errors."""

import pytest

pytestmark = pytest.mark.django_db
URL = "/api/v3/ward-notices/"


def _titles(response):
    assert response.status_code == 200, response.content
    return [item["title"] for item in response.json()["items"]]


def test_lists_published_notices_newest_first_with_the_official_url(client, notices):
    response = client.get(URL)
    body = response.json()
    assert body["count"] == 3
    assert [item["title"] for item in body["items"]] == [notices[k].title for k in ("drill", "course", "kuho")]
    first = body["items"][0]
    assert first["url"] == notices["drill"].url
    assert first["publisher"] == "新宿区" and first["type"] == "ward_notice"
    assert first["source"]["name"] == "新宿区 新着情報（テスト）"
    assert first["published_at"].startswith("2026-11-20T01:00:00")  # 10:00 in Japan
    assert [d["slug"] for d in first["districts"]] == ["okubo"]
    assert [t["title"] for t in first["themes"]] == ["防災"]


@pytest.mark.parametrize("query, expected", [
    ("district=okubo", ["drill"]),
    ("theme=kosodate", ["course"]),
    ("theme=bosai&district=okubo", ["drill"]),
    ("date_from=2026-11-10", ["drill", "course"]),
    ("date_to=2026-11-10", ["course", "kuho"]),
    ("date_from=2026-11-01&date_to=2026-11-01", ["kuho"]),  # 00:30 in Japan is still 1 November
])
def test_filters(client, notices, query, expected):
    assert _titles(client.get(f"{URL}?{query}")) == [notices[key].title for key in expected]


def test_filter_by_district_id(client, notices):
    assert _titles(client.get(f"{URL}?district={notices['okubo'].pk}")) == [notices["drill"].title]


def test_pagination(client, notices):
    body = client.get(f"{URL}?limit=2&offset=2").json()
    assert body["count"] == 3 and [i["title"] for i in body["items"]] == [notices["kuho"].title]


@pytest.mark.parametrize("query, status, code", [
    ("district=nowhere", 404, "not_found"),
    ("theme=999999", 404, "not_found"),
    ("date_from=yesterday", 422, "validation_error"),
    ("date_from=2026-12-01&date_to=2026-11-01", 422, "validation_error"),
    ("locale=xx", 404, "not_found"),
    ("limit=-1", 422, "validation_error"),
])
def test_bad_filters_are_clear_errors(client, notices, query, status, code):
    response = client.get(f"{URL}?{query}")
    assert response.status_code == status
    assert response["Content-Type"].startswith("application/problem+json")
    assert response.json()["code"] == code


def test_detail_and_missing(client, notices):
    response = client.get(f"{URL}{notices['course'].pk}/")
    assert response.status_code == 200 and response.json()["title"] == notices["course"].title
    assert client.get(f"{URL}{notices['ahead'].pk}/").status_code == 404  # not published yet
    assert client.get(f"{URL}999999/").json()["code"] == "not_found"


def test_write_methods_are_refused(client, notices):
    assert client.post(URL, {"title": "x"}).status_code == 405
    assert client.delete(f"{URL}{notices['course'].pk}/").status_code == 405
