"""
When the search engine is down: searches fall back to the database and say so; index changes are
queued and replayed when it is back. (A stand-in engine here; tests/integration/test_search_engine.py
stops a real OpenSearch connection.)
"""

import pytest

from pages.models import ArticlePage
from search import engine as engine_module
from search import query as query_module
from search.engine import EngineUnavailable
from search.models import PendingIndexChange
from search.sync import replay_pending

pytestmark = pytest.mark.django_db


class StandInEngine:
    def __init__(self):
        self.up = True
        self.applied = []

    def available(self):
        return True

    def ping(self):
        return self.up

    def rebuild_if_missing(self, report=None):
        return False

    def search(self, expression, filters, offset, limit, with_facets=True):
        if not self.up:
            raise EngineUnavailable("connection refused")
        return 1, [("pages.theme:stand-in", 1.0)], {"type": {"theme": 1}, "districts": {}, "themes": {}}, (False, False)

    def apply(self, keys):
        if not self.up:
            raise EngineUnavailable("connection refused")
        self.applied += keys


@pytest.fixture
def engine(monkeypatch):
    stand_in = StandInEngine()
    monkeypatch.setattr(engine_module, "get_engine", lambda: stand_in)
    monkeypatch.setattr(query_module, "get_engine", lambda: stand_in)
    return stand_in


def test_the_engine_answers_when_up(client, engine):
    data = client.get("/api/v3/search/", {"q": "子育て"}).json()
    assert (data["backend"], data["fallback"]) == ("engine", False)


def test_search_falls_back_to_the_database_and_says_so(client, engine):
    engine.up = False
    data = client.get("/api/v3/search/", {"q": "子育て"}).json()
    assert (data["backend"], data["fallback"]) == ("database", True)
    assert data["count"] > 0 and "検索エンジンに接続できない" in data["message"]
    page = client.get("/search/", {"q": "子育て"}).content.decode()
    assert "検索エンジンに接続できない" in page


def test_changes_made_while_down_are_queued_and_replayed(engine, django_capture_on_commit_callbacks):
    engine.up = False
    article = ArticlePage.objects.live().first()
    with django_capture_on_commit_callbacks(execute=True):
        article.title = "ぴかぴか水鉄砲の記事"
        article.save_revision().publish()
    key = f"pages.article:{article.pk}"
    assert PendingIndexChange.objects.filter(key=key).exists()
    assert replay_pending() == 0 and PendingIndexChange.objects.filter(key=key).exists()  # still down
    engine.up = True
    assert replay_pending() >= 1
    assert key in engine.applied and not PendingIndexChange.objects.exists()


def test_changes_reach_the_engine_at_once_when_it_is_up(engine, django_capture_on_commit_callbacks):
    article = ArticlePage.objects.live().first()
    with django_capture_on_commit_callbacks(execute=True):
        article.unpublish()
    assert f"pages.article:{article.pk}" in engine.applied and not PendingIndexChange.objects.exists()
