"""
Quality on our Japanese relevance set (tests/search/relevance.py), through the whole search path
on the database backend of this run (SQLite here). The same figures per backend, and latency at
100,000 documents, come from `make bench-search`.
"""

import pytest

from search.models import SearchDocument
from search.query import search

from .relevance import documents, measure, queries, rows


@pytest.fixture
def relevance_index(db):
    SearchDocument.objects.all().delete()  # only the set (rolled back after the test)
    SearchDocument.objects.bulk_create(rows(documents()))


def _ids(query):
    return [r.id for r in search(query, per_page=10, with_facets=False, using="database").results]


def test_the_set_is_big_enough_and_has_every_kind_of_query():
    kinds = {item["kind"] for item in queries()}
    assert len(queries()) >= 50 and len(documents()) >= 300
    assert {"word", "variant", "two-word", "inside-word"} <= kinds


def test_recall_and_mrr_reach_the_goals_on_the_database_backend(relevance_index):
    figures = measure(_ids)
    assert figures["recall@10"] >= 0.95, figures["misses"]
    assert figures["mrr"] >= 0.8, figures["misses"]


@pytest.mark.parametrize("query,variant", [
    ("申し込み", "申込"), ("AED", "ＡＥＤ"), ("子ども食堂", "こども食堂"), ("コンピューター教室", "ｺﾝﾋﾟｭｰﾀｰ教室"),
    ("2026年度", "２０２６年度"), ("粗大ごみ", "粗大ゴミ"), ("パーティー", "パーティ"), ("引っ越し", "引越"),
])
def test_a_variant_finds_the_same_documents(relevance_index, query, variant):
    assert _ids(query) and set(_ids(query)) == set(_ids(variant))


def test_a_word_inside_another_word_is_not_a_match(relevance_index):
    # 京都 occurs inside 東京都 in many documents; only the one about 京都 is found.
    assert _ids("京都") == ["trap0"]
