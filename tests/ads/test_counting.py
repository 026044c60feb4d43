"""
Counting honestly: every person's view and click counted once, through the counting image and
the signed redirect; bots, prefetches and staff not counted; no cookie; counts batched into
hourly rows whose totals are the report's figures.
"""

import pytest
from django.test import Client

from ads import counting, selectors, services, tokens
from ads.models import AdCount
from tests.staff import login_staff

from .conftest import BROWSER

pytestmark = pytest.mark.django_db


def _urls(client, placement, query=""):
    item = client.get(f"/api/v3/ads/?placement={placement}{query}").json()["items"][0]
    return item["image"]["url"].replace("http://testserver", ""), item["click_url"].replace("http://testserver", "")


def test_counts_from_many_views_equal_the_reports_figures(client, make_booking, make_creative):
    creative = make_creative(booking=make_booking("section-side", districts=["okubo"]))
    image_url, click_url = _urls(client, "section-side", "&district=okubo")
    visitor = Client(HTTP_USER_AGENT=BROWSER)
    etag = None
    for n in range(157):
        headers = {"HTTP_IF_NONE_MATCH": etag} if etag and n % 2 else {}
        response = visitor.get(image_url, **headers)
        assert response.status_code in (200, 304)
        etag = response["ETag"]
    for _ in range(9):
        response = visitor.get(click_url)
        assert response.status_code == 302 and response["Location"] == creative.destination_url
    services.flush_counts()
    figures = selectors.booking_figures(creative.booking)
    assert (figures["impressions"], figures["clicks"]) == (157, 9)
    assert figures["ctr"] == round(9 * 100 / 157, 2)
    assert [(row["district"], row["impressions"]) for row in figures["by_district"]] == [("okubo", 157)]
    assert AdCount.objects.filter(creative=creative).count() == 1  # one hourly row, not a row per view


def test_a_flush_moves_each_count_once(make_creative):
    creative = make_creative(placement="home-top")
    for _ in range(5):
        counting.bump(counting.IMPRESSION, creative.pk, creative.booking_id, "home-top", "")
    assert counting.flush() == (1, 5)
    assert counting.flush() == (0, 0)  # nothing twice
    counting.bump(counting.IMPRESSION, creative.pk, creative.booking_id, "home-top", "")
    counting.flush()
    assert AdCount.objects.get(creative=creative).impressions == 6


def test_a_failed_database_write_keeps_the_counts(monkeypatch, make_creative):
    creative = make_creative(placement="home-top")
    for _ in range(3):
        counting.bump(counting.IMPRESSION, creative.pk, creative.booking_id, "home-top", "")

    def broken(rows):
        raise RuntimeError("database down")

    monkeypatch.setattr(counting, "_write", broken)
    with pytest.raises(RuntimeError):
        counting.flush()
    monkeypatch.undo()
    counting.flush()
    assert AdCount.objects.get(creative=creative).impressions == 3


@pytest.mark.parametrize("headers", [
    {"HTTP_USER_AGENT": "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)"},
    {"HTTP_USER_AGENT": "Mozilla/5.0 (compatible; bingbot/2.0)"},
    {"HTTP_USER_AGENT": "curl/8.5.0"},
    {"HTTP_USER_AGENT": ""},
    {"HTTP_USER_AGENT": BROWSER, "HTTP_SEC_PURPOSE": "prefetch"},
    {"HTTP_USER_AGENT": BROWSER, "HTTP_PURPOSE": "prefetch"},
    {"HTTP_USER_AGENT": BROWSER, "HTTP_X_MOZ": "prefetch"},
])
def test_bots_and_prefetchers_are_not_counted(client, make_creative, headers):
    creative = make_creative(placement="home-top")
    image_url, click_url = _urls(client, "home-top")
    robot = Client(**headers)
    assert robot.get(image_url).status_code == 200
    assert robot.get(click_url).status_code == 302  # still answered, just not counted
    services.flush_counts()
    assert not AdCount.objects.filter(creative=creative).exists()


def test_logged_in_staff_are_not_counted(client, make_creative, editor):
    creative = make_creative(placement="home-top")
    image_url, click_url = _urls(client, "home-top")
    staff = Client(HTTP_USER_AGENT=BROWSER)
    login_staff(staff, editor)
    staff.get(image_url)
    staff.get(click_url)
    Client(HTTP_USER_AGENT=BROWSER).get(image_url)  # a visitor, for contrast
    services.flush_counts()
    assert AdCount.objects.get(creative=creative).impressions == 1
    assert AdCount.objects.get(creative=creative).clicks == 0


def test_no_ad_response_sets_a_cookie_or_stores_the_address(client, make_creative):
    make_creative(placement="home-top")
    visitor = Client(HTTP_USER_AGENT=BROWSER, REMOTE_ADDR="203.0.113.9")
    api = visitor.get("/api/v3/ads/?placement=home-top")
    image_url, click_url = _urls(visitor, "home-top")
    for response in (api, visitor.get(image_url), visitor.get(click_url)):
        assert not response.cookies, response.cookies
        assert "Set-Cookie" not in response
    services.flush_counts()
    stored = list(AdCount.objects.values_list("placement", "district", "impressions", "clicks"))
    assert "203.0.113.9" not in repr(stored)


def test_an_altered_or_forged_click_token_is_a_404_never_a_redirect(client, make_creative):
    make_creative(placement="home-top")
    _image_url, click_url = _urls(client, "home-top")
    token = click_url.rsplit("/", 1)[1]
    value, signature = token.split(":")
    altered = value.replace("home-top", "section-side") + ":" + signature
    forged = tokens.make("impression", 1, "home-top")  # signed, but for the wrong purpose
    for bad in (altered, token[:-2] + "xx", forged, "https:%2F%2Fevil.example", "1.home-top."):
        response = client.get(f"/ads/c/{bad}")
        assert response.status_code == 404
        assert "Location" not in response
    assert client.get(f"/ads/i/{token[:-1]}x").status_code == 404


def test_the_counting_image_is_the_creative_and_revalidated_on_each_view(client, make_creative):
    creative = make_creative(placement="article-bottom")
    image_url, _click = _urls(client, "article-bottom")
    response = Client(HTTP_USER_AGENT=BROWSER).get(image_url)
    assert response.status_code == 200 and response["Content-Type"] == "image/png"
    assert response["Cache-Control"] == "no-cache"
    creative.image.open("rb")
    assert response.content == creative.image.read()
    again = Client(HTTP_USER_AGENT=BROWSER).get(image_url, HTTP_IF_NONE_MATCH=response["ETag"])
    assert again.status_code == 304
