"""
Cross-source search on the real services: PostgreSQL (the database backend's tsvector index) and
OpenSearch (the engine backend), the same analysis on both; the alias swap of a rebuild; the
fallback and the replay queue against a real engine and an unreachable one.
"""

import pytest
from django.conf import settings
from django.db import connection

from pages.models import ArticlePage
from search import engine as engine_module
from search import query as query_module
from search.breaker import BREAKER
from search.engine import Engine, get_engine
from search.models import PendingIndexChange, SearchDocument
from search.query import search
from search.sync import replay_pending
from tests.search.relevance import documents, measure, rows

pytestmark = pytest.mark.django_db
PREFIX = settings.WAGTAILSEARCH_BACKENDS["default"]["INDEX_PREFIX"]


def _engine(alias):
    real = get_engine()
    return Engine(real.es, f"{PREFIX}{alias}", real.flavour)


@pytest.fixture
def use_engine(monkeypatch):
    def use(engine):
        monkeypatch.setattr(engine_module, "get_engine", lambda: engine)
        monkeypatch.setattr(query_module, "get_engine", lambda: engine)
        return engine

    return use


@pytest.fixture
def relevance_set(use_engine):
    """Only the relevance set in SearchDocument (rolled back) and in an engine index of its own."""
    SearchDocument.objects.all().delete()
    SearchDocument.objects.bulk_create(rows(documents()))
    engine = _engine("relevance")
    engine.rebuild()
    yield use_engine(engine)
    engine.delete_all()


def test_the_database_backend_is_postgresql_full_text(report_service):
    assert connection.vendor == "postgresql" and get_engine() is not None
    with connection.cursor() as cursor:
        cursor.execute("SELECT to_tsvector('simple', %s)::text", ["子育て 支援"])
        report_service(f"search database index: PostgreSQL tsvector {cursor.fetchone()[0]}")


@pytest.mark.parametrize("using", ["database", "engine"])
def test_quality_goals_on_both_backends(relevance_set, using):
    def ids(q):
        outcome = search(q, with_facets=False, using=using)
        assert outcome.backend == using
        return [r.id for r in outcome.results]

    figures = measure(ids)
    assert figures["recall@10"] >= 0.95 and figures["mrr"] >= 0.8, figures


def test_both_backends_find_the_same_documents_with_the_same_facets(relevance_set):
    for q in ["子育て", "申込", "ＡＥＤ", "こども食堂", "子育て 四谷", "京都"]:
        database = search(q, using="database")
        engine = search(q, using="engine")
        assert database.count == engine.count > 0, q
        assert {r.id for r in database.results} == {r.id for r in engine.results}, q
        assert database.facets == engine.facets, q


def test_the_engine_counts_exactly_and_says_when_only_its_facets_are_estimated(relevance_set, monkeypatch, client):
    SearchDocument.objects.update(districts=SearchDocument.pack(["yotsuya"]))  # a district of the demo site
    relevance_set.rebuild()
    exact = search("子育て", using="engine")
    assert exact.count > 2 and (exact.approximate, exact.facets_approximate) == (False, False)
    monkeypatch.setattr(engine_module, "FACET_SAMPLE", 2)  # facets of the best two matches, scaled
    sampled = search("子育て", using="engine")
    assert sampled.count == exact.count and sampled.approximate is False and sampled.facets_approximate is True
    data = client.get("/api/v3/search/", {"q": "子育て"}).json()
    assert (data["backend"], data["count"], data["approximate"], data["facets_approximate"]) == (
        "engine", exact.count, False, True)
    page = client.get("/search/", {"q": "子育て"}).content.decode()
    assert f"に一致するものが{exact.count}件見つかりました。" in page  # the count without 「約」
    assert "（約" in page  # the facets with it


def test_the_api_answers_from_the_engine_on_the_demo_site(client):
    data = client.get("/api/v3/search/", {"q": "子育て"}).json()
    assert (data["backend"], data["fallback"]) == ("engine", False)
    assert data["count"] > 0 and any("<mark>" in r["snippet"] for r in data["results"])


def test_a_rebuild_swaps_in_a_new_index_and_search_answers_throughout(relevance_set, monkeypatch):
    engine = relevance_set
    before = list(engine.es.indices.get_alias(name=engine.alias))
    seen_during = []
    original_bulk = engine._bulk

    def bulk_and_search(actions, index=None):
        original_bulk(actions, index)
        seen_during.append(search("子育て", using="engine").count)  # the old index still answers

    monkeypatch.setattr(engine, "_bulk", bulk_and_search)
    new = engine.rebuild()
    after = list(engine.es.indices.get_alias(name=engine.alias))
    assert after == [new] and new not in before
    assert not engine.es.indices.exists(index=before[0])
    assert seen_during and all(count == 3 for count in seen_during)
    assert search("子育て", using="engine").count == 3


def test_engine_down_falls_back_queues_and_replays(use_engine, django_capture_on_commit_callbacks, report_service):
    from opensearchpy import OpenSearch

    live = _engine("resilience")
    live.rebuild()
    dead = Engine(OpenSearch(hosts=["http://127.0.0.1:9"], timeout=1, max_retries=0), live.alias, "opensearch")
    use_engine(dead)
    outcome = search("子育て")
    assert (outcome.backend, outcome.fallback) == ("database", True) and outcome.count > 0
    article = ArticlePage.objects.live().first()
    with django_capture_on_commit_callbacks(execute=True):
        article.title = "ぴかぴか水鉄砲の記事"
        article.save_revision().publish()
    key = f"pages.article:{article.pk}"
    assert PendingIndexChange.objects.filter(key=key).exists()
    use_engine(live)
    BREAKER.reset()  # as the replay job's successful ping would after the cool-down
    assert replay_pending() >= 1 and not PendingIndexChange.objects.exists()
    live.refresh()
    found = search("ぴかぴか水鉄砲", using="engine")
    assert [r.id for r in found.results] == [str(article.pk)]
    report_service("search fallback: engine unreachable -> database, queued change replayed to OpenSearch")
    live.delete_all()
