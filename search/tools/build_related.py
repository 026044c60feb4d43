"""
Build ``search/data/related.tsv.gz``, the related-term table of ``search.related``, from public
distributional word vectors.

Source: the PyPI wheel ``ja-ginza==5.3.0`` (MIT licence), directory ``ja_ginza/ja_ginza-5.3.0/vocab/``:
``vectors`` (a NumPy .npy array, 20,000 x 300 float32), ``key2row`` (msgpack map: spaCy string hash
-> row, 480,443 keys) and ``strings.json`` (the strings). The vectors are derived from chiVe
(Works Applications, Apache-2.0), trained on the NINJAL Web Japanese Corpus with Sudachi's
normalised forms; GiNZA pruned them to the 20,000 most frequent words (rows 0..19,999 in order of
frequency, each its own word; every other key points at the row of its nearest kept word).
spaCy's key of a string is MurmurHash64A (seed 1) of its UTF-8 bytes (``_hash`` below; checked:
480,425 of the 480,443 keys are the hash of a string of strings.json).

What is kept: the 20,000 words of their own row that the portal's analyser (``search.analysis``:
SudachiDict-core, split mode C) reads as one content word (a common noun, a proper noun other than
a person's name, a verb's dictionary form) and whose folded normalised form is therefore a term of
the index. For each, its ``TOP_K`` nearest such words with a cosine of at least ``MIN_COSINE``,
less its own spellings (the same normalised form or the same reading: the query side handles
those). Each line: ``term<TAB>kind<TAB>reading[<TAB>neighbour:cosine]...`` (every kept term has a line;
the reading in hiragana, or empty) (kind ``p`` for a place name, ``n``
otherwise). The query-time threshold and count are in ``search.related`` (chosen there); this
table keeps a little more so they can be changed without a rebuild.

Run (needs NumPy and msgpack besides the project's requirements; neither is a requirement of the
project: use a scratch environment)::

    pip download ja-ginza==5.3.0 --no-deps -d /tmp/dl && unzip /tmp/dl/ja_ginza-5.3.0-*.whl -d /tmp/dl/ginza
    python -m venv /tmp/venv-related && /tmp/venv-related/bin/pip install numpy msgpack
    echo "$PWD/.venv/lib/python3.11/site-packages" > /tmp/venv-related/lib/python3.11/site-packages/project.pth
    /tmp/venv-related/bin/python search/tools/build_related.py /tmp/dl/ginza/ja_ginza/ja_ginza-5.3.0/vocab

The output is deterministic for a given source and dictionary; it is never edited by hand.
"""

import argparse
import gzip
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
OUT = ROOT / "search" / "data" / "related.tsv.gz"
KEPT_ROWS = 20_000
TOP_K = 12
MIN_COSINE = 0.45
_M64 = 0xFFFFFFFFFFFFFFFF


def _hash(text):
    """spaCy's key of a string: MurmurHash64A of its UTF-8 bytes, seed 1."""
    data, m, r = text.encode("utf-8"), 0xC6A4A7935BD1E995, 47
    h = (1 ^ (len(data) * m)) & _M64
    end = len(data) - len(data) % 8
    for i in range(0, end, 8):
        k = (int.from_bytes(data[i:i + 8], "little") * m) & _M64
        k = ((k ^ (k >> r)) * m) & _M64
        h = ((h ^ k) * m) & _M64
    if end < len(data):
        h = ((h ^ int.from_bytes(data[end:], "little")) * m) & _M64
    h = ((h ^ (h >> r)) * m) & _M64
    return h ^ (h >> r)


def kept_words(vocab):
    """[word of row 0, word of row 1, ...] for the rows that are a word's own vector."""
    import msgpack

    key2row = msgpack.unpackb((vocab / "key2row").read_bytes(), strict_map_key=False)
    strings = {_hash(s): s for s in json.loads((vocab / "strings.json").read_text(encoding="utf-8"))}
    words = {}
    for key, row in key2row.items():  # in insertion order: the kept words first, row i = i-th
        if row < KEPT_ROWS and row not in words and key in strings:
            words[row] = strings[key]
    return [words.get(row, "") for row in range(KEPT_ROWS)]


def content_term(word):
    """(folded normalised form, kind, reading) of a content word the analyser keeps whole, else None."""
    from search.analysis import _dictionary, _fold, _is_kanji, _reading, _split_mode, _tokenizer

    if not word.strip() or word.isascii() or (len(word) < 2 and not _is_kanji(word)):
        return None
    units = list(_tokenizer().tokenize(word, _split_mode("C")))
    if len(units) != 1:
        return None
    pos = _dictionary().pos_of(units[0].part_of_speech_id())
    noun = pos[0] == "名詞" and pos[1] in ("普通名詞", "固有名詞") and pos[2] != "人名"
    verb = pos[0] == "動詞" and pos[1] == "一般"
    if not (noun or verb) or pos[2] == "助数詞可能":
        return None
    term = _fold(units[0].normalized_form())
    if len(term) < 2 and not _is_kanji(term):
        return None
    return term, "p" if pos[2] == "地名" else "n", _reading(units[0])


def neighbours(vectors, rows, terms):
    """{row: [(other row, cosine), ...]} best first, at least MIN_COSINE, at most TOP_K, own spellings out."""
    import numpy as np

    matrix = vectors[rows].astype(np.float32)
    matrix /= np.maximum(np.linalg.norm(matrix, axis=1, keepdims=True), 1e-9)
    out = {}
    for start in range(0, len(rows), 1024):
        block = matrix[start:start + 1024] @ matrix.T
        for i, scores in enumerate(block):
            me = start + i
            best = np.argsort(-scores)[:TOP_K + 8]
            found = []
            for j in best:
                if j == me or scores[j] < MIN_COSINE:
                    continue
                if terms[j][0] == terms[me][0] or (terms[j][2] and terms[j][2] == terms[me][2]):
                    continue
                found.append((int(j), float(scores[j])))
            out[me] = found[:TOP_K]
    return out


def build(vocab, out=OUT):
    import numpy as np

    vectors = np.load(vocab / "vectors", allow_pickle=False)
    words = kept_words(vocab)
    rows, terms, seen = [], [], set()
    for row, word in enumerate(words):
        found = content_term(word) if word else None
        if found and found[0] not in seen:  # the most frequent word of a normalised form speaks for it
            seen.add(found[0])
            rows.append(row)
            terms.append(found)
    near = neighbours(vectors, rows, terms)
    lines = []
    for i, (term, kind, read) in enumerate(terms):  # every term, so a neighbour's kind is known
        pairs = "".join(f"\t{terms[j][0]}:{cos:.3f}" for j, cos in near[i])
        lines.append(f"{term}\t{kind}\t{read}{pairs}")
    out.parent.mkdir(parents=True, exist_ok=True)
    with open(out, "wb") as raw, gzip.GzipFile(filename="", mode="wb", fileobj=raw, mtime=0) as handle:
        handle.write(("\n".join(sorted(lines)) + "\n").encode("utf-8"))  # the same bytes from the same source
    return len(lines)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("vocab", type=Path, help="ja_ginza/ja_ginza-5.3.0/vocab of the unpacked wheel")
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args(argv)
    sys.path.insert(0, str(ROOT))
    count = build(args.vocab, args.out)
    print(f"{count} terms -> {args.out}")


if __name__ == "__main__":
    main()
