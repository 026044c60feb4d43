"""Japanese analysis: the same terms at index and query time, variants folded, words found inside text."""

import pytest

from search.analysis import analyze, completion_phrases, index_terms, query_terms, reading, reading_term
from search.expansion import analyse_word
from search.snippets import snippet


@pytest.mark.parametrize("variants", [
    ["申し込み", "申込み", "申込"], ["AED", "ＡＥＤ", "aed"], ["2026", "２０２６"], ["こども", "子ども", "子供"],
    ["コンピューター", "コンピュータ", "ｺﾝﾋﾟｭｰﾀｰ"], ["サービス", "ｻｰﾋﾞｽ"], ["ごみ", "ゴミ"], ["問い合わせ", "問合せ"],
])
def test_orthographic_variants_give_one_term(variants):
    assert len({tuple(analyze(v)) for v in variants}) == 1, {v: analyze(v) for v in variants}


def test_a_word_inside_running_text_is_a_term_of_its_own():
    terms = analyze("新宿区の子育て支援センターでは避難所の開設訓練を行いました。")
    assert "子育て" in terms and "避難" in terms and "所" in terms and "支援" in terms
    assert query_terms("子育て") == ["子育て"]


def test_particles_and_punctuation_are_dropped():
    assert query_terms("の") == [] and query_terms("、。！") == []
    assert analyze("四谷の朝市は、毎月開きます。")[:3] == ["四谷", "朝市", "毎月"]


def test_a_word_is_not_found_inside_a_longer_word():
    assert "京都" not in analyze("東京都新宿区")


def test_a_long_text_is_analysed_in_pieces():
    text = "子育て支援。" * 20000  # 120,000 characters, past Sudachi's input limit
    assert analyze(text).count("子育て") == 20000


def test_readings_and_completion_phrases():
    assert reading("子育て支援") == "こそだてしえん"
    phrases = dict(completion_phrases("子育て支援センターの利用案内"))
    assert phrases["子育て支援センター"] == "こそだてしえんせんたー"
    assert "子育て" in phrases


def test_the_snippet_marks_variants_and_escapes():
    html = snippet("<b>講座</b>の申込は三月一日から受け付けます。", query_terms("申し込み"), ["申し込み"])
    assert "<mark>申込</mark>" in html and "&lt;b&gt;" in html and "<b>" not in html


def test_readings_are_stored_apart_from_words_written_in_kana():
    terms = index_terms("避難所と公園")
    assert {reading_term("ひなん"), reading_term("ひなんしょ"), reading_term("ひなんじょ")} <= set(terms)
    assert reading_term("こうえん") in terms and "こうえん" not in terms  # 公園 is not written in kana here
    assert "こうえん" in index_terms("こうえんで遊ぶ")


def test_a_word_typed_in_kana_is_looked_up_by_its_reading_and_kanji_only_in_kana():
    kinds = dict((terms, kind) for kind, terms in analyse_word("こそだて").alternatives)
    assert kinds == {(reading_term("こそだて"),): "reading"}  # not だて (伊達) left after the particle こそ
    assert ("surface", (reading_term("ごみ"),)) in analyse_word("ゴミ").alternatives
    park = [terms for _kind, terms in analyse_word("公園").alternatives]
    assert ("こうえん",) in park and (reading_term("こうえん"),) not in park
    assert ("新大久保",) in [terms for _kind, terms in analyse_word("新大久保").alternatives]  # one unit in text
