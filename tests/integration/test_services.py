"""The integration run really talks to PostgreSQL and the search engine (the output names both)."""

import pytest
from django.db import connection
from wagtail.search.backends import get_search_backend

from pages.models import ArticlePage

pytestmark = pytest.mark.django_db


def test_the_database_is_postgresql(report_service):
    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        version = cursor.fetchone()[0]
    report_service(f"database: PostgreSQL {version} ({connection.settings_dict['HOST']}:{connection.settings_dict['PORT']})")
    assert connection.vendor == "postgresql"
    assert ArticlePage.objects.live().count() >= 30


def test_the_search_engine_is_a_real_cluster_and_holds_the_demo_pages(report_service):
    backend = get_search_backend()
    info = backend.es.info()
    engine = info["version"].get("distribution", "elasticsearch")
    report_service(f"search engine: {engine} {info['version']['number']} (Lucene {info['version']['lucene_version']}), "
                   f"backend {type(backend).__module__}")
    assert engine in ("opensearch", "elasticsearch")
    index = backend.get_index_for_model(ArticlePage)
    index.refresh()
    assert backend.es.count(index=index.name)["count"] >= 30


def test_japanese_is_analysed_into_words_by_kuromoji():
    backend = get_search_backend()
    index = backend.get_index_for_model(ArticlePage)
    tokens = backend.es.indices.analyze(index=index.name, body={"analyzer": "default", "text": "新宿区の子育て支援"})
    words = [token["token"] for token in tokens["tokens"]]
    assert "子育て" in words and "支援" in words, words
