"""
Japanese text analysis, the same at index time and at query time, on every backend.

Text is turned into *terms* here, in Python, and the backends only ever see terms separated by
spaces (SQLite FTS5's unicode61 tokenizer, PostgreSQL's ``simple`` configuration and the search
engine's ``whitespace`` analyzer all split on spaces and nothing else changes the terms). So a
word is found the same way on SQLite, PostgreSQL and OpenSearch/Elasticsearch, and index-time and
query-time analysis cannot drift apart.

Strategy ``sudachi`` (the default; see README "Search" for the measurement that chose it):
SudachiPy with SudachiDict-core, split mode A (the shortest units: 子育て支援センター ->
子育て / 支援 / センター, so a word is found inside a compound and inside running text), each unit
replaced by its *normalized form* from the dictionary, which folds orthographic variants:
申し込み/申込み/申込 -> 申し込み, こども/子ども/子供 -> 子供, コンピュータ -> コンピューター,
ｻｰﾋﾞｽ -> サービス. Width is folded first (NFKC: ＡＥＤ -> aed, ２０２６ -> 2026), then case. A
katakana word of four or more characters loses a final long-vowel mark (the rule of Lucene's
kuromoji stemmer), which catches the variants the dictionary does not know; then katakana is
written as hiragana, so ゴミ and ごみ are one term. Particles,
auxiliary verbs and punctuation are dropped.

Strategy ``bigram``: overlapping character pairs of each run of kana/kanji (ASCII words whole),
after NFKC. Finds any string inside running text but folds no variants; kept for the comparison
that ``make bench-search`` prints.
"""

import functools
import re
import threading
import unicodedata

from .text import normalize

STRATEGY = "sudachi"  # "bigram" only for the comparison in `make bench-search`

# Parts of speech that carry no meaning for search.
_DROPPED_POS = {"助詞", "助動詞", "補助記号", "空白", "記号"}
_KATAKANA_WORD = re.compile(r"^[\u30a1-\u30fa\u30fc]{4,}$")
_WORD_CHARS = re.compile(r"[0-9a-z]+|[\u3041-\u3096\u30a1-\u30fa\u30fc\u3005\u4e00-\u9fff\uf900-\ufaff]+")

_local = threading.local()


def _tokenizer():
    """One Sudachi tokenizer per thread (the dictionary itself is shared and loaded once)."""
    tokenizer = getattr(_local, "tokenizer", None)
    if tokenizer is None:
        tokenizer = _dictionary().tokenizer()
        _local.tokenizer = tokenizer
    return tokenizer


@functools.cache
def _dictionary():
    import warnings

    from sudachipy import Dictionary

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        return Dictionary(dict="core")


@functools.cache
def _pos(pos_id):
    return _dictionary().pos_of(pos_id)[0]


def _split_mode(name):
    from sudachipy import SplitMode

    return getattr(SplitMode, name)


@functools.lru_cache(maxsize=100_000)
def _fold(term):
    term = unicodedata.normalize("NFKC", term).lower()
    if _KATAKANA_WORD.match(term) and term.endswith("ー"):
        term = term.rstrip("ー")
    # Kana of either script compare equal (ゴミ = ごみ): the dictionary does not fold them.
    return to_hiragana(term)


# Sudachi refuses inputs longer than about 49,000 bytes; documents are analysed in pieces.
_CHUNK = 8000


def _chunks(text):
    for start in range(0, len(text), _CHUNK):
        yield text[start:start + _CHUNK]


def morphemes(text, mode="A"):
    """(surface, term, begin, end, part of speech) for each kept unit of ``text`` (offsets in ``text``)."""
    tokenizer = _tokenizer()
    split = _split_mode(mode)
    offset = 0
    for chunk in _chunks(text):
        for m in tokenizer.tokenize(chunk, split):
            pos = _pos(m.part_of_speech_id())
            if pos in _DROPPED_POS:
                continue
            term = _fold(m.normalized_form())
            if term.strip():
                yield m.surface(), term, offset + m.begin(), offset + m.end(), pos
        offset += len(chunk)


def _sudachi_terms(text):
    return [term for _surface, term, _b, _e, _pos in morphemes(normalize(text))]


def _bigram_terms(text):
    terms = []
    for run in _WORD_CHARS.findall(normalize(text)):
        if run.isascii() or len(run) == 1:
            terms.append(run)
        else:
            terms.extend(run[i:i + 2] for i in range(len(run) - 1))
    return terms


def analyze(text, strategy=None):
    """The terms of ``text`` (in order, with repeats), as stored in the index and searched for."""
    strategy = strategy or STRATEGY
    if not text:
        return []
    terms = _bigram_terms(text) if strategy == "bigram" else _sudachi_terms(text)
    # Terms are joined with spaces for the backends: no term may contain one.
    return [term.replace(" ", "") for term in terms if term.strip()]


def query_terms(text, strategy=None):
    """The distinct terms of a query, in the order typed."""
    return list(dict.fromkeys(analyze(text, strategy)))


# Old-style and variant kanji written for the standard one (髙田 = 高田, 﨑 = 崎, 稻 = 稲 ...).
ITAIJI = str.maketrans({
    "髙": "高", "﨑": "崎", "𠮷": "吉", "德": "徳", "稻": "稲", "樂": "楽", "國": "国", "澤": "沢", "邊": "辺",
    "邉": "辺", "濱": "浜", "齋": "斎", "齊": "斉", "廣": "広", "櫻": "桜", "戶": "戸", "淸": "清", "舊": "旧",
    "瀨": "瀬", "禮": "礼", "惠": "恵", "增": "増", "眞": "真", "嶋": "島", "嶌": "島", "圓": "円", "會": "会",
    "關": "関", "驛": "駅", "區": "区", "縣": "県", "寶": "宝", "藏": "蔵", "壽": "寿", "鐵": "鉄", "氣": "気",
    "黑": "黒", "萬": "万", "學": "学", "檢": "検", "實": "実", "條": "条", "體": "体", "團": "団", "當": "当",
    "觀": "観", "讀": "読", "賣": "売", "雜": "雑", "兒": "児", "祕": "秘", "榮": "栄", "龜": "亀",
    "瀧": "滝", "莊": "荘", "淺": "浅", "步": "歩", "髮": "髪", "冨": "富", "槇": "槙", "穗": "穂",
})
# ケ・ヵ・が between a kanji and a place-name ending are written ヶ, ツ・っ are written ッ (市ケ谷 =
# 市が谷 = 市ヶ谷, 四ツ谷 = 四っ谷 = 四ッ谷, 霞ケ丘 = 霞ヶ丘): the dictionary knows the ヶ/ッ spellings.
# 市谷 / 四谷 without the kana are other words to the dictionary: the synonym list joins them.
_PLACE_KANA = re.compile(r"(?<=[\u4e00-\u9fff])([ヶケヵが]|[ッツっ])(?=[谷丘岡崎原関浦島池沢窪淵根塚森])")


def _place_kana(match):
    return "ッ" if match.group(1) in "ッツっ" else "ヶ"


def fold_variants(text):
    """Variant kanji and the small/large kana of place names, folded before analysis (both sides)."""
    return _PLACE_KANA.sub(_place_kana, text.translate(ITAIJI))


_KANA = re.compile(r"^[\u3041-\u309f\u30a1-\u30ff]+$")
READING_RUN = 4  # readings of up to this many consecutive units are indexed (新宿 + 御苑 -> しんじゅくぎょえん)
# Readings are stored marked (ヨほいくえん), apart from words written in kana (ほいくえん): a word typed
# in kana is looked up among both; a short word typed in kanji only among the words written in kana,
# so 公園 does not find 講演 (both こうえん) nor 保健 find 保険 (search.expansion). Stored terms are
# hiragana, so a leading katakana character is never part of another term (and every backend keeps
# it inside the term: SQLite's unicode61, PostgreSQL's simple parser, the engine's whitespace).
READING_MARK = "ヨ"


def reading_term(kana):
    """The stored term of a reading (in hiragana): ほいくえん -> ヨほいくえん."""
    return READING_MARK + kana


def _reading(m):
    """The folded reading of a Sudachi unit, or "" when it has none in kana."""
    form = m.reading_form()
    return _fold(form) if form and _KANA.match(form) else ""


_VOICED = str.maketrans("かきくけこさしすせそたちつてとはひふへほ", "がぎぐげござじずぜぞだぢづでどばびぶべぼ")


def _is_kanji(text):
    return all("\u4e00" <= ch <= "\u9fff" for ch in text)


def _rendaku(read):
    """The reading of a one-kanji unit voiced as it is after another unit (所 しょ -> じょ), or ""."""
    voiced = read[:1].translate(_VOICED) + read[1:] if read else ""
    return voiced if voiced != read else ""


def index_terms(text):
    """
    Every term a document is found by: the normalised form of each short unit (split mode A), its
    surface when the dictionary normalises it (申込 -> 申し込み: both); each longer unit of split
    mode C (認可保育園 besides 認可 / 保育 / 園) and its reading; the readings, in hiragana and
    marked (``reading_term``), of runs of up to ``READING_RUN`` consecutive short units (保育 + 園
    -> ヨほいくえん, 新宿 + 御苑 -> ヨしんじゅくぎょえん; a last unit of one kanji also voiced, as
    in compounds: 避難 + 所 -> ヨひなんじょ), so a word typed in kana finds the kanji, and a word
    typed in kanji finds it written in kana but not its homophones in other kanji.
    """
    if not text:
        return []
    text = fold_variants(normalize(text))
    terms = []
    tokenizer = _tokenizer()
    for chunk in _chunks(text):
        run = []
        for m in tokenizer.tokenize(chunk, _split_mode("A")):
            if _pos(m.part_of_speech_id()) in _DROPPED_POS:
                run = []
                continue
            term, surface, read = _fold(m.normalized_form()), _fold(m.surface()), _reading(m)
            terms += [term] + ([surface] if surface != term else [])
            run = (run + [read])[-READING_RUN:]
            voiced = _rendaku(read) if len(m.surface()) == 1 and _is_kanji(m.surface()) else ""
            for size in range(1, len(run) + 1):
                joined = "".join(run[-size:]) if all(run[-size:]) else ""
                if len(joined) >= 2:
                    terms.append(reading_term(joined))
                if size > 1 and joined and voiced:  # 避難 + 所 -> ひなんじょ besides ひなんしょ
                    terms.append(reading_term(joined[:-len(read)] + voiced))
        for m in tokenizer.tokenize(chunk, _split_mode("C")):
            if len(m.surface()) > 1 and _pos(m.part_of_speech_id()) not in _DROPPED_POS:
                normal, read = _fold(m.normalized_form()), _reading(m)
                terms += [normal] if len(normal) >= 2 else []
                terms += [reading_term(read)] if len(read) >= 2 else []
    return [term.replace(" ", "") for term in terms if term.strip()]


def index_fields(title, body, strategy=None):
    """The stored term fields of a document (SearchDocument.title_terms / body_terms)."""
    if (strategy or STRATEGY) == "bigram":
        return {"title_terms": " ".join(analyze(title, "bigram")), "body_terms": " ".join(analyze(body, "bigram"))}
    return {"title_terms": " ".join(index_terms(title)), "body_terms": " ".join(index_terms(body))}


def to_hiragana(text):
    return "".join(chr(ord(ch) - 0x60) if "\u30a1" <= ch <= "\u30f6" else ch for ch in text)


def reading(text):
    """The reading of ``text`` in hiragana (子育て支援 -> こそだてしえん), for completion by kana."""
    tokenizer = _tokenizer()
    parts = []
    for chunk in _chunks(normalize(text)):
        for m in tokenizer.tokenize(chunk, _split_mode("C")):
            parts.append(m.reading_form() if m.reading_form() and m.reading_form() != "キゴウ" else m.surface())
    return to_hiragana("".join(parts)).lower()


def completion_phrases(text):
    """
    Words worth completing to, from a title: each noun of two or more characters and each run of
    consecutive nouns (子育て支援センター), with its reading: [(phrase, reading), ...].
    """
    tokenizer = _tokenizer()
    found = {}
    run = []

    def flush():
        if len(run) > 1:
            phrase = "".join(surface for surface, _ in run)
            found.setdefault(phrase, "".join(r for _, r in run))
        run.clear()

    for m in tokenizer.tokenize(normalize(text)[:_CHUNK], _split_mode("C")):
        if m.part_of_speech()[0] == "名詞" and m.part_of_speech()[1] != "数詞":
            surface = m.surface()
            read = to_hiragana(m.reading_form() or surface)
            run.append((surface, read))
            if len(surface) >= 2:
                found.setdefault(surface, read)
        else:
            flush()
    flush()
    return [(phrase[:100], read[:200].lower()) for phrase, read in found.items()]
