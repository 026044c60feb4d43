"""Unit tests for moderation.detectors: pure functions, no database."""

import unicodedata

import pytest

from moderation.detectors import (
    clean_control_characters,
    count_links,
    find_ng_words,
    find_personal_data,
    is_near_duplicate,
    screening_text,
    shingles,
    similarity,
)

# ---------------------------------------------------------------------------------------------------------
# screening_text
# ---------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("ばか", "ばか"),
        ("バカ", "ばか"),  # katakana -> hiragana
        ("ﾊﾞｶ", "ばか"),  # half-width kana -> full-width -> hiragana
        ("ＢＡＫＡ", "baka"),  # full-width ASCII, upper case
        ("BaKa", "baka"),
        ("ば か", "ばか"),  # ASCII space
        ("ば\u3000か", "ばか"),  # ideographic space
        ("ば\tか\nだ", "ばかだ"),
        ("バ・カ", "ばか"),  # katakana middle dot
        ("ﾊﾞ･ｶ", "ばか"),  # half-width middle dot
        ("ばーか", "ばか"),  # long-vowel mark
        ("ﾊﾞｰｶ", "ばか"),  # half-width long-vowel mark
        ("ば〜か", "ばか"),  # wave dash
        ("ば～か", "ばか"),  # full-width tilde
        ("ば、か。", "ばか"),
        ("「ばか」!?", "ばか"),
        ("b-a_k.a", "baka"),
        ("b+a=k|a", "baka"),  # math symbols
        ("は゛か", "ばか"),  # spacing voiced mark recomposes once the padding is gone
        ("カタカナ", "かたかな"),
        ("ｶﾀｶﾅ", "かたかな"),
        ("ヽヾ", "ゝゞ"),
        ("ヴ", "ゔ"),
        ("東京　都庁", "東京都庁"),
        ("１２３", "123"),
        ("", ""),
        ("・ー、。 ", ""),
    ],
)
def test_screening_text(text, expected):
    assert screening_text(text) == expected


@pytest.mark.parametrize("text", ["👍", "¥1000", "★", "©"])
def test_screening_text_keeps_symbols_and_currency(text):
    assert screening_text(text) == unicodedata.normalize("NFKC", text).lower()


def test_screening_text_removes_invisible_characters():
    assert screening_text("ば\u200bか") == "ばか"


# ---------------------------------------------------------------------------------------------------------
# find_ng_words
# ---------------------------------------------------------------------------------------------------------

NG = ["ばか", "baka", "死ね", "カジノ"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("お前はばかだ", ["ばか"]),
        ("お前はバカだ", ["ばか"]),
        ("お前はﾊﾞｶだ", ["ばか"]),
        ("お前は ば か だ", ["ばか"]),
        ("お前はバ・カだ", ["ばか"]),
        ("お前はばーかだ", ["ばか"]),
        ("you are ＢＡＫＡ", ["baka"]),
        ("B A K A!!!", ["baka"]),
        ("b.a.k.a", ["baka"]),
        ("bak a", ["baka"]),
        ("ばかbaka", ["ばか", "baka"]),
        ("オンラインかじの", ["カジノ"]),  # given word returned as given
        ("し ね", []),  # 死ね is kanji; readings are not guessed
        ("死 ね", ["死ね"]),
    ],
)
def test_find_ng_words_positive(text, expected):
    assert find_ng_words(text, NG) == expected


@pytest.mark.parametrize(
    "text",
    [
        "ありがとうございました",
        "新宿区の図書館",
        "はか",  # 墓 (grave) without voicing
        "backup",
        "",
    ],
)
def test_find_ng_words_negative(text):
    assert find_ng_words(text, NG) == []


def test_find_ng_words_ignores_empty_and_punctuation_only_words():
    assert find_ng_words("なんでも", ["", " ", "・", "ー"]) == []


def test_find_ng_words_no_repeats_and_given_order():
    assert find_ng_words("バカ カジノ", ["カジノ", "ばか", "カジノ"]) == ["カジノ", "ばか"]


def test_find_ng_words_accepts_generator():
    assert find_ng_words("ばか", (w for w in ["ばか"])) == ["ばか"]


# ---------------------------------------------------------------------------------------------------------
# count_links
# ---------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", 0),
        ("リンクはありません", 0),
        ("https://example.jp", 1),
        ("http://example.jp/path?q=1", 1),
        ("HTTPS://EXAMPLE.JP", 1),
        ("詳しくはhttps://example.jp/を見てください", 1),
        ("ｈｔｔｐｓ：／／ｅｘａｍｐｌｅ．ｊｐ", 1),  # full-width
        ("www.example.jp", 1),
        ("詳細はwww.example.jpへ", 1),  # Japanese right up to the host
        ("ｗｗｗ．ｅｘａｍｐｌｅ．ｊｐ", 1),
        ("https://www.example.jp", 1),  # the www host is part of the URL
        ('<a href="https://example.jp">こちら</a>', 1),
        ("<a href='http://a.jp'>a</a> <a href=\"https://b.jp\">b</a>", 2),
        ('<a href="https://x.jp">https://x.jp</a>', 2),  # each occurrence counts
        ("https://a.jpとhttps://b.jp", 2),  # back to back
        ("https://a.jp,https://b.jp,https://c.jp", 3),
        ("https://a.jp www.b.jp http://c.jp", 3),
        ("mail: info@www.example.jp", 0),  # part of an e-mail address
        ("https://", 0),  # no host
        ("http：", 0),
        ("www.", 0),
        ("wwwexample", 0),
        ("example.jp", 0),  # bare domains without www are not counted (too many false positives)
        ("ftp://example.jp", 0),
    ],
)
def test_count_links(text, expected):
    assert count_links(text) == expected


# ---------------------------------------------------------------------------------------------------------
# find_personal_data
# ---------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "03-1234-5678",
        "電話は03-1234-5678です",
        "0312345678",
        "(03)1234-5678",
        "（03）1234-5678",  # full-width parentheses
        "03(1234)5678",
        "03 1234 5678",
        "03.1234.5678",
        "TEL.03-1234-5678",
        "TEL:042-123-4567",
        "0422-12-3456",
        "090-1234-5678",
        "09012345678",
        "080-1234-5678",
        "070-1234-5678",
        "050-1234-5678",
        "0120-123-456",
        "0120123456",
        "0570-123-456",
        "0800-123-4567",
        "０９０－１２３４－５６７８",  # full-width digits and hyphen
        "０９０ー１２３４ー５６７８",  # long-vowel mark as hyphen
        "090‐1234‐5678",  # U+2010
        "090―1234―5678",  # U+2015
        "090−1234−5678",  # U+2212
        "０３１２３４５６７８",
        "+81-90-1234-5678",
        "+81 3 1234 5678",
        "+81(0)3-1234-5678",
    ],
)
def test_phone_numbers_found(text):
    assert find_personal_data(text) == ["phone"]


@pytest.mark.parametrize(
    "text",
    [
        "2026-11-26",
        "2026/11/26",
        "２０２６－１１－２６",
        "03-11-2026",  # a date in another order: 8 digits
        "令和8年11月26日",
        "2026年",
        "〒160-0022",
        "160-0022",
        "〒０６０－０００１",
        "1,200円",
        "¥12,000",
        "価格 3000円",
        "12345678901",  # 11 digits not starting with 0
        "01234567890",  # 11 digits with a 10-digit prefix
        "090-1234-567",  # too short for a mobile
        "03-1234-56789",  # too long
        "0012-345-6789",  # international prefix
        "030-1234-5678-9",
        "ISBN978-4-12-345678-9",
        "10:00-12:00",
        "注文番号 2026112600012345",
        "0.03-1234",
        "v1.03.1234.5678",
    ],
)
def test_not_phone_numbers(text):
    assert "phone" not in find_personal_data(text)


@pytest.mark.parametrize(
    "text",
    [
        "taro@example.jp",
        "連絡はtaro.yamada+portal@mail.example.co.jpまで",
        "ｔａｒｏ＠ｅｘａｍｐｌｅ．ｊｐ",
        "taro＠example.jp",
        "taro (at) example.jp",
        "taro[at]example.jp",
        "taro {at} example.jp",
        "taro(at)example(dot)jp",
        "taro アットマーク example.jp",
        "taro★example.jp",
        "TARO@EXAMPLE.JP",
    ],
)
def test_email_found(text):
    assert find_personal_data(text) == ["email"]


@pytest.mark.parametrize(
    "text",
    [
        "@shinjuku_city をフォロー",
        "look at example.com",
        "meet at the park",
        "a@b",
        "taro@localhost",
        "10時@新宿駅",
        "価格@100円",
        "★★★ example.jp",
        "taro(at)example",
    ],
)
def test_not_email(text):
    assert "email" not in find_personal_data(text)


@pytest.mark.parametrize(
    "text",
    [
        "新宿区大久保2-3-4",
        "新宿区大久保２－３－４",
        "新宿区大久保２ー３ー４",
        "大久保2-3-4に住んでいます",
        "大久保 2-3-4",
        "大久保二丁目3番4号",
        "大久保2丁目3番4号",
        "西新宿1丁目2-3",
        "西新宿一丁目2の3",
        "新宿区西新宿2丁目8番地",
        "東京都新宿区歌舞伎町1-2-3 ○○ビル5F",
        "大久保123番地",
        "大久保3番4号",
        "新宿区西新宿2-8",
        "東京都新宿区西新宿2-8-1",
    ],
)
def test_address_found(text):
    assert find_personal_data(text) == ["address"]


@pytest.mark.parametrize(
    "text",
    [
        "大久保",
        "新宿駅",
        "新宿区",
        "東京都新宿区",
        "新宿区大久保",
        "新宿二丁目",
        "新宿三丁目駅で待ち合わせ",
        "新宿三丁目駅 1番出口",
        "新宿3丁目1番出口を出てすぐ",
        "西新宿一丁目2番目の角",
        "大久保二丁目",
        "新宿駅3番線",
        "新宿駅5番のりば",
        "2番目に好きな店",
        "会場は新宿区立大久保図書館の2階です",
        "区民ホールで開催します",
        "区民2-3人で参加",
        "新宿区内で1-2回開催",
        "会期2026-11-26",
        "会期は2026-11-26から",
        "第1-2話",  # two groups, no municipality
        "午前10-12時",
        "〒160-0022",
    ],
)
def test_not_address(text):
    assert "address" not in find_personal_data(text)


def test_several_kinds_sorted():
    text = "新宿区大久保2-3-4 山田 090-1234-5678 taro@example.jp"
    assert find_personal_data(text) == ["address", "email", "phone"]


def test_nothing_found_in_ordinary_post():
    text = "11月26日(木)10:00〜 新宿区立大久保図書館で読み聞かせ会。参加費500円、定員20名。"
    assert find_personal_data(text) == []


# ---------------------------------------------------------------------------------------------------------
# shingles, similarity, is_near_duplicate
# ---------------------------------------------------------------------------------------------------------


def test_shingles_of_screening_text():
    assert shingles("ア・イ ウエ") == {"あいう", "いうえ"}


@pytest.mark.parametrize(
    ("text", "expected"),
    [("", set()), ("。", set()), ("あ", {"あ"}), ("あい", {"あい"}), ("あいう", {"あいう"})],
)
def test_shingles_short_texts_whole(text, expected):
    assert shingles(text) == expected


def test_shingles_size():
    assert shingles("abcd", size=2) == {"ab", "bc", "cd"}
    with pytest.raises(ValueError):
        shingles("abc", size=0)


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("新宿区の図書館で読み聞かせ会があります", "新宿区の図書館で読み聞かせ会があります"),
        ("新宿区の図書館で読み聞かせ会があります", "新宿区の図書館で 読み聞かせ会が あります！"),
        ("カタカナのテキスト", "かたかなのてきすと"),
        ("ＡＢＣＤＥＦ", "abcdef"),
        ("いいね", "いいね！"),
        ("!!!", "。。。"),
    ],
)
def test_similarity_identical_after_screening(a, b):
    assert similarity(a, b) == 1.0


def test_similarity_values():
    assert similarity("abcd", "abce") == pytest.approx(1 / 3)  # {abc, bcd} vs {abc, bce}
    assert similarity("abc", "xyz") == 0.0
    assert similarity("あ", "い") == 0.0
    assert similarity("", "何か") == 0.0
    assert similarity("a", "b") == similarity("b", "a")


def test_similarity_symmetric_and_bounded():
    a = "大久保の公園で清掃活動をします。ご参加ください。"
    b = "大久保の公園で清掃活動をしました。ありがとうございました。"
    value = similarity(a, b)
    assert 0.0 < value < 1.0
    assert value == similarity(b, a)


SPAM = "今すぐ登録で10万円もらえる！詳しくはプロフィールのリンクから。限定100名様まで。"


@pytest.mark.parametrize(
    "text",
    [
        SPAM,
        SPAM.replace("！", "!!").replace("。", " "),
        "今すぐ登録で10万円もらえる!詳しくはプロフィールのリンクから。限定100名様まで!!",
        SPAM.replace("10", "１０").replace("100", "１００"),  # full-width digits
        "ｲﾏｽｸﾞ" + SPAM[3:],  # the first word in half-width kana: 3 of 37 characters differ
    ],
)
def test_near_duplicate_found(text):
    assert is_near_duplicate(text, ["関係ない投稿です", SPAM])


@pytest.mark.parametrize(
    "text",
    [
        "大久保の公園で清掃活動をします。ご参加ください。",
        "今すぐ登録で",  # a fragment only
        "",
    ],
)
def test_near_duplicate_not_found(text):
    assert not is_near_duplicate(text, ["関係ない投稿です", SPAM])


def test_near_duplicate_kana_script_ignored():
    assert is_near_duplicate("ｲﾏｽｸﾞ" + SPAM[3:], ["いますぐ" + SPAM[3:]])
    assert similarity("ｲﾏｽｸﾞ" + SPAM[3:], "イマスグ" + SPAM[3:]) == 1.0


def test_near_duplicate_threshold_and_empty_others():
    assert not is_near_duplicate(SPAM, [])
    assert not is_near_duplicate("abcd", ["abce"], threshold=0.5)
    assert is_near_duplicate("abcd", ["abce"], threshold=0.3)


def test_near_duplicate_accepts_generator():
    assert is_near_duplicate(SPAM, (t for t in [SPAM]))


# ---------------------------------------------------------------------------------------------------------
# clean_control_characters
# ---------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("一行目\r\n二行目", "一行目\n二行目"),
        ("一行目\r二行目", "一行目\n二行目"),
        ("一行目\r\r\n二行目", "一行目\n\n二行目"),
        ("a\u2028b\u2029c", "a\nb\nc"),
        ("a\x85b", "a\nb"),  # NEL
        ("列1\t列2\n", "列1\t列2\n"),  # tab and newline kept
        ("a\x00b\x07c\x1bd\x7fe", "abcde"),  # C0 and DEL
        ("a\x80b\x9fc", "abc"),  # C1
        ("a\x0bb\x0cc", "abc"),  # vertical tab, form feed
        ("ば\u200bか", "ばか"),  # zero-width space
        ("ば\u200cか", "ばか"),
        ("a\u200eb\u200fc", "abc"),  # LRM, RLM
        ("abc\u202edcba\u202c", "abcdcba"),  # right-to-left override ("Trojan Source")
        ("a\u202ab\u202bc\u202dd", "abcd"),
        ("a\u2066b\u2067c\u2068d\u2069", "abcd"),  # isolates
        ("\ufeff先頭のBOM", "先頭のBOM"),
        ("a\u2060b", "ab"),  # word joiner
        ("a\u061cb", "ab"),  # Arabic letter mark
    ],
)
def test_clean_control_characters_removes(text, expected):
    assert clean_control_characters(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "こんにちは😀",
        "👨\u200d👩\u200d👧\u200d👦",  # family: ZWJ sequence
        "🏳️\u200d🌈",  # rainbow flag: VS16 + ZWJ
        "❤\ufe0f",  # variation selector 16
        "👍🏽",  # skin tone modifier
        "🇯🇵",  # regional indicators
        "\U0001f3f4\U000e0067\U000e0062\U000e0065\U000e006e\U000e0067\U000e007f",  # England: tag characters
        "ＡＢＣ　ｶﾀｶﾅ",  # NFC keeps full-width and half-width forms
        "ㇷ\u309a",  # no precomposed form: stays two code points
        "髙橋",
        "",
    ],
)
def test_clean_control_characters_keeps(text):
    assert clean_control_characters(text) == text


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("か\u3099", "が"),  # combining voiced mark composed
        ("は\u309a", "ぱ"),
        ("e\u0301", "é"),
        ("か\u200b\u3099", "が"),  # invisible character between base and mark
    ],
)
def test_clean_control_characters_nfc(text, expected):
    result = clean_control_characters(text)
    assert result == expected
    assert unicodedata.is_normalized("NFC", result)
