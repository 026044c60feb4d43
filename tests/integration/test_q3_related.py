"""
Related terms (search.related) on the real services: a document found only through a related term
ranks below the documents that have the word, in the same order from PostgreSQL and OpenSearch;
a place name finds no other place.
"""

import pytest
from django.conf import settings

from search import engine as engine_module
from search import query as query_module
from search.engine import Engine, get_engine
from search.models import SearchDocument
from search.query import search
from tests.search.relevance import rows
from tests.search.test_related import RELATED_DOCS

pytestmark = pytest.mark.django_db
PREFIX = settings.WAGTAILSEARCH_BACKENDS["default"]["INDEX_PREFIX"]


@pytest.fixture
def related_set(monkeypatch):
    """Only the related-terms documents in SearchDocument (rolled back) and in an engine index of their own."""
    SearchDocument.objects.all().delete()
    SearchDocument.objects.bulk_create(rows(RELATED_DOCS))
    real = get_engine()
    engine = Engine(real.es, f"{PREFIX}q3related", real.flavour)
    monkeypatch.setattr(engine_module, "get_engine", lambda: engine)
    monkeypatch.setattr(query_module, "get_engine", lambda: engine)
    engine.rebuild()
    yield engine
    engine.delete_all()


def _search(query, using):
    outcome = search(query, with_facets=False, using=using)
    assert outcome.backend == using
    return outcome


@pytest.mark.parametrize("using", ["database", "engine"])
def test_a_related_only_document_ranks_below_the_word_on_every_backend(related_set, using):
    found = [r.id for r in _search("子育て", using).results]
    assert found[:3] == ["both", "exact", "related"]
    assert "road" not in found and "consult" not in found


@pytest.mark.parametrize("using", ["database", "engine"])
def test_a_related_term_stands_in_for_a_missing_word_on_every_backend(related_set, using):
    outcome = _search("子育て 相談", using)
    order = [r.id for r in outcome.results]
    assert order[0] == "both" and outcome.all_words_count == 1
    assert order.index("related") < order.index("consult") and order.index("related") < order.index("exact")
    assert _search("新宿", using).count == 0  # 渋谷 is close in the vectors, but another place


def test_the_backends_agree_with_related_terms(related_set):
    for query in ["子育て", "子育て 相談", "神社", "ぼうさい"]:
        database, engine = _search(query, "database"), _search(query, "engine")
        assert database.count == engine.count, query
        assert [r.id for r in database.results] == [r.id for r in engine.results], query
