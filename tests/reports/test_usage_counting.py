"""
Page-view counting (reports.counting): what is counted and what is not, the referrer's domain, the
device class, the daily visitor estimate, and that nothing about the visitor is kept.
"""

import json
from datetime import timedelta
from unittest import mock

import pytest
from django.core import serializers
from django.http import HttpResponse
from django.test import RequestFactory
from django.utils import timezone

from reports import counting
from reports.models import PageViewDay, VisitorDay
from tests.staff import login_staff

pytestmark = pytest.mark.django_db

BROWSER = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0 Safari/537.36"
IPHONE = "Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148"
CRAWLER = "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)"


@pytest.fixture(autouse=True)
def fresh_counters():
    counting.cache.clear()
    counting._salt_of_day = (None, b"")
    yield
    counting.cache.clear()


def views(path="/"):
    counting.flush()
    return sum(PageViewDay.objects.filter(path=path).values_list("views", flat=True))


def visitors():
    return sum(VisitorDay.objects.values_list("visitors", flat=True))


def test_a_browser_view_of_the_home_page_is_counted_once_per_request(client):
    for _ in range(3):
        assert client.get("/", HTTP_USER_AGENT=BROWSER).status_code == 200
    assert views("/") == 3
    row = PageViewDay.objects.get(path="/")
    assert row.day == timezone.localdate()
    assert row.page_id > 0  # the Wagtail page served
    assert (row.language, row.device, row.referrer_domain) == ("ja", "desktop", "")
    assert visitors() == 1  # the same address and browser: one visitor


def test_robots_and_browsers_without_a_name_are_not_counted(client):
    for agent in (CRAWLER, "", "curl/8.5.0", "Mozilla/5.0 HeadlessChrome/131.0", "python-requests/2.32"):
        assert client.get("/", HTTP_USER_AGENT=agent).status_code == 200
    assert views("/") == 0
    assert visitors() == 0


def test_logged_in_staff_are_not_counted_residents_are(client, administrator, django_user_model):
    login_staff(client, administrator)
    assert client.get("/", HTTP_USER_AGENT=BROWSER).status_code == 200
    assert views("/") == 0
    resident = django_user_model.objects.create_user(email="jumin@example.jp", password="x" * 12, nickname="住民")
    client.logout()
    client.force_login(resident)
    assert client.get("/", HTTP_USER_AGENT=BROWSER).status_code == 200
    assert views("/") == 1


def test_errors_redirects_posts_and_non_public_paths_are_not_counted(client):
    assert client.get("/no-such-page/", HTTP_USER_AGENT=BROWSER).status_code == 404
    assert client.get("/admin/login/", HTTP_USER_AGENT=BROWSER).status_code == 200
    assert client.get("/admin/", HTTP_USER_AGENT=BROWSER).status_code == 302
    assert client.get("/healthz", HTTP_USER_AGENT=BROWSER).status_code == 200
    client.post("/", HTTP_USER_AGENT=BROWSER)
    client.head("/", HTTP_USER_AGENT=BROWSER)
    counting.flush()
    assert not PageViewDay.objects.exists()


def test_a_page_served_without_wagtail_for_example_from_a_cache_is_counted_as_its_page(client):
    """The middleware counts whatever answered below it: a cached page answers without Wagtail's routing."""
    for path in ("/", "/en/"):
        assert client.get(path, HTTP_USER_AGENT=BROWSER).status_code == 200
    counting.flush()
    served = dict(PageViewDay.objects.values_list("path", "page_id"))
    assert served["/"] > 0 and served["/en/"] > 0
    counting._paths_seen.clear()
    middleware = counting.PageViewMiddleware(lambda request: HttpResponse("<p>cached</p>", content_type="text/html"))
    for path in ("/", "/en/", "/no/such/page/"):
        middleware(RequestFactory().get(path, HTTP_USER_AGENT=IPHONE, REMOTE_ADDR="192.0.2.10"))
    counting.flush()
    found = dict(PageViewDay.objects.filter(device="mobile").values_list("path", "page_id"))
    assert found == {"/": served["/"], "/en/": served["/en/"], "/no/such/page/": 0}  # found from the path at flush
    assert PageViewDay.objects.get(path="/en/", device="mobile").language == "en"  # from the path, too
    assert views("/") == 2


def test_the_referrer_is_kept_as_its_domain_only_and_only_for_other_sites(client):
    client.get("/", HTTP_USER_AGENT=BROWSER, HTTP_REFERER="https://www.Google.co.jp/search?q=%E6%96%B0%E5%AE%BF")
    client.get("/", HTTP_USER_AGENT=BROWSER, HTTP_REFERER="http://testserver/events/")
    client.get("/", HTTP_USER_AGENT=BROWSER, HTTP_REFERER="not a url")
    counting.flush()
    assert dict(PageViewDay.objects.values_list("referrer_domain", "views")) == {"www.google.co.jp": 1, "": 2}


@pytest.mark.parametrize(("agent", "device"), [
    (BROWSER, "desktop"),
    (IPHONE, "mobile"),
    ("Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 Chrome/131.0 Mobile Safari/537.36", "mobile"),
    ("Mozilla/5.0 (Linux; Android 13; SM-X200) AppleWebKit/537.36 Chrome/131.0 Safari/537.36", "tablet"),
    ("Mozilla/5.0 (iPad; CPU OS 17_0 like Mac OS X) AppleWebKit/605.1.15 Mobile/15E148", "tablet"),
    ("Mozilla/5.0 (Macintosh; Intel Mac OS X 14_0) AppleWebKit/605.1.15 Version/17.0 Safari/605.1.15", "desktop"),
])
def test_device_class_from_the_browser_string(agent, device):
    assert counting.device_class(agent) == device


def test_unique_visitors_are_estimated_by_address_and_browser(client):
    client.get("/", HTTP_USER_AGENT=BROWSER, REMOTE_ADDR="198.51.100.1")
    client.get("/", HTTP_USER_AGENT=BROWSER, REMOTE_ADDR="198.51.100.1")
    client.get("/", HTTP_USER_AGENT=IPHONE, REMOTE_ADDR="198.51.100.1")
    client.get("/", HTTP_USER_AGENT=BROWSER, REMOTE_ADDR="198.51.100.2")
    assert views("/") == 4
    assert visitors() == 3


def test_the_daily_salt_is_random_and_a_new_one_makes_yesterdays_hashes_unmatchable():
    today = timezone.localdate()
    first = counting.salt(today)
    assert len(first) == 32 and counting.salt(today) == first
    counting.cache.clear()  # midnight: the day's salt is gone with its cache entry (and a new process has none)
    counting._salt_of_day = (None, b"")
    assert counting.salt(today) != first
    assert counting.salt(today + timedelta(days=1)) != counting.salt(today)


def test_counting_sets_no_cookie(client):
    response = client.get("/", HTTP_USER_AGENT=BROWSER)
    assert response.status_code == 200
    assert not response.cookies
    assert "Set-Cookie" not in response


def test_no_address_browser_string_or_hash_is_stored(client):
    agent = BROWSER + " UniqueMarker/4711"
    client.get("/", HTTP_USER_AGENT=agent, REMOTE_ADDR="203.0.113.77",
               HTTP_REFERER="https://example.org/a/b?c=secret-query")
    counting.flush()
    stored = serializers.serialize("json", [*PageViewDay.objects.all(), *VisitorDay.objects.all()])
    for secret in ("203.0.113.77", "UniqueMarker", "secret-query", "/a/b"):
        assert secret not in stored
    assert json.loads(stored)  # there is something stored: only the totals
    assert PageViewDay.objects.get().referrer_domain == "example.org"


def test_flush_is_idempotent_and_keeps_counts_when_the_database_write_fails(client):
    client.get("/", HTTP_USER_AGENT=BROWSER)
    client.get("/", HTTP_USER_AGENT=BROWSER)
    with mock.patch.object(counting, "_write", side_effect=RuntimeError("database away")), \
            pytest.raises(RuntimeError):
        counting.flush()
    assert not PageViewDay.objects.exists()
    assert counting.flush() == (1, 2)
    assert counting.flush() == (0, 0)
    assert views("/") == 2 and visitors() == 1


def test_a_failing_count_never_costs_the_visitor_their_page(client):
    with mock.patch.object(counting, "bump", side_effect=RuntimeError("cache away")):
        assert client.get("/", HTTP_USER_AGENT=BROWSER).status_code == 200


def test_other_languages_are_counted_with_their_language(client):
    assert client.get("/en/", HTTP_USER_AGENT=BROWSER).status_code == 200
    counting.flush()
    assert PageViewDay.objects.get(path="/en/").language == "en"
