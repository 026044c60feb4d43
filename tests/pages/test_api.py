"""The headless API as a front end uses it: /api/v3/pages/, /api/v3/content/, errors, OpenAPI."""

import pytest
from django.utils import timezone

from pages.models import ArticlePage, DistrictPage, EventPage, SpecialPage

pytestmark = pytest.mark.django_db

WARD_DISTRICTS = ["四谷", "箪笥町", "榎町", "若松町", "大久保", "戸塚", "落合第一", "落合第二", "柏木", "角筈"]


def test_the_districts_are_listed_by_type(client):
    response = client.get("/api/v3/pages/", {"type": "pages.DistrictPage", "limit": 20})
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 10
    assert [item["title"] for item in body["items"]] == WARD_DISTRICTS


def test_an_article_has_its_fields_with_terms_images_and_structured_body(client):
    article = ArticlePage.objects.live().exclude(hero_image=None).first()
    data = client.get(f"/api/v3/pages/{article.pk}/").json()
    assert data["interviewee"] == article.interviewee
    assert data["date"] == article.date.isoformat()
    through = ArticlePage.districts.through.objects.filter(articlepage=article).values_list("districtpage", flat=True)
    expected = DistrictPage.objects.filter(pk__in=list(through))
    assert sorted(d["id"] for d in data["districts"]) == sorted(expected.values_list("pk", flat=True))
    assert {d["slug"] for d in data["districts"]} == set(expected.values_list("slug", flat=True))
    assert {t["slug"] for t in data["themes"]} == set(article.themes.values_list("slug", flat=True))
    hero = data["hero_image"]
    assert hero["alt"], "every image comes with alt text"
    assert set(hero["renditions"]) == {"thumbnail", "medium", "large"}
    assert hero["renditions"]["thumbnail"]["width"] == 400
    assert hero["renditions"]["thumbnail"]["url"].endswith(".webp")
    types = [block["type"] for block in data["body"]]
    assert "qa" in types and "image" in types
    qa = next(block for block in data["body"] if block["type"] == "qa")
    assert set(qa["value"]) >= {"question", "answer", "speaker"}
    image_block = next(block for block in data["body"] if block["type"] == "image")
    assert image_block["value"]["alt_text"]
    assert image_block["value"]["image"]["renditions"]["medium"]["url"]


def test_an_event_has_its_district_as_a_term(client):
    event = EventPage.objects.live().exclude(district=None).first()
    data = client.get(f"/api/v3/pages/{event.pk}/").json()
    assert data["district"] == {"id": event.district.pk, "title": event.district.title, "slug": event.district.slug}
    assert data["organiser"] == event.organiser
    assert data["fee"] == event.fee


def test_a_special_lists_the_pages_it_gathers_in_order(client):
    special = SpecialPage.objects.live().first()
    data = client.get(f"/api/v3/pages/{special.pk}/").json()
    in_editor_order = list(special.items.order_by("sort_order").values_list("page_id", flat=True))
    assert len(in_editor_order) >= 2
    assert [item["id"] for item in data["items"]] == in_editor_order
    assert all(item["url"] for item in data["items"])


def test_content_listing_filters_by_district_slug_or_id(client):
    okubo = DistrictPage.objects.get(slug="okubo")
    by_slug = client.get("/api/v3/content/", {"district": "okubo", "limit": 20}).json()
    by_id = client.get("/api/v3/content/", {"district": okubo.pk, "limit": 20}).json()
    assert by_slug == by_id
    expected = (
        ArticlePage.objects.live().filter(districts=okubo).count()
        + EventPage.objects.live().filter(district=okubo).count()
        + okubo.shops.live().count()
    )
    assert by_slug["count"] == expected > 0
    assert all("okubo" in [d["slug"] for d in item["districts"]] for item in by_slug["items"])


def test_content_listing_filters_by_theme_and_type_newest_first(client):
    data = client.get("/api/v3/content/", {"theme": "kosodate", "type": "article", "limit": 20}).json()
    assert data["count"] == ArticlePage.objects.live().filter(themes__slug="kosodate").count()
    assert all(item["type"] == "article" for item in data["items"])
    assert all("kosodate" in [t["slug"] for t in item["themes"]] for item in data["items"])
    ids = [item["id"] for item in data["items"]]
    published = dict(ArticlePage.objects.filter(pk__in=ids).values_list("pk", "first_published_at"))
    order = [published[i] for i in ids]
    assert order == sorted(order, reverse=True)


def test_content_listing_filters_events_by_date_range(client):
    today = timezone.localdate()
    until = today + timezone.timedelta(days=30)
    data = client.get("/api/v3/content/", {"type": "event", "date_from": today, "date_to": until, "limit": 20}).json()
    expected = EventPage.objects.live().filter(end__date__gte=today, start__date__lte=until).count()
    assert data["count"] == expected
    starts = [item["start"] for item in data["items"]]
    assert starts == sorted(starts), "events come in date order"


@pytest.mark.parametrize(
    ("params", "status", "code"),
    [
        ({"district": "nowhere"}, 404, "not_found"),
        ({"theme": "99999999"}, 404, "not_found"),
        ({"date_from": "2026-13-45"}, 422, "validation_error"),
        ({"type": "poem"}, 422, "validation_error"),
        ({"limit": 1000}, 400, "bad_request"),
        ({"locale": "xx"}, 404, "not_found"),
    ],
)
def test_bad_queries_get_one_error_shape_with_a_stable_code(client, params, status, code):
    response = client.get("/api/v3/content/", params)
    assert response.status_code == status
    assert response["Content-Type"] == "application/problem+json"
    body = response.json()
    assert body["status"] == status and body["code"] == code and body["detail"]


def test_wagtails_own_endpoints_and_unknown_paths_use_the_same_error_shape(client):
    missing = client.get("/api/v3/pages/99999999/")
    assert (missing.status_code, missing.json()["code"]) == (404, "not_found")
    unknown = client.get("/api/v3/no-such-thing/")
    assert (unknown.status_code, unknown.json()["code"]) == (404, "not_found")
    bad_type = client.get("/api/v3/pages/", {"type": "pages.Nope"})
    assert (bad_type.status_code, bad_type.json()["code"]) == (422, "validation_error")


def test_drafts_are_not_visible_to_anonymous_clients(client):
    listing = client.get("/api/v3/content/", {"limit": 20, "type": "article"}).json()
    newest = ArticlePage.objects.get(pk=listing["items"][0]["id"])
    newest.unpublish()
    assert client.get(f"/api/v3/pages/{newest.pk}/").status_code == 404
    after = client.get("/api/v3/content/", {"limit": 20, "type": "article"}).json()
    assert after["count"] == listing["count"] - 1
    assert newest.pk not in [item["id"] for item in after["items"]]


def test_one_openapi_document_describes_wagtails_and_our_endpoints(client):
    response = client.get("/api/v3/openapi.json")
    assert response.status_code == 200
    document = response.json()
    assert document["openapi"].startswith("3.1")
    paths = document["paths"]
    for path in ("/api/v3/pages/", "/api/v3/pages/{page_id}/", "/api/v3/content/", "/api/v3/preview/",
                 "/api/v3/locales/"):
        assert path in paths, path
    content_params = {p["name"] for p in paths["/api/v3/content/"]["get"]["parameters"]}
    assert {"type", "district", "theme", "date_from", "date_to"} <= content_params
