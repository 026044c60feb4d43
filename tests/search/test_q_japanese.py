"""
Japanese search as residents type it (issue 17): readings, compounds, place-name variants, two
words with the all-words results first, the editors' synonym list, 「もしかして」, approximate counts
for common words, and Wagtail's page search sent to the one search. Database backend of this run.
"""

import pytest
from django.core.exceptions import ValidationError

from search import dbsearch, synonyms
from search.analysis import index_fields
from search.models import SearchDocument, SuggestTerm, SynonymGroup
from search.query import search
from search.services import search_and_count

pytestmark = pytest.mark.django_db

DOCS = {
    "gyoen": ("新宿御苑の桜", "春は新宿御苑で花見をする人が多い。"),
    "ichigaya": ("市ヶ谷駅の周辺", "外濠の桜並木と釣り堀がある。"),
    "baba": ("高田馬場のラーメン", "早稲田通りにラーメン店が並ぶ。"),
    "nursery": ("認可保育園の申し込み", "入園の申込みは保育課で受け付ける。"),
    "bousai": ("防災訓練のお知らせ", "地震に備えて町会で訓練をする。"),
    "gomi": ("ゴミの出し方", "燃えるゴミは朝8時までに出す。"),
    "kumano": ("熊野神社の例大祭", "西新宿の神社で秋に祭りがある。"),
    "hanazono": ("花園神社", "歌舞伎町の隣の神社。酉の市がにぎわう。"),
}


@pytest.fixture
def corpus(db):
    SearchDocument.objects.all().delete()
    SearchDocument.objects.bulk_create([
        SearchDocument(key=f"t:{key}", source="t", object_id=key, type="article", locale="ja", title=title,
                       url=f"/t/{key}/", body=body, **index_fields(title, body))
        for key, (title, body) in DOCS.items()
    ])
    synonyms.forget()
    yield
    synonyms.forget()


def ids(query):
    return [r.id for r in search(query, with_facets=False, using="database").results]


@pytest.mark.parametrize("query,expected", [
    ("しんじゅくぎょえん", "gyoen"), ("ボウサイ", "bousai"), ("ほいくえん", "nursery"),
    ("市ケ谷", "ichigaya"), ("市が谷", "ichigaya"), ("髙田馬場", "baba"), ("ｺﾞﾐ", "gomi"), ("ごみ", "gomi"),
    ("保育", "nursery"), ("保育園", "nursery"),
])
def test_readings_variants_and_compounds_find_the_document(corpus, query, expected):
    assert ids(query)[:1] == [expected]


def test_a_word_in_another_script_ranks_below_the_word_as_written(corpus):
    SearchDocument.objects.filter(key="t:bousai").update(title="防災訓練", body="ぼうさいの訓練をする。")
    row = SearchDocument.objects.get(key="t:bousai")
    SearchDocument.objects.filter(pk=row.pk).update(**index_fields(row.title, row.body))
    outcome = search("防災", with_facets=False, using="database")
    assert outcome.results[0].id == "bousai"


def test_two_words_list_documents_with_both_first_then_with_one(corpus):
    outcome = search("神社 歌舞伎町", with_facets=False, using="database")
    assert [r.id for r in outcome.results] == ["hanazono", "kumano"]
    assert [r.all_words for r in outcome.results] == [True, False]
    assert outcome.all_words_count == 1 and outcome.count == 2


def test_the_results_page_says_which_results_have_every_word(corpus, client):
    page = client.get("/search/", {"q": "神社 歌舞伎町"}).content.decode()
    assert "すべての語を含む結果" in page and "一部の語を含む結果" in page
    assert page.index("すべての語を含む結果") < page.index("花園神社") < page.index("一部の語を含む結果")


def test_a_synonym_saved_by_an_editor_works_at_once_and_stops_when_deleted(corpus):
    assert ids("rubbish") == []
    group = SynonymGroup.objects.create(terms="rubbish\nごみ\n廃棄物")
    assert ids("rubbish") == ["gomi"]
    group.delete()
    assert ids("rubbish") == []


def test_the_shipped_list_joins_the_spellings_of_place_names(corpus):
    assert SynonymGroup.objects.filter(terms__contains="四ッ谷").exists()
    SearchDocument.objects.filter(key="t:ichigaya").update(
        title="市谷の周辺", **index_fields("市谷の周辺", "外濠の桜並木。"))
    assert ids("市ヶ谷")[:1] == ["ichigaya"]


def test_the_shipped_list_names_the_ward_services_as_residents_say_them(corpus):
    SearchDocument.objects.filter(key="t:nursery").update(**index_fields(
        "転入届の手続き", "区外から移ったら14日以内に転入届を出す。特別区民税の通知も届く。"))
    assert ids("引っ越し")[:1] == ["nursery"]  # 引っ越し = 転入 (migration 0006)
    assert ids("住民税")[:1] == ["nursery"]  # = 特別区民税


def test_a_synonym_group_needs_two_terms_and_nothing_is_stored(corpus):
    with pytest.raises(ValidationError):
        SynonymGroup(terms="ごみ").full_clean()
    count = SynonymGroup.objects.count()
    with pytest.raises(ValidationError):
        SynonymGroup(terms=" 、 , ").full_clean()
    assert SynonymGroup.objects.count() == count


def test_nothing_found_proposes_a_word_that_finds_something(corpus):
    SuggestTerm.objects.create(phrase="花園神社", reading="はなぞのじんじゃ", weight=3)
    outcome = search_and_count("はなぞのじんじや", [], "", "", None, None, 1)  # や for ゃ: one character off
    assert outcome.count == 0 and outcome.suggestion == "花園神社"
    page = search_and_count("花園神社", [], "", "", None, None, 1)
    assert page.count > 0 and page.suggestion == ""


def test_the_results_page_shows_the_proposal(corpus, client):
    SuggestTerm.objects.create(phrase="花園神社", reading="はなぞのじんじゃ", weight=3)
    page = client.get("/search/", {"q": "はなぞのじんじや"}).content.decode()
    assert "もしかして" in page and "花園神社" in page


def test_a_common_word_beyond_the_caps_is_counted_approximately(corpus, monkeypatch, client):
    monkeypatch.setattr(dbsearch, "CAP", 1)
    monkeypatch.setattr(dbsearch, "RANK_CAP", 1)
    outcome = search("神社", using="database")
    assert outcome.approximate and outcome.facets_approximate and outcome.count >= 2 and outcome.results
    data = client.get("/api/v3/search/", {"q": "神社"}).json()
    assert data["approximate"] is True and data["facets_approximate"] is True
    page = client.get("/search/", {"q": "神社"}).content.decode()
    assert "一致するものが約" in page  # (this corpus has no district or theme to facet)
    monkeypatch.setattr(dbsearch, "CAP", 100)
    monkeypatch.setattr(dbsearch, "RANK_CAP", 100)
    exact = search("神社", using="database")
    assert not exact.approximate and not exact.facets_approximate and exact.count == 2
    page = client.get("/search/", {"q": "神社"}).content.decode()
    assert "一致するものが約" not in page and "（約" not in page


def test_kana_finds_the_kanji_word_but_kanji_never_finds_its_homophones(corpus):
    SearchDocument.objects.filter(key="t:bousai").update(**index_fields(
        "防災訓練のお知らせ", "区立小学校の避難所で、保健センターの職員と訓練をする。公園にも集まる。"))
    SearchDocument.objects.filter(key="t:gomi").update(**index_fields(
        "ゴミの出し方", "こうえんのゴミ箱には家庭のゴミを捨てない。"))
    assert ids("ひなんじょ") == ["bousai"]  # 避難 + 所 read ひなん + しょ by the dictionary
    assert ids("ホケンセンター")[:1] == ["bousai"]
    assert ids("保険") == []  # 保健 is read ほけん too: not the same word
    assert ids("公園") == ["bousai", "gomi"]  # written in kanji, then in kana
    assert ids("講演") == ["gomi"]  # 公園 in kanji is not the same word; こうえん in kana may be


# Wagtail's own page search (/api/v3/pages/?search=) answering with the one search is tested in
# tests/search/test_pages_api_search.py.
