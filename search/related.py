"""
Related terms (a thesaurus learnt from text): ``related(term)`` gives the index terms whose words
are used in the same contexts as ``term`` (保育園 -> 保育所, 幼稚園; 神社 -> 参拝, 境内), each with a
weight from 0 to 1, for the lowest tier of the query's alternatives (``search.expansion``): a
document found only through a related term always comes after every document that has the word.

The table (``data/related.tsv.gz``) is derived from public word vectors (chiVe by Works
Applications, as shipped pruned in the ja-ginza 5.3.0 wheel) by ``search/tools/build_related.py``,
which says how; ``data/RELATED-NOTICE.md`` gives the sources and licences. It holds, for each of
about 16,000 content words of the analyser's vocabulary, its nearest words by cosine. Here they are
cut to ``TOP_K`` at ``MIN_COSINE`` (chosen on the dev half of the real-text set only). A place name
is neither expanded nor given as a neighbour below ``PLACE_COSINE``: a resident looking for 新宿
is not looking for 渋谷, although the two are written about alike. Nor is a sibling, which word
vectors put close to a word as they do its synonyms (``sibling``): a word of one character (夏 ->
冬, 秋) or a word of the same head with another modifier (高齢者 -> 障害者, 外国人 -> 日本人). The
table is read once per process, on first use.
"""

import gzip
import threading
from pathlib import Path

TABLE = Path(__file__).parent / "data" / "related.tsv.gz"
MIN_COSINE = 0.6
TOP_K = 8
PLACE_COSINE = 0.9  # a place name as the term or the neighbour: only (near) the same place
# The weight of a related term is its cosine scaled into (0, WEIGHT]: below every way of having the word.
WEIGHT = 0.3

_lock = threading.Lock()
_table = {}  # term -> (kind, "neighbour:cosine\t..."): parsed when asked (a few MB, not tens); {} until loaded
_readings = {}  # reading -> [term, ...]


def _load(path=TABLE):
    table, readings = {}, {}
    with gzip.open(path, "rt", encoding="utf-8") as handle:
        for line in handle:
            term, kind, read, *rest = line.rstrip("\n").split("\t", 3)
            table[term] = (kind, rest[0] if rest else "")
            if read:
                readings.setdefault(read, []).append(term)
    return table, readings


def neighbours(term):
    """((neighbour, cosine), ...) of ``term`` in the table, best first, uncut; () if it has none."""
    _kind, raw = table().get(term, ("", ""))
    return tuple((other, float(cosine)) for other, _sep, cosine in (pair.rpartition(":") for pair in raw.split("\t") if pair))


def table():
    """{term: (kind, its neighbours as stored)}, read on first use (``neighbours`` parses them)."""
    if not _table:
        with _lock:
            if not _table:
                table, readings = _load()
                _readings.update(readings)
                _table.update(table)
    return _table


def by_reading(kana):
    """The one term of the table read ``kana`` (in hiragana: ぼうさい -> 防災); "" if none or several (こうえん)."""
    table()
    found = _readings.get(kana, [])
    return found[0] if len(found) == 1 else ""


def sibling(term, other):
    """Is ``other`` a sibling of ``term`` rather than a related term: one character, or the same last character after another first one?"""
    return len(other) == 1 or (len(term) > 1 and term[-1] == other[-1] and term[0] != other[0])


def related(term, exclude=(), min_cosine=None, top_k=None):
    """
    [(related term, weight)] best first for an index ``term`` (a folded normalised form), without
    the terms in ``exclude`` (the word's own spellings); [] for a term the table does not have.
    """
    entries = table()
    kind = entries.get(term, ("", ""))[0]
    floor = MIN_COSINE if min_cosine is None else min_cosine
    out = []
    for other, cosine in neighbours(term):
        if cosine < floor or other in exclude or sibling(term, other):
            continue
        if (kind == "p" or entries.get(other, ("n",))[0] == "p") and cosine < PLACE_COSINE:
            continue
        out.append((other, round(WEIGHT * cosine, 3)))
        if len(out) >= (TOP_K if top_k is None else top_k):
            break
    return out


def forget():
    """Drop the process's copy (tests)."""
    with _lock:
        _table.clear()
        _readings.clear()
