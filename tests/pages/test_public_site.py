"""The server-rendered site as a resident reads it."""

import re

import pytest

from pages.models import ArticlePage, DistrictPage, EventPage, ShopPage, ThemePage

pytestmark = pytest.mark.django_db


def _h1s(html):
    return re.findall(r"<h1[ >]", html)


@pytest.mark.parametrize("model", [DistrictPage, ThemePage, ArticlePage, ShopPage, EventPage])
def test_every_page_type_renders_in_japanese_with_one_h1(client, model):
    page = model.objects.live().first()
    response = client.get(page.url)
    html = response.content.decode()
    assert response.status_code == 200
    assert '<html lang="ja"' in html
    assert len(_h1s(html)) == 1
    assert page.title in html
    assert "Content-Security-Policy" in response and "script-src 'self'" in response["Content-Security-Policy"]


def test_a_district_page_lists_its_tagged_pages_newest_first_in_pages(client, settings):
    settings.PORTAL_PAGE_SIZE = 3
    district = DistrictPage.objects.get(slug="okubo")
    tagged = list(district.tagged_pages())
    assert len(tagged) > 3
    assert [p.first_published_at for p in tagged] == sorted((p.first_published_at for p in tagged), reverse=True)
    first = client.get(district.url).context["items"]
    assert [p.pk for p in first.object_list] == [p.pk for p in tagged[:3]]
    second = client.get(district.url, {"page": 2}).context["items"]
    assert [p.pk for p in second.object_list] == [p.pk for p in tagged[3:6]]
    beyond = client.get(district.url, {"page": 999}).context["items"]
    assert beyond.number == beyond.paginator.num_pages
    assert client.get(district.url, {"page": "abc"}).context["items"].number == 1


def test_a_theme_page_lists_exactly_what_is_tagged_with_the_theme(client, settings):
    settings.PORTAL_PAGE_SIZE = 100
    theme = ThemePage.objects.get(slug="kosodate")
    items = client.get(theme.url).context["items"]
    expected = (
        set(ArticlePage.objects.live().filter(themes=theme).values_list("pk", flat=True))
        | set(ShopPage.objects.live().filter(themes=theme).values_list("pk", flat=True))
        | set(EventPage.objects.live().filter(themes=theme).values_list("pk", flat=True))
    )
    assert expected
    assert {item.pk for item in items.object_list} == expected


def test_the_shop_list_filters_by_category_and_ignores_unknown_ones(client):
    index = ShopPage.objects.live().first().get_parent()
    clinics = client.get(index.url, {"category": "clinic"}).context
    assert clinics["category"] == "clinic"
    assert all(shop.category == "clinic" for shop in clinics["items"].object_list)
    bogus = client.get(index.url, {"category": "<script>"}).context
    assert bogus["category"] == "" and bogus["items"].paginator.count == ShopPage.objects.live().count()


def test_the_event_list_shows_upcoming_events_and_past_ones_on_request(client):
    index = EventPage.objects.live().first().get_parent()
    upcoming = client.get(index.url).context["items"].object_list
    past = client.get(index.url, {"past": "1"}).context["items"].object_list
    assert upcoming and all(not event.is_past for event in upcoming)
    assert past and all(event.is_past for event in past)


def test_site_search_finds_a_district_and_handles_empty_and_missing(client):
    found = client.get("/search/", {"q": "大久保"})
    assert found.status_code == 200
    okubo = str(DistrictPage.objects.get(slug="okubo").pk)
    assert ("district", okubo) in [(r.type, r.id) for r in found.context["outcome"].results]
    empty = client.get("/search/", {"q": "   "})
    assert empty.context["outcome"] is None
    nothing = client.get("/search/", {"q": "存在しない言葉ぴよぴよ"})
    assert nothing.context["outcome"].count == 0
    assert "見つかりませんでした" in nothing.content.decode()


@pytest.mark.parametrize("query", ['"大久保', "大久保*", "(防犯", "NEAR(", "a:b", "\\"])
def test_search_syntax_in_a_query_is_just_text(client, query):
    response = client.get("/search/", {"q": query})
    assert response.status_code == 200


def test_an_embed_is_a_link_not_a_frame(client):
    from wagtail.embeds.embeds import get_embed_hash
    from wagtail.embeds.models import Embed

    # The oEmbed answer as Wagtail caches it (no network here): a YouTube iframe.
    Embed.objects.create(url="https://www.youtube.com/watch?v=demo", max_width=None, type="video",
                         hash=get_embed_hash("https://www.youtube.com/watch?v=demo", None, None),
                         html='<iframe src="https://www.youtube.com/embed/demo"></iframe>', title="町会の紹介動画",
                         provider_name="YouTube", thumbnail_url="", width=640, height=360)
    article = ArticlePage.objects.live().first()
    article.body.append(("embed", "https://www.youtube.com/watch?v=demo"))
    article.save_revision().publish()
    html = client.get(article.url).content.decode()
    assert '<a href="https://www.youtube.com/watch?v=demo"' in html and "町会の紹介動画" in html
    assert "<iframe" not in html


def test_a_missing_page_is_a_japanese_404(client):
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    assert "ページが見つかりません" in response.content.decode()


def test_the_public_site_loads_nothing_from_other_origins(client):
    html = client.get(DistrictPage.objects.get(slug="okubo").url).content.decode()
    loaded = re.findall(r'<(?:script|img|iframe|source)[^>]+src="(https?://[^"]+)"', html)
    loaded += [href for rel, href in re.findall(r'<link rel="([^"]+)" href="(https?://[^"]+)"', html)
               if rel not in ("canonical", "alternate")]
    assert loaded == []
    assert "https://www.city.shinjuku.lg.jp/" in html, "links to the ward's site are plain links"
