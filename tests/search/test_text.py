from search.text import normalize, normalize_query


def test_full_width_and_half_width_are_folded_and_case_ignored():
    assert normalize("ＯＫＵＢＯ　ｶﾀｶﾅ　１２３") == "okubo カタカナ 123"


def test_control_characters_are_dropped_and_spaces_collapsed():
    assert normalize("子育て\u0000\u200b  支援\n\n") == "子育て 支援"


def test_query_syntax_becomes_spaces():
    assert normalize_query('"子育て" (支援) a*b') == "子育て 支援 a b"
