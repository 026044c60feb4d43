"""
Related terms (search.related): the shipped table, its cut-offs and exclusions, the lowest ranking
tier in search.expansion, and the 「もしかして」 suggestion (SQLite; the other backends in
tests/integration/test_q3_related.py).
"""

import gzip

import pytest

from search import expansion, related
from search.models import SearchDocument
from search.query import search
from search.suggest import did_you_mean
from tests.search.relevance import rows

RELATED_DOCS = [
    {"id": "exact", "type": "article", "title": "子育てひろばのご案内", "body": "子育て中の親子が遊べます。",
     "days_ago": 30, "district": "yotsuya"},
    {"id": "related", "type": "article", "title": "育児の相談会", "body": "育児の悩みを保健師に相談できます。",
     "days_ago": 1, "district": "yotsuya"},
    {"id": "consult", "type": "article", "title": "相談窓口の案内", "body": "区役所の相談窓口です。",
     "days_ago": 1, "district": "yotsuya"},
    {"id": "both", "type": "article", "title": "子育て相談", "body": "子育ての相談を受け付けます。",
     "days_ago": 60, "district": "yotsuya"},
    {"id": "road", "type": "article", "title": "道路工事のお知らせ", "body": "舗装の工事をします。",
     "days_ago": 1, "district": "yotsuya"},
    {"id": "shibuya", "type": "article", "title": "渋谷の街歩き", "body": "渋谷駅の周りを歩きました。",
     "days_ago": 1, "district": "yotsuya"},
]


@pytest.fixture
def related_index(db):
    SearchDocument.objects.all().delete()
    SearchDocument.objects.bulk_create(rows(RELATED_DOCS))


def _ids(query):
    return [r.id for r in search(query, with_facets=False, using="database").results]


def test_the_shipped_table_loads_once_with_known_pairs_and_their_readings():
    related.forget()
    table = related.table()
    assert len(table) > 10_000
    assert related.table() is table
    assert table["保育園"][0] == "n" and table["新宿"][0] == "p"
    assert "保育所" in dict(related.neighbours("保育園")) and dict(related.neighbours("子育て"))["育児"] > 0.7
    assert related.neighbours("存在しない語") == ()
    assert related.by_reading("ぼうさい") == "防災"
    assert related.by_reading("こうえん") == ""  # 公園, 講演, 公演 …: a reading of several words gives none


def test_the_table_file_is_the_documented_format():
    with gzip.open(related.TABLE, "rt", encoding="utf-8") as handle:
        line = next(line for line in handle if line.startswith("保育園\t"))
    term, kind, reading, *pairs = line.rstrip("\n").split("\t")
    assert (term, kind, reading) == ("保育園", "n", "ほいくえん")
    assert all(0 < float(pair.rpartition(":")[2]) <= 1 for pair in pairs)


def test_related_terms_are_cut_at_the_threshold_and_the_count_and_weighted_below_the_word():
    found = related.related("介護")
    cosines = dict(related.neighbours("介護"))
    assert 0 < len(found) <= related.TOP_K
    assert all(cosines[term] >= related.MIN_COSINE for term, _w in found)
    assert all(0 < weight <= related.WEIGHT < expansion.PART_WEIGHT for _t, weight in found)
    assert [w for _t, w in found] == sorted((w for _t, w in found), reverse=True)
    assert len(related.related("介護", min_cosine=0.0, top_k=12)) > len(related.related("介護", min_cosine=0.7))
    assert related.related("存在しない語") == []


def test_places_siblings_and_own_spellings_are_not_related():
    assert dict(related.neighbours("新宿"))["渋谷"] > related.MIN_COSINE  # close in the vectors ...
    assert related.related("新宿", min_cosine=0.0, top_k=50) == []  # ... but another place
    assert "障害者" not in dict(related.related("高齢者", min_cosine=0.0, top_k=50))  # same head, other modifier
    assert "冬" not in dict(related.related("夏", min_cosine=0.0, top_k=50))  # one character
    assert "保育所" not in dict(related.related("保育園", exclude={"保育所"}))
    word = expansion.analyse_word("保育園")
    own = {term for _kind, terms in word.alternatives for term in terms}
    assert dict(word.related).keys().isdisjoint(own) and "保育所" in dict(word.related)


def test_a_kana_word_gets_the_related_terms_of_the_word_so_read():
    assert "災害" in dict(expansion.analyse_word("ボウサイ").related)


def test_a_document_found_only_through_a_related_term_ranks_below_the_word(related_index):
    found = _ids("子育て")
    assert found[:2] == ["both", "exact"] and found[2] == "related"
    assert "road" not in found and "consult" not in found


def test_a_related_term_stands_in_for_a_missing_word_below_the_documents_with_every_word(related_index):
    outcome = search("子育て 相談", with_facets=False, using="database")
    order = [r.id for r in outcome.results]
    assert order[0] == "both" and outcome.results[0].all_words
    # 育児 (related to 子育て) and 相談 come before 相談 alone or 子育て alone, all listed as partial
    assert order.index("related") < order.index("consult") and order.index("related") < order.index("exact")
    assert not any(r.all_words for r in outcome.results[1:])


def test_a_place_name_does_not_find_another_place(related_index):
    assert _ids("新宿") == []


def test_the_suggestion_may_propose_a_related_term(db):
    assert did_you_mean("保育園", found=lambda text: text == "保育所") == "保育所"
    assert did_you_mean("新宿", found=lambda text: text == "渋谷") == ""


def _build_script():
    import importlib.util
    from pathlib import Path

    path = Path(__file__).resolve().parents[2] / "search" / "tools" / "build_related.py"
    spec = importlib.util.spec_from_file_location("build_related", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_build_script_keys_strings_as_spacy_does_and_keeps_content_words_only():
    build = _build_script()
    assert build._hash("coffee") == 3197928453018144401  # spaCy's documented key of "coffee"
    assert build.content_term("保育園")[:2] == ("保育園", "n")
    assert build.content_term("新宿")[1] == "p"
    assert build.content_term("ゴミ")[0] == "ごみ"  # the analyser's folded form
    assert build.content_term("夏") is not None  # a word of one kanji
    assert all(build.content_term(word) is None for word in ("の", "美しい", "する", "子育て支援", "田中"))


def test_the_results_page_heads_related_only_documents_as_such(related_index, client):
    page = client.get("/search/", {"q": "子育て"}).content.decode()
    assert "すべての語を含む結果" in page and "関連する語を含む結果" in page and "一部の語を含む結果" not in page
    assert page.index("子育て相談") < page.index("関連する語を含む結果") < page.index("育児の相談会")
    from django.utils import translation

    from search.views import RELATED_WORDS

    for code, heading in (("en", "Results containing related words"), ("zh-hans", "包含相关词语的结果"),
                          ("ko", "관련 단어를 포함한 결과")):
        with translation.override(code):
            assert str(RELATED_WORDS) == heading


def test_a_one_character_part_of_a_word_never_finds_a_document_alone(db):
    SearchDocument.objects.all().delete()
    docs = [
        {"id": "print", "type": "article", "title": "印刷所のご案内", "body": "名刺の印刷所です。", "days_ago": 1,
         "district": "yotsuya"},
        {"id": "care", "type": "article", "title": "保育の相談", "body": "保育について相談できます。", "days_ago": 1,
         "district": "yotsuya"},
        {"id": "nursery", "type": "article", "title": "保育所の入所", "body": "区立保育所の入所案内です。", "days_ago": 9,
         "district": "yotsuya"},
    ]
    SearchDocument.objects.bulk_create(rows(docs))
    assert expansion.analyse_word("保育所").parts == ("保育", "所")
    found = _ids("保育所")
    assert found[0] == "nursery" and "care" in found and "print" not in found
