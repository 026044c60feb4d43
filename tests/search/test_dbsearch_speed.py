"""
The database backend's caps for common words (issue 17 item 4) and the one ranking of every
backend's candidates (the coordination factor and the relevance computed from the documents'
stored terms, never from a backend's score). Database backend of this run; the same order from
PostgreSQL and the search engine is checked in tests/integration/test_search_engine.py, the
latency at 100,000 documents by `make bench-search`.
"""

import pytest

from search import dbsearch, expansion, synonyms
from search.analysis import index_fields
from search.models import SearchDocument
from search.query import Filters, _rerank, search

pytestmark = pytest.mark.django_db

BODY = "地域の清掃活動を行いました。参加した皆さん、ありがとうございました。"


def _doc(key, title, body, district="yotsuya"):
    return SearchDocument(key=f"t:{key}", source="t", object_id=key, type="article", locale="ja", title=title,
                          url=f"/t/{key}/", body=body, districts=SearchDocument.pack([district]),
                          **index_fields(title, body))


@pytest.fixture
def common_word(db):
    """Fifteen documents with 地域 in the body, the oldest one also in its title."""
    SearchDocument.objects.all().delete()
    SearchDocument.objects.bulk_create(
        [_doc("titled", "地域の集い", BODY, "okubo")] + [_doc(f"n{n}", f"清掃の報告{n}", BODY) for n in range(14)])
    synonyms.forget()
    yield
    synonyms.forget()


def test_beyond_the_count_cap_the_count_and_facets_are_estimates_and_said_so(common_word, monkeypatch):
    monkeypatch.setattr(dbsearch, "CAP", 10)
    monkeypatch.setattr(dbsearch, "RANK_CAP", 5)
    outcome = search("地域", using="database")
    assert outcome.approximate and outcome.count >= 11
    assert sum(outcome.facets["type"].values()) == pytest.approx(outcome.count, abs=2)
    assert len(outcome.results) == 5  # only RANK_CAP of the matches are ranked
    # The one document with the word in its title is the oldest match, outside the newest ten:
    # it is still a candidate, and first.
    assert outcome.results[0].id == "titled"
    monkeypatch.setattr(dbsearch, "CAP", 1000)
    exact = search("地域", using="database")
    assert not exact.approximate and exact.count == 15
    assert exact.facets["districts"] == {"yotsuya": 14, "okubo": 1}


def test_a_rare_word_is_counted_exactly_whatever_the_filters(common_word, monkeypatch):
    monkeypatch.setattr(dbsearch, "CAP", 10)
    _doc("rare", "盆踊りの夕べ", "盆踊りを開きます。").save()
    outcome = search("盆踊り", using="database")
    assert (outcome.count, outcome.approximate, [r.id for r in outcome.results]) == (1, False, ["rare"])
    assert search("地域", Filters(district="okubo"), using="database").count == 1


def test_the_order_of_candidates_does_not_depend_on_the_backends_scores(db):
    """The same candidates with any backend scores (bm25, ts_rank, the engine's) come out in one order."""
    SearchDocument.objects.all().delete()
    SearchDocument.objects.bulk_create([
        _doc("both", "子育て相談", "四谷で子育ての相談を受けます。"),
        _doc("rare", "子育ての集い", "子育て中の親子が集まります。"),
        _doc("common1", "四谷の散歩", "四谷を歩きます。"),
        _doc("common2", "四谷の歴史", "四谷の町の歴史を学びます。"),
        _doc("common3", "四谷の店", "四谷の店を紹介します。"),
        _doc("common4", "四谷の公園", "四谷の公園で遊びます。"),
    ])
    words = expansion.query_words("子育て 四谷", synonyms.expand)
    keys = [f"t:{k}" for k in ("both", "rare", "common1", "common2", "common3", "common4")]
    one = _rerank([(key, float(n)) for n, key in enumerate(keys)], words, "子育て 四谷", 6)
    other = _rerank([(key, float(-n)) for n, key in enumerate(reversed(keys))], words, "子育て 四谷", 6)
    assert one == other
    order = [key.split(":")[1] for key, *_ in one]
    assert order[0] == "both" and one[0][2] is True and not any(every for _k, _s, every in one[1:])
    # Among the partial matches, the rarer word counts more (子育て: 2 of 6 documents, 四谷: 5).
    assert order[1] == "rare"
