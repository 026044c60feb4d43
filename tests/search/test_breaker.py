"""
The circuit breaker, the short timeouts and Wagtail's backend when the engine is away (unit tests:
a port nothing listens on stands in for a stopped engine; tests/integration/test_search_faults.py
stops, hangs and empties a real one).
"""

import socket
import time

import pytest
from django.http import HttpResponse
from opensearchpy import OpenSearch
from opensearchpy.exceptions import ConnectionError as EngineConnectionError

from pages.models import ArticlePage
from search import breaker as breaker_module
from search import wagtail_backend
from search.breaker import BREAKER, CircuitBreaker, is_maintenance, transport_class
from search.engine import Engine, EngineUnavailable, IndexMissing, reset_engine
from search.fallback import HEADER, note, say_fallback
from search.models import PendingIndexChange
from tests.staff import login_staff


class Clock:
    def __init__(self):
        self.now = 1000.0

    def __call__(self):
        return self.now


def _closed_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(autouse=True)
def fresh_breaker():
    BREAKER.reset()
    wagtail_backend.forget_aliases()
    reset_engine()
    yield
    BREAKER.reset()
    BREAKER.configure(3, 30, 15)
    breaker_module.WRITE_TIMEOUT.update(connect=0.2, read=30.0)
    breaker_module.READ_TIMEOUT.update(connect=0.2, read=0.4)
    wagtail_backend.forget_aliases()
    reset_engine()


def test_the_breaker_opens_after_failures_in_the_window_then_lets_one_probe_through():
    clock = Clock()
    breaker = CircuitBreaker(failures=3, window=30, cooldown=15, clock=clock)
    breaker.failure()
    clock.now += 31  # outside the window: forgotten
    breaker.failure()
    breaker.failure()
    assert breaker.state == "closed" and breaker.allows()
    breaker.failure()
    assert breaker.state == "open" and not breaker.allows()
    clock.now += 15
    assert breaker.allows()  # the probe
    assert not breaker.allows()  # only one at a time
    breaker.success()
    assert breaker.state == "closed" and breaker.allows()


def test_a_failed_probe_opens_the_breaker_for_another_cool_down():
    clock = Clock()
    breaker = CircuitBreaker(failures=1, window=30, cooldown=10, clock=clock)
    breaker.failure()
    clock.now += 10
    assert breaker.allows()
    breaker.failure()
    assert breaker.is_open() and not breaker.allows()
    clock.now += 10
    assert breaker.allows()


def test_once_open_the_client_does_not_even_connect():
    client = OpenSearch(hosts=[f"http://127.0.0.1:{_closed_port()}"], transport_class=transport_class("opensearch"),
                        max_retries=0, timeout=0.4)
    for _ in range(3):
        with pytest.raises(EngineConnectionError):
            client.info()
    assert BREAKER.is_open()
    started = time.perf_counter()
    with pytest.raises(EngineConnectionError, match="circuit open"):
        client.info()
    assert time.perf_counter() - started < 0.05


@pytest.mark.parametrize(("method", "path", "long"), [
    ("POST", "/portal_documents/_search", False), ("GET", "/_cluster/health", False), ("HEAD", "/_alias/x", False),
    ("PUT", "/portal_wagtailcore_page/_doc/12", False), ("DELETE", "/portal_wagtailcore_page/_doc/12", False),
    ("POST", "/_bulk", True), ("PUT", "/portal_documents_2026", True), ("POST", "/_aliases", True),
    ("PUT", "/portal_x/_mapping", True), ("POST", "/portal_x/_refresh", True), ("DELETE", "/portal_x", True),
])
def test_index_changes_get_the_write_timeout_and_searches_the_short_one(method, path, long):
    assert is_maintenance(method, path) is long


def test_failed_bulk_items_are_not_ignored():
    engine = Engine(client=None, alias="portal_documents", flavour="opensearch")
    engine._check_bulk([{"delete": {"_id": "a:1", "status": 404, "result": "not_found"}}])  # already gone: fine
    with pytest.raises(IndexMissing):
        engine._check_bulk([{"index": {"_id": "a:1", "status": 404, "error": {"type": "index_not_found_exception"}}}])
    with pytest.raises(EngineUnavailable, match="1 document"):
        engine._check_bulk([{"index": {"_id": "a:2", "status": 429, "error": {"type": "es_rejected_execution"}}}])


def test_the_header_says_when_a_search_fell_back():
    def fell_back(request):
        note()
        return HttpResponse("ok")

    assert say_fallback(fell_back)(None).headers[HEADER] == "database"
    assert HEADER not in say_fallback(lambda request: HttpResponse("ok"))(None).headers


@pytest.fixture
def stopped_engine(settings):
    """Wagtail's and the portal's search configured on an engine that refuses connections."""
    settings.WAGTAILSEARCH_BACKENDS = {"default": {
        "BACKEND": "search.wagtail_backend.OpenSearch3", "URLS": [f"http://127.0.0.1:{_closed_port()}"],
        "INDEX_PREFIX": "unit_", "TIMEOUT": 0.4, "CONNECT_TIMEOUT": 0.2, "WRITE_TIMEOUT": 12,
        "BREAKER": {"FAILURES": 3, "WINDOW": 30, "COOLDOWN": 15},
    }}
    reset_engine()


@pytest.mark.django_db
def test_wagtail_search_answers_from_the_database_and_says_so(stopped_engine, client, editor):
    article = ArticlePage.objects.live().first()
    word = article.title.split()[0][:4]
    login_staff(client, editor)
    for _ in range(2):  # the engine tried and failing (breaker closed), then skipped (open)
        admin = client.get("/admin/pages/search/", {"q": word})
        assert admin.status_code == 200 and article.title in admin.content.decode()
        for _ in range(2):
            # Wagtail's page search is the portal's one search, which says it fell back.
            response = client.get("/api/v3/pages/", {"search": article.title, "type": "pages.ArticlePage"})
            assert response.status_code == 200 and response.headers[HEADER] == "database"
            assert article.pk in [item["id"] for item in response.json()["items"]]
    assert BREAKER.is_open()
    portal = client.get("/api/v3/search/", {"q": "子育て"})
    assert portal.json()["fallback"] is True and portal.headers[HEADER] == "database"


@pytest.mark.django_db
def test_wagtail_index_changes_are_queued_while_the_engine_is_down(stopped_engine, django_capture_on_commit_callbacks):
    article = ArticlePage.objects.live().first()
    with django_capture_on_commit_callbacks(execute=True):
        article.title = "止まっている間の書き換え"
        article.save_revision().publish()
    assert PendingIndexChange.objects.filter(key=f"wagtail:pages.articlepage:{article.pk}").exists()
    assert PendingIndexChange.objects.filter(key=f"pages.article:{article.pk}").exists()


def test_the_client_has_short_timeouts_no_retries_and_the_breaker(stopped_engine):
    from wagtail.search.backends import get_search_backend

    client = get_search_backend().es
    connection = client.transport.connection_pool.connections[0]
    assert (connection.timeout.connect_timeout, connection.timeout.read_timeout) == (0.2, 0.4)
    assert client.transport.max_retries == 0 and isinstance(client.transport, transport_class("opensearch"))
    assert breaker_module.WRITE_TIMEOUT == {"connect": 0.2, "read": 12.0}
