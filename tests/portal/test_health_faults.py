"""
/readyz names exactly the part that fails (503), with short timeouts; and a cache that fails is
bypassed (portal.cache): pages still render while /readyz says "cache".

The Redis here is one that is not there: a closed port on loopback (connection refused), real
sockets and no mock. The integration suite stops a real Redis mid-test (tests/integration/test_readyz.py).
"""

import logging
import socket
import time

import pytest
from django.core.cache import cache, caches
from django.db import connection

from portal import cache as portal_cache
from portal import health

pytestmark = pytest.mark.django_db


def _closed_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]  # closed again when the socket is: nobody listens there


@pytest.fixture
def redis_absent(settings):
    """REDIS_URL set, Redis not running: the production cache configuration with its server gone."""
    location = f"redis://127.0.0.1:{_closed_port()}/0"
    settings.CACHES = {**settings.CACHES, "default": {"BACKEND": "portal.cache.ResilientRedisCache",
                                                      "LOCATION": location, "OPTIONS": {"CACHE_TIMEOUT": 0.5}}}
    portal_cache._OUTAGES.clear()
    yield caches["default"]
    portal_cache._OUTAGES.clear()


def test_every_operation_of_an_unreachable_cache_is_a_miss(redis_absent, caplog):
    with caplog.at_level(logging.WARNING, logger="portal.cache"):
        started = time.monotonic()
        assert redis_absent.get("page:1", "fallback") == "fallback"
        redis_absent.set("page:1", "html", 30)
        assert redis_absent.add("lock", 1, 30) is False
        assert redis_absent.get_many(["a", "b"]) == {}
        assert redis_absent.get_or_set("computed", lambda: 42, 30) == 42
        assert redis_absent.has_key("page:1") is False
        with pytest.raises(ValueError):
            redis_absent.incr("counter")
        redis_absent.delete("page:1")
        redis_absent.set_many({"a": 1})
        elapsed = time.monotonic() - started
    assert elapsed < 1.5, f"an absent cache must cost little, took {elapsed:.2f}s"
    warnings = [r for r in caplog.records if r.name == "portal.cache"]
    assert len(warnings) == 1 and "unavailable" in warnings[0].getMessage(), "logged once, not per operation"


def test_a_hanging_redis_costs_one_short_timeout_then_nothing(settings):
    """A server that accepts connections and never answers (a listening socket nobody serves)."""
    with socket.socket() as silent:
        silent.bind(("127.0.0.1", 0))
        silent.listen(16)
        settings.CACHES = {**settings.CACHES, "default": {
            "BACKEND": "portal.cache.ResilientRedisCache", "LOCATION": f"redis://127.0.0.1:{silent.getsockname()[1]}/0",
            "OPTIONS": {"CACHE_TIMEOUT": 0.3}}}
        portal_cache._OUTAGES.clear()
        hanging = caches["default"]
        started = time.monotonic()
        assert hanging.get("page:1") is None
        first = time.monotonic() - started
        for n in range(50):  # a page's worth of cache reads while the outage is known
            hanging.get(f"fragment:{n}")
        rest = time.monotonic() - started - first
    portal_cache._OUTAGES.clear()
    assert first < 1.5, f"the first read waited {first:.2f}s"
    assert rest < 0.2, f"50 more reads took {rest:.2f}s: the outage must be remembered"


def test_pages_search_and_the_pages_api_answer_without_the_cache(client, redis_absent):
    from pages.models import DistrictPage

    district = DistrictPage.objects.live().first()
    for url in ("/", district.url, "/search/?q=%E5%9B%B3%E6%9B%B8%E9%A4%A8", "/api/v3/pages/?limit=5",
                "/api/v3/pages/?search=%E6%96%B0%E5%AE%BF", "/board/"):
        response = client.get(url, follow=True)
        assert response.status_code == 200, f"{url}: {response.status_code}"


def test_readyz_names_the_cache_when_redis_is_absent(client, redis_absent):
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json()["failing"] == ["cache"]
    assert response.json()["checks"]["database"] == "ok" and response.json()["checks"]["search"] == "ok"


def test_readyz_is_200_with_everything_up(client):
    response = client.get("/readyz")
    assert response.status_code == 200, response.json()
    assert response.json()["failing"] == [] and set(response.json()["checks"].values()) == {"ok"}


@pytest.mark.parametrize("part", ["database", "cache", "search"])
def test_readyz_names_each_failing_part(client, monkeypatch, part):
    def broken(*args, **kwargs):
        raise ConnectionError(f"{part} unreachable")

    if part == "database":
        monkeypatch.setattr(connection, "cursor", broken)
    elif part == "cache":
        monkeypatch.setattr(cache, "set", broken)
    else:
        monkeypatch.setattr(health, "get_search_backend", broken)
    response = client.get("/readyz")
    assert response.status_code == 503
    assert part in response.json()["failing"] and response.json()["checks"][part] == "error"
    assert {name for name, state in response.json()["checks"].items() if state == "ok"} >= (
        {"database", "cache", "search"} - {part} - ({"search"} if part == "database" else set()))


class _Cluster:
    def __init__(self, status="green", options=None):
        self.status, self.calls, self.options = status, [], options

    def health(self, **kwargs):
        self.calls.append({**kwargs, **(self.options or {})})
        return {"status": self.status}


class _OpenSearchClient:
    def __init__(self, status="green"):
        self.cluster = _Cluster(status)


class _ElasticsearchClient:
    def __init__(self):
        self.cluster = _Cluster()

    def options(self, **options):
        self.cluster.options = options
        return self


def test_the_search_check_passes_the_clusters_wait_and_the_clients_timeout_apart():
    opensearch, elasticsearch = _OpenSearchClient(), _ElasticsearchClient()
    health.search_cluster_health(opensearch)
    health.search_cluster_health(elasticsearch)
    expected = {"timeout": health.SEARCH_WAIT, "request_timeout": health.SEARCH_REQUEST_TIMEOUT}
    assert opensearch.cluster.calls == [expected] and elasticsearch.cluster.calls == [expected]


def test_a_red_cluster_is_not_ready(client, monkeypatch):
    class Backend:
        es = _OpenSearchClient(status="red")

    monkeypatch.setattr(health, "get_search_backend", Backend)
    response = client.get("/readyz")
    assert response.status_code == 503 and response.json()["failing"] == ["search"]


@pytest.fixture
def database_away(monkeypatch):
    """Every query of the request fails as with a database that is restarting."""
    from django.db import OperationalError
    from django.db.backends import utils

    def refused(*args, **kwargs):
        raise OperationalError("connection to server at 127.0.0.1, port 5432 failed: Connection refused")

    def during(client, url):
        client.raise_request_exception = False
        with monkeypatch.context() as patch:
            patch.setattr(utils.CursorWrapper, "execute", refused)
            patch.setattr(utils.CursorWrapper, "executemany", refused)
            return client.get(url)

    return during


def test_the_web_answers_503_in_japanese_with_retry_after_while_the_database_is_away(client, database_away):
    from pages.models import DistrictPage

    url = DistrictPage.objects.live().first().url
    response = database_away(client, url)
    assert response.status_code == 503 and response["Retry-After"] == "30"
    page = response.content.decode()
    assert "ただいまご利用いただけません" in page and "データベースに接続できない" in page and 'lang="ja"' in page


def test_the_api_answers_a_503_problem_while_the_database_is_away(client, database_away):
    response = database_away(client, "/api/v3/pages/?limit=5")
    assert response.status_code == 503 and response["Retry-After"] == "30"
    assert response.json()["code"] == "database_unavailable" and "データベース" in response.json()["detail"]


def test_other_server_errors_stay_500(client, monkeypatch):
    from wagtail.models import Site

    def broken(*args, **kwargs):
        raise RuntimeError("a bug")

    client.raise_request_exception = False
    monkeypatch.setattr(Site, "find_for_request", broken)
    response = client.get("/")
    assert response.status_code == 500 and "Retry-After" not in response
