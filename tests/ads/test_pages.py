"""The server-rendered site: each placement's slot on its pages, labelled, and the CSP still allows no third party."""

import re

import pytest

from pages.terms import district_model, theme_model

pytestmark = pytest.mark.django_db


def test_the_home_page_shows_a_labelled_ad_with_its_alt_text(client, make_creative):
    creative = make_creative(placement="home-top", alt="しんじゅくベーカリーの冬の新作パン")
    response = client.get("/")
    html = response.content.decode()
    assert 'aria-label="広告"' in html and 'class="ad-slot__label" aria-hidden="true">広告</p>' in html
    assert f'alt="{creative.alt}"' in html and 'rel="sponsored noopener"' in html
    policy = response["Content-Security-Policy"]
    assert "default-src 'self'" in policy and "img-src 'self' data:" in policy
    assert not re.search(r"https?://", policy)  # no third-party source allowed


def test_district_theme_article_and_search_pages_have_their_slots(client, make_booking, make_creative):
    okubo = make_creative(booking=make_booking("section-side", districts=["okubo"]), alt="大久保の商店会の広告")
    kosodate = make_creative(booking=make_booking("section-side", themes=["kosodate"]), alt="子育ての広告")
    article = make_creative(placement="article-bottom", alt="記事の下の広告")
    search = make_creative(placement="search-results", alt="検索結果の広告")
    okubo_page = district_model().objects.get(slug="okubo", locale__language_code="ja")
    yotsuya_page = district_model().objects.get(slug="yotsuya", locale__language_code="ja")
    kosodate_page = theme_model().objects.get(slug="kosodate", locale__language_code="ja")
    assert okubo.alt in client.get(okubo_page.url).content.decode()
    assert okubo.alt not in client.get(yotsuya_page.url).content.decode()
    assert kosodate.alt in client.get(kosodate_page.url).content.decode()
    from pages.models import ArticlePage

    article_page = ArticlePage.objects.live().filter(locale=okubo_page.locale).first()
    assert article.alt in client.get(article_page.url).content.decode()
    assert search.alt in client.get("/search/", {"q": "大久保"}).content.decode()


def test_a_page_with_ads_sets_no_cookie_for_them(client, make_creative):
    make_creative(placement="home-top")
    response = client.get("/")
    assert not response.cookies
