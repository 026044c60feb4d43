"""
Text detectors for screening residents' posts: NG words, links, personal data, near-duplicates, and
invisible characters.

Everything here is a pure function of its arguments: no models, no database, no settings, so the rules
can be tested exhaustively and reused by the screening pipeline, the admin and management commands.

The detectors are Japanese-first. People who want to get a word past a filter write it in another
script (バカ / ばか / ﾊﾞｶ / ＢＡＫＡ), pad it (ば か, バ・カ, ばーか) or hide characters that are not
visible at all; people who post their phone number or address write it with full-width digits and any
of half a dozen dash-like characters. So every detector first brings the text to one form
(`screening_text` for words, `_unify_digits_and_dashes` for numbers) and then applies deliberately
conservative patterns: a false positive holds back an honest resident's post, so dates, postal codes,
prices and bare place names must not count as personal data.

The results are signals for the screening pipeline and the moderators, not verdicts on their own.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable

from search.text import normalize

# --------------------------------------------------------------------------------------------------
# Screening form
# --------------------------------------------------------------------------------------------------

# Katakana ァ (U+30A1) .. ヶ (U+30F6) and the iteration marks ヽヾ map to hiragana 0x60 code points lower.
# ヷヸヹヺ (U+30F7..U+30FA) have no hiragana counterpart and stay as they are.
_KATAKANA_TO_HIRAGANA = {code: code - 0x60 for code in range(0x30A1, 0x30F7)}
_KATAKANA_TO_HIRAGANA.update({0x30FD: 0x309D, 0x30FE: 0x309E})

# Long-vowel marks and wave dashes that stretch a word (ばーか, ば〜か). After NFKC the half-width ｰ is ー
# and the full-width ～ is ~.
_STRETCHERS = frozenset("ー〜~\u301c\u3030")

# Unicode general categories dropped from the screening form: all punctuation (P*: ・、。!?"'()「」-_ and the
# dashes), all separators (Z*: spaces), and math/modifier symbols (Sm, Sk: + = | < > ^ `). Letters, digits,
# marks, currency signs (Sc: ¥ $) and other symbols (So: emoji, ©, ★) are kept.
_DROPPED_CATEGORIES = ("P", "Z", "Sm", "Sk")


def _dropped(ch: str) -> bool:
    if ch in _STRETCHERS or ch.isspace():
        return True
    category = unicodedata.category(ch)
    return category.startswith(_DROPPED_CATEGORIES)


def screening_text(text: str) -> str:
    """
    The form in which texts and NG words are compared.

    Steps, in order:

    1. `search.text.normalize`: NFKC (full-width ASCII → ASCII: ＢＡＫＡ → baka, ２ → 2, ＠ → @;
       half-width kana → full-width: ﾊﾞｶ → バカ), control characters removed, lower case.
    2. Katakana → hiragana (バカ → ばか), so a word matches in either script.
    3. Removed entirely:
       - white space of every kind (ば か, ば　か);
       - the long-vowel mark ー and the wave dashes 〜 ~ 〰 (ばーか, ば〜か → ばか);
       - every punctuation character, Unicode category P* (・ 、 。 , . ! ? ' " ( ) 「 」 【 】 - _ / and
         all the dash characters ‐ ― –);
       - math and modifier symbols, categories Sm and Sk (+ = | < > ^ `).
       Kept: letters (kana, kanji, Latin), digits, combining marks, currency signs and other symbols such as
       emoji (an emoji-only post still has a screening form).
    4. NFC, so that a voiced mark separated by padding recomposes: NFKC turns the spacing mark ゛ into a space
       plus a combining mark, and once the space is gone は゛か becomes ばか.

    Removing rather than replacing means words also match across the boundaries of legitimate words; NG
    words should therefore be specific enough (the result is a signal for moderation, see `find_ng_words`).
    """
    text = normalize(text).translate(_KATAKANA_TO_HIRAGANA)
    text = "".join(ch for ch in text if not _dropped(ch))
    return unicodedata.normalize("NFC", text)


def find_ng_words(text: str, words: Iterable[str]) -> list[str]:
    """
    The NG words, as given (first occurrence, in the given order, without repeats), whose screening form
    occurs anywhere in the text's screening form. Words that are empty after screening are ignored: they
    would match every text.

    Matching is by substring, as Japanese has no spaces between words: ばか also matches inside ばかり.
    The word list has to take that into account.
    """
    screened = screening_text(text)
    found: list[str] = []
    seen: set[str] = set()
    for word in words:
        if not word or word in seen:
            continue
        seen.add(word)
        needle = screening_text(word)
        if needle and needle in screened:
            found.append(word)
    return found


# --------------------------------------------------------------------------------------------------
# Links
# --------------------------------------------------------------------------------------------------

# Every "http://" or "https://" followed by a host character starts a link, so links written back to back
# ("https://a.jpとhttps://b.jp", "https://a.jp,https://b.jp") count separately.
_URL = re.compile(r"(?<![a-z0-9])https?://[a-z0-9\[\u0080-\uffff]", re.IGNORECASE)
# A bare host: www. + label + at least one more dotted label, not part of a URL or an e-mail address.
# The look-behind is ASCII-only so that Japanese text may run right up to it (詳細はwww.example.jpへ).
_WWW = re.compile(r"(?<![a-z0-9._:/@-])www\d?\.[a-z0-9-]+(?:\.[a-z0-9-]+)+", re.IGNORECASE)


def count_links(text: str) -> int:
    """
    The number of links in the text: http/https URLs plus bare hosts starting with www. (www.example.jp).

    The text is NFKC-normalised first, so full-width ｈｔｔｐｓ：／／ and ｗｗｗ． count. HTML is not parsed:
    a URL in an `href="..."` attribute counts like any other, and `<a href="https://x.jp">https://x.jp</a>`
    counts twice (each occurrence is one more link a reader or a crawler sees, which is what a link limit is
    about). A www. host that is part of a URL (https://www.example.jp) counts once, as the URL.
    """
    text = unicodedata.normalize("NFKC", text or "")
    return len(_URL.findall(text)) + len(_WWW.findall(text))


# --------------------------------------------------------------------------------------------------
# Personal data
# --------------------------------------------------------------------------------------------------

# Characters people use as a hyphen in phone numbers and addresses (after NFKC): the long-vowel mark, the
# Unicode hyphens and dashes, the minus sign.
_DASHES = re.compile("[ー\u2010\u2011\u2012\u2013\u2014\u2015\u2043\u2212\ufe58\ufe63\uff0d]")


def _unify_digits_and_dashes(text: str) -> str:
    """NFKC (full-width digits, letters, ＠, （ ）) and every dash-like character as "-"."""
    return _DASHES.sub("-", unicodedata.normalize("NFKC", text or ""))


# Phone numbers. A candidate is a run of 10 or 11 digits, written as one block, in three groups with the same
# separator ("-", "." or a space) or with the area code in parentheses; `_is_japanese_phone` then checks the
# number plan. Digits may not continue on either side, so parts of longer numbers never count.
_PHONE_CANDIDATES = (
    re.compile(r"(?<!\d)(?<!\d[.-])(0\d{1,4})([-. ]?)(\d{1,4})\2(\d{3,4})(?![\d-]|\.\d)"),  # 03-1234-5678, 0312345678
    re.compile(r"(?<!\d)(?<!\d[.-])\((0\d{1,4})\) ?(\d{1,4})-?(\d{3,4})(?![\d-]|\.\d)"),  # (03)1234-5678
    re.compile(r"(?<!\d)(?<!\d[.-])(0\d{1,4})\((\d{1,4})\)(\d{3,4})(?![\d-]|\.\d)"),  # 03(1234)5678
    re.compile(r"\+81[-. ]?\(?0?\)?(\d{1,4})[-. ]?(\d{1,4})[-. ]?(\d{3,4})(?![\d-]|\.\d)"),  # +81-3-1234-5678
)
# 11-digit numbers: mobile (070/080/090), IP phones (050), free dial 0800, M2M/pagers (020, 060).
_ELEVEN_DIGIT_PREFIXES = ("020", "050", "060", "070", "080", "090", "0800")


def _is_japanese_phone(digits: str) -> bool:
    """A domestic number (leading 0, not the international prefix 00) of the right length for its prefix."""
    if not digits.startswith("0") or digits.startswith("00"):
        return False
    if len(digits) == 11:
        return digits.startswith(_ELEVEN_DIGIT_PREFIXES)
    if len(digits) == 10:  # fixed lines, 0120 / 0570 / 0990
        return not digits.startswith(_ELEVEN_DIGIT_PREFIXES)
    return False


def _has_phone(text: str) -> bool:
    for number, pattern in enumerate(_PHONE_CANDIDATES):
        for match in pattern.finditer(text):
            digits = "".join(group for group in match.groups() if group and group.isdigit())
            if number == len(_PHONE_CANDIDATES) - 1:  # +81: the trunk prefix 0 is implied
                digits = "0" + digits
            if _is_japanese_phone(digits):
                return True
    return False


# E-mail addresses, after NFKC (so ＠ is @ and full-width letters are ASCII). The @ may be written as
# (at) [at] {at} <at>, アットマーク / あっとまーく, or ★ ☆ (Japanese sites ask for "★を@に"), and a dot as (dot) [dot].
# (The dashes are already "-" when this runs.) A bare " at " is not accepted: "look at example.com" is ordinary English.
_AT = r"(?:@|\s*[(\[{<]\s*at\s*[)\]}>]\s*|\s*(?:アットマ[ー-]ク|あっとま[ー-]く)\s*|[★☆])"
_DOT = r"(?:\.|\s*[(\[{<]\s*dot\s*[)\]}>]\s*)"
_EMAIL = re.compile(
    rf"(?<![a-z0-9._%+-])[a-z0-9][a-z0-9._%+-]*{_AT}"
    rf"[a-z0-9](?:[a-z0-9-]*[a-z0-9])?(?:{_DOT}[a-z0-9](?:[a-z0-9-]*[a-z0-9])?)*{_DOT}[a-z]{{2,}}(?![a-z0-9])",
    re.IGNORECASE,
)

# Street addresses: only forms with a block number count; a district, a station or a ward name alone is
# what residents write about all the time.
_PLACE = r"[\u3005\u3041-\u3096\u30a1-\u30fa\u30fc\u4e00-\u9fff]"  # kanji, 々, kana, ー
_KANJI_NUMBER = r"[一二三四五六七八九十]{1,3}"
# 番 as a platform, exit or rank (3番線, 1番出口, 2番目, 5番のりば) is not a block number.
_NOT_PLATFORM = r"(?!線|出口|目|のりば|乗り?場|ホーム)"
# Counters after which "2-3" is a range of things, not a block number (2-3人, 1-2回, 3-4階).
_COUNTERS = r"[人名回歳才時分秒日月年枚個円%位点本冊件階週組列部章節話巻度号割倍]"
_ADDRESS_PATTERNS = (
    # 二丁目3番4号, 西新宿1丁目2-3, 2丁目8番地: a chome followed by a block number.
    re.compile(rf"(?:\d{{1,2}}|{_KANJI_NUMBER})丁目 ?\d{{1,4}} ?(?:番地|番{_NOT_PLATFORM}|-\d|の\d)"),
    # 大久保123番地, 大久保3番4号 (not 3番線, 1番出口, 2番目).
    re.compile(rf"{_PLACE} ?\d{{1,4}} ?(?:番地|番{_NOT_PLATFORM} ?\d{{1,4}} ?号)"),
    # 大久保2-3-4, 歌舞伎町1-2-3: a place name right before three groups; the first is a small number
    # without a leading zero, so dates (2026-11-26) and phone numbers (03-1234-5678) do not match.
    re.compile(rf"{_PLACE} ?[1-9]\d?-\d{{1,4}}-\d{{1,4}}(?![\d-])"),
    # 新宿区西新宿2-8: two groups only after a municipality (都道府県区市町村) within the place name.
    re.compile(rf"[都道府県区市町村]{_PLACE}{{0,8}} ?[1-9]\d?-\d{{1,4}}(?![\d-]| ?{_COUNTERS})"),
)


def find_personal_data(text: str) -> list[str]:
    """
    The kinds of personal data in the text, sorted, each once: any of "address", "email", "phone".

    - phone: Japanese numbers by the number plan: 10-digit fixed lines (03-1234-5678, 0312345678,
      (03)1234-5678, 03(1234)5678), free dial 0120 / 0570, and 11-digit 070/080/090 mobiles, 050 IP phones and
      0800 numbers, also +81 forms. Full-width digits and any dash (ー － ‐ ― −) count once normalised. Dates
      (2026-11-26), years, postal codes (160-0022: too few digits) and prices do not start with 0 or have the
      wrong length.
    - email: local@domain.tld, also with ＠, (at)/[at]/アットマーク/★ for @ and (dot) for a dot.
    - address: a place name with a block number: 新宿区大久保2-3-4, 大久保二丁目3番4号, 西新宿1丁目2-3,
      大久保123番地, 新宿区西新宿2-8. A bare district, station or ward (大久保, 新宿駅, 新宿区), a venue
      described without numbers, ranges of counted things (区民2-3人) and platform or exit numbers (3番線,
      1番出口) do not count.

    The patterns are conservative: a resident's post held back for nothing costs more than a number a
    moderator has to spot.
    """
    text = _unify_digits_and_dashes(text)
    kinds = []
    if any(pattern.search(text) for pattern in _ADDRESS_PATTERNS):
        kinds.append("address")
    if _EMAIL.search(text):
        kinds.append("email")
    if _has_phone(text):
        kinds.append("phone")
    return kinds


# --------------------------------------------------------------------------------------------------
# Near-duplicates
# --------------------------------------------------------------------------------------------------


def shingles(text: str, size: int = 3) -> set[str]:
    """
    The set of character n-grams (default 3) of the text's screening form. Character n-grams rather than
    words because Japanese has no spaces; comparing screening forms means a copy with different spacing,
    punctuation, width or kana script is still a copy. A screening form shorter than `size` is one shingle
    (the whole form); an empty one has none.
    """
    if size < 1:
        raise ValueError("size must be at least 1")
    screened = screening_text(text)
    if len(screened) <= size:
        return {screened} if screened else set()
    return {screened[i:i + size] for i in range(len(screened) - size + 1)}


def _jaccard(a: set[str], b: set[str]) -> float:
    if not a and not b:
        return 1.0
    return len(a & b) / len(a | b)


def similarity(a: str, b: str) -> float:
    """
    Jaccard similarity (shared / all distinct) of the two texts' 3-gram shingles, from 0.0 to 1.0.

    Identical screening forms give 1.0, including two texts that are both empty once screened (for example
    "!!!" and "。。。": neither says anything the other does not).
    """
    return _jaccard(shingles(a), shingles(b))


def is_near_duplicate(text: str, others: Iterable[str], threshold: float = 0.85) -> bool:
    """Whether the text's similarity to any of `others` is at least `threshold` (reposts, copy-paste spam)."""
    own = shingles(text)
    return any(_jaccard(own, shingles(other)) >= threshold for other in others)


# --------------------------------------------------------------------------------------------------
# Invisible characters
# --------------------------------------------------------------------------------------------------

# Zero-width and bidirectional formatting characters: invisible, so they can split an NG word for a
# filter without a reader noticing, or (bidi overrides, "Trojan Source") make text display in a different
# order from the one stored. U+200D ZERO WIDTH JOINER is kept: emoji sequences such as 👨‍👩‍👧 need it.
# Besides the zero-width space/non-joiner and the bidi marks, embeddings, overrides and isolates, removed:
# U+061C ARABIC LETTER MARK (a bidi mark), U+180E MONGOLIAN VOWEL SEPARATOR (formerly zero-width), U+2060..U+2064
# (word joiner, invisible operators), U+FEFF (byte-order mark / zero-width no-break space).
_INVISIBLE = re.compile("[\u061c\u180e\u200b\u200c\u200e\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff]")
# C0 and C1 control characters except tab and line feed; DEL too.
_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f]")
_NEWLINES = re.compile("\r\n?|[\u2028\u2029\x85]")


def clean_control_characters(text: str) -> str:
    """
    The text as it should be stored: no control or invisible formatting characters, Unix newlines, NFC.

    - "\\r\\n", "\\r", NEL (U+0085) and the Unicode line/paragraph separators (U+2028, U+2029) become "\\n",
      so line counting and display agree everywhere;
    - C0 and C1 control characters except "\\n" and "\\t" are removed (they have no business in a post and
      some break terminals, logs or XML);
    - zero-width and bidi formatting characters are removed (see `_INVISIBLE`), but U+200D ZERO WIDTH
      JOINER is kept for emoji sequences, as are variation selectors (U+FE0F) and emoji tag characters;
    - combining characters are kept, and NFC then composes what has a precomposed form (か + U+3099 → が,
      e + U+0301 → é) and leaves the rest (ㇷ + U+309A stays two code points). NFC, unlike NFKC, does not
      change full-width letters or half-width kana: what the resident typed is what is shown.
    """
    text = _NEWLINES.sub("\n", text or "")
    text = _CONTROL.sub("", text)
    text = _INVISIBLE.sub("", text)
    return unicodedata.normalize("NFC", text)
