"""
What a visitor may see: live, public pages in their own language, on the site and in the API
alike. Unpublished or private pages and pages of other languages never leak into listings.
"""

import pytest
from wagtail.models import PageViewRestriction

from pages.models import ArticlePage, DistrictPage, SpecialPage

from .translation_helpers import translate

pytestmark = pytest.mark.django_db


def _restrict(page):
    PageViewRestriction.objects.create(page=page, restriction_type=PageViewRestriction.PASSWORD, password="secret")


def test_a_private_page_gathered_by_a_special_is_not_shown(client):
    special = SpecialPage.objects.live().first()
    hidden = special.items.order_by("sort_order").first().page.specific
    _restrict(hidden)
    html = client.get(special.url).content.decode()
    assert hidden.url not in html
    api = client.get(f"/api/v3/pages/{special.pk}/").json()
    assert hidden.pk not in [item["id"] for item in api["items"]]
    assert len(api["items"]) == special.items.count() - 1


def test_a_private_article_is_left_out_of_district_listings_and_content_api(client, settings):
    settings.PORTAL_PAGE_SIZE = 100
    okubo = DistrictPage.objects.get(slug="okubo")
    article = ArticlePage.objects.live().filter(districts=okubo).first()
    _restrict(article)
    listed = [page.pk for page in client.get(okubo.url).context["items"].object_list]
    assert listed and article.pk not in listed
    content = client.get("/api/v3/content/", {"district": "okubo", "type": "article", "limit": 20}).json()
    assert article.pk not in [item["id"] for item in content["items"]]


def test_an_unpublished_district_disappears_from_article_pages_and_the_api(client):
    okubo = DistrictPage.objects.get(slug="okubo")
    article = ArticlePage.objects.live().filter(districts=okubo).first()
    okubo.unpublish()
    detail = client.get(f"/api/v3/pages/{article.pk}/").json()
    assert "okubo" not in [d["slug"] for d in detail["districts"]]
    items = client.get("/api/v3/content/", {"type": "article", "limit": 20}).json()["items"]
    assert all("okubo" not in [d["slug"] for d in item["districts"]] for item in items)
    assert okubo.url not in client.get(article.url).content.decode()
    missing = client.get("/api/v3/content/", {"district": "okubo"})
    assert (missing.status_code, missing.json()["code"]) == (404, "not_found")


def test_translations_stay_in_their_own_language(client, django_capture_on_commit_callbacks, settings):
    settings.PORTAL_PAGE_SIZE = 100
    okubo = DistrictPage.objects.get(slug="okubo")
    article = ArticlePage.objects.live().filter(districts=okubo).first()
    okubo_en = translate(okubo, "en", {"大久保": "Okubo"}, django_capture_on_commit_callbacks)
    article_en = translate(article, "en", {}, django_capture_on_commit_callbacks)

    # The Japanese district page does not list the English article, and vice versa.
    ja_items = {page.pk for page in client.get(okubo.url).context["items"].object_list}
    assert article.pk in ja_items and article_en.pk not in ja_items
    en_items = {page.pk for page in client.get(okubo_en.url).context["items"].object_list}
    assert en_items == {article_en.pk}

    # The English article's district is the English district, on the page and in the API.
    detail = client.get(f"/api/v3/pages/{article_en.pk}/").json()
    assert {"id": okubo_en.pk, "title": "Okubo", "slug": okubo_en.slug} in detail["districts"]
    assert okubo.pk not in [d["id"] for d in detail["districts"]]
    listed = client.get("/api/v3/content/", {"locale": "en", "district": okubo_en.slug}).json()
    assert [item["id"] for item in listed["items"]] == [article_en.pk]
    japanese = client.get("/api/v3/content/", {"district": "okubo", "type": "article", "limit": 20}).json()
    assert article_en.pk not in [item["id"] for item in japanese["items"]]


def test_the_merged_listing_is_newest_first_across_types(client):
    items = client.get("/api/v3/content/", {"limit": 20}).json()["items"]
    assert {item["type"] for item in items} >= {"article", "shop"}
    from wagtail.models import Page

    published = dict(Page.objects.filter(pk__in=[i["id"] for i in items]).values_list("pk", "first_published_at"))
    order = [published[item["id"]] for item in items]
    assert order == sorted(order, reverse=True)


def test_a_theme_can_be_named_by_id(client):
    from pages.models import ThemePage

    theme = ThemePage.objects.get(slug="bohan")
    by_id = client.get("/api/v3/content/", {"theme": theme.pk, "limit": 20}).json()
    by_slug = client.get("/api/v3/content/", {"theme": "bohan", "limit": 20}).json()
    assert by_id == by_slug and by_id["count"] > 0
    odd = client.get("/api/v3/content/", {"theme": "²"})
    assert odd.status_code == 404
