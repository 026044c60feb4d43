"""
A resident's query as words, each with the alternative ways a document may contain it, and the
ranking that puts the documents with every word first.

Each word typed (words are separated by spaces) has alternatives, each a set of terms that must
all be in a document (``search.analysis.index_terms`` wrote them at index time):

- ``surface``: the units as typed (申込 when the dictionary would say 申し込み);
- ``normal``: their normalised forms (the dictionary's: 申し込み, 子供 for 子ども/こども);
- ``compound``: the longer units of split mode C (認可保育園);
- ``synonym``: the editors' synonym list (``search.synonyms``) and common homophone slips;
- ``reading``: a word typed in kana by its reading (ほいくえん finds 保育園); a word typed in kanji
  written in kana (保育園 finds ほいくえん), never in other kanji read alike (公園 does not find
  講演; the common slips such as 検診/健診 are in ``HOMOPHONES``).

A word of several units also has ``parts`` (子育て支援 -> 子育て, 支援): a document with some of
them is listed after the documents that have the word.

A word also has ``related`` terms (``search.related``: 保育園 -> 保育所, 学童; a kana word those of
the word so read, a compound those of its last unit at half weight), the lowest tier: they count
only for a document with no other way of having the word (not even one of its parts), at a
weight of at most ``related.WEIGHT`` (0.3): below every way of having the word itself and below
all of a compound's parts (``PART_WEIGHT``), though not below one part of several. In a query of
two words a related term may so stand in for a missing one. They are asked for only with the
loose expression, after the documents that have the words.

``rank`` orders candidates by: how many words the document has (the coordination factor), then
how well (surface > normalised/compound > synonym > reading > parts > related; in the title a little
more), then the backend's own relevance. The same function orders the candidates of every
backend, so the backends agree.
"""

import re
from dataclasses import dataclass, field

from .analysis import _DROPPED_POS, _KANA, _fold, _pos, _reading, _split_mode, _tokenizer, fold_variants, reading_term
from .text import normalize

WEIGHTS = {"surface": 1.0, "normal": 0.95, "compound": 0.95, "synonym": 0.85, "reading": 0.7}
FULL = 0.7  # a word counts as present from this weight (a reading match is the word)
PART_WEIGHT = 0.4  # a document with all the parts of a word but not the word itself
TITLE_BONUS = 0.05
EXACT_TITLE_BONUS = 0.3
MAX_ALTERNATIVES = 12
MAX_RELATED = 8
HEAD_SCALE = 0.5  # a compound's related terms through its head
_HIRAGANA = re.compile(r"^[\u3041-\u309f\u30fc]+$")
_HAS_KANA = re.compile(r"[\u3041-\u309f\u30a1-\u30ff]")

# Common slips between words that sound alike, as residents type them (query side only).
HOMOPHONES = {
    "観賞": ["鑑賞"], "鑑賞": ["観賞"], "保険センター": ["保健センター"], "保険所": ["保健所"],
    "検診": ["健診"], "健診": ["検診"], "講演会": ["公演"], "公演": ["講演会"], "以外": ["意外"],
    "移動": ["異動"], "異動": ["移動"], "体制": ["態勢"], "開放": ["解放"], "解放": ["開放"],
    "補償": ["保障"], "保障": ["補償"], "追求": ["追及"], "収集": ["収拾"], "対象": ["対称"],
}


@dataclass
class Word:
    text: str
    alternatives: list = field(default_factory=list)  # [(kind, (term, ...))]
    parts: tuple = ()
    related: tuple = ()  # ((term, weight), ...): the lowest tier


def _units(text, mode):
    out = []
    for m in _tokenizer().tokenize(text, _split_mode(mode)):
        if _pos(m.part_of_speech_id()) not in _DROPPED_POS:
            out.append((_fold(m.surface()), _fold(m.normalized_form()), _reading(m)))
    return out


def _compound_of_common_nouns(text):
    """Is ``text`` a compound of common nouns (子育て支援, 保険センター)? Not a name, not a phrase with a verb."""
    units = [m.part_of_speech() for m in _tokenizer().tokenize(text, _split_mode("A"))]
    return len(units) > 1 and all(
        pos[0] in ("名詞", "接頭辞", "接尾辞") and pos[1] != "固有名詞" for pos in units)


def _add(word, kind, terms):
    terms = tuple(dict.fromkeys(t.replace(" ", "") for t in terms if t.strip()))
    if terms and all(terms != existing for _kind, existing in word.alternatives):
        word.alternatives.append((kind, terms))


def analyse_word(text, synonyms=()):
    """The ``Word`` for one typed word, with ``synonyms`` (other spellings from the editors' list)."""
    folded = fold_variants(normalize(text))
    word = Word(text=folded)
    short, long_ = _units(folded, "A"), _units(folded, "C")
    if not short:
        return word
    kana = bool(_KANA.match(folded))
    one_word = len(short) == 1 and short[0][0] == _fold(folded)  # nothing cut off (こそだて: こそ is a particle)
    if kana:
        # Typed in kana: the word by its reading, written in kanji or in kana alike (ゴミ, こども,
        # ひなんじょ); as good as the typed form when the dictionary reads the kana as one word.
        _add(word, "surface" if one_word else "reading", [reading_term(_fold(folded))])
    if one_word or not _HIRAGANA.match(folded):
        # A word in hiragana that the dictionary cuts in pieces (かいご -> かい / ご) is found by its
        # reading alone: the pieces would match anything.
        if not kana or len(short) > 1:
            _add(word, "surface", [surface for surface, _n, _r in short])
        _add(word, "normal", [normal for _s, normal, _r in short])
        _add(word, "compound", [normal for _s, normal, _r in long_])
        # The whole word as one unit: the dictionary may keep in running text what it splits alone
        # (新大久保 is one unit in 「…のコリアンタウン新大久保。」, 新 / 大久保 as a query).
        if not kana:  # (in kana, the reading above is the whole word)
            _add(word, "compound", [_fold(folded)])
    for other in list(synonyms) + HOMOPHONES.get(folded, []):
        _add(word, "synonym", [normal for _s, normal, _r in _units(fold_variants(normalize(other)), "A")])
    if not kana and all(read for _s, _n, read in long_):
        # Typed in kanji: the word written in kana, where the dictionary does not join them already
        # (こども is 子供: found as normalised). Other spellings read alike only for a word of several
        # units or with kana (盆踊り = 盆おどり, 新大久保): a short kanji word has homophones (公園 ≠ 講演).
        read = "".join(read for _s, _n, read in long_)
        if [normal for _s, normal, _r in _units(read, "A")] != [normal for _s, normal, _r in short]:
            _add(word, "reading", [read])
        if len(short) > 1 or _HAS_KANA.search(folded):
            _add(word, "reading", [reading_term(read)])
    word.alternatives = word.alternatives[:MAX_ALTERNATIVES]
    word.related = _related(word, short, long_)
    normals = tuple(dict.fromkeys(normal for _s, normal, _r in short))
    if len(normals) > 1 and not _HIRAGANA.match(folded) and _compound_of_common_nouns(folded):
        parts = tuple(p for p in normals if len(p) > 1 or not _HIRAGANA.match(p))
        word.parts = parts if len(parts) > 1 else ()
    return word


def _related(word, short, long_):
    """
    Related terms of a word, less its own spellings: of the word as one unit (split mode C), of
    the word that a kana word is read as when the table has one word so read (ボウサイ -> 防災),
    or, for a compound of common nouns, of its last unit (the head: 総合防災 -> 防災) at half weight.
    """
    from . import related

    own = {term for _kind, terms in word.alternatives for term in terms}
    units = long_ if len(long_) == 1 else short if len(short) == 1 else []
    key, scale = (units[0][1], 1.0) if units else ("", 1.0)
    if key and key not in related.table() and _KANA.match(word.text):
        key = related.by_reading(_fold(word.text))
    if not key and word.parts:
        key, scale = word.parts[-1], HEAD_SCALE
    found = related.related(key, exclude=own)[:MAX_RELATED] if key else []
    return tuple((term, round(weight * scale, 3)) for term, weight in found)


def query_words(query, expand=None):
    """The words of a normalised query, with their alternatives."""
    from . import analysis

    words = []
    for text in dict.fromkeys(query.split()):
        if analysis.STRATEGY == "bigram":  # the comparison `make bench-search` prints
            words.append(Word(text=text, alternatives=[("normal", tuple(analysis.query_terms(text, "bigram")))]))
            continue
        word = analyse_word(text, expand(text) if expand else ())
        if word.alternatives:
            words.append(word)
    return words


def strict_expression(words):
    """Every word (any of its alternatives): [[alternative terms, ...] per word]."""
    return [[terms for _kind, terms in word.alternatives] for word in words]


def finds_alone(part):
    """
    May a document be listed for having this part of a word and no longer one? Not a part of one
    character (所 of 保育所 says too little alone: 印刷所, 集会所): it counts only beside a longer part.
    """
    return len(part) > 1


def parts_found(present):
    """Do the ``present`` parts of a word count for a document (at least one that ``finds_alone``)?"""
    return any(finds_alone(part) for part in present)


def loose_expression(words):
    """Any alternative or part of any word: one OR group."""
    group = [terms for word in words for _kind, terms in word.alternatives]
    group += [(part,) for word in words for part in word.parts if finds_alone(part)]
    group += [(term,) for word in words for term, _weight in word.related]
    return [list(dict.fromkeys(group))]


def needs_loose(words):
    return len(words) > 1 or any(word.parts or word.related for word in words)


def word_weight(word, terms, title_terms):
    """How well a document with ``terms`` (and ``title_terms``) has ``word``: 0 (not at all) .. 1."""
    best = 0.0
    for kind, alternative in word.alternatives:
        if WEIGHTS[kind] > best and all(t in terms for t in alternative):
            best = WEIGHTS[kind] + (TITLE_BONUS if all(t in title_terms for t in alternative) else 0.0)
    if best == 0.0 and word.parts:
        present = [part for part in word.parts if part in terms]
        if parts_found(present):
            best = PART_WEIGHT * len(present) / len(word.parts)
    if best == 0.0:  # the lowest tier: only for a document with no other way of having the word
        best = max((weight for term, weight in word.related if term in terms), default=0.0)
    return best


class _Terms:
    """``term in fields``: a whole term of the stored, space-separated fields (no split needed)."""

    def __init__(self, *fields):
        self.padded = " " + " ".join(fields) + " "

    def __contains__(self, term):
        return f" {term} " in self.padded


def document_match(words, title_terms, body_terms):
    """(words present, summed weight) for a document's stored term fields."""
    title = _Terms(title_terms)
    terms = _Terms(title_terms, body_terms)
    weights = [word_weight(word, terms, title) for word in words]
    return sum(1 for w in weights if w >= FULL), sum(weights)
