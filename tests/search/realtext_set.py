"""
The real-text relevance set (tests/search/realtext/, see its README.md): digests of public pages
about Shinjuku written by many hands, queries typed as residents type them, judged by reading.

``documents()`` -> [{id, url, title, body, topics}], ``queries(half)`` -> [{query, class, meaning,
relevant, half}] for "dev" (tuning may look at it), "test" (frozen: only the benchmark reports it)
or None (both). ``measure(run_query, items)`` gives recall@10 and MRR overall and per class; ``ceilings(items, match)``
what a perfect ordering could reach, with what the search finds or with every document.
"""

import functools
import json
from pathlib import Path

HERE = Path(__file__).parent / "realtext"
SOURCE = "realtext"
CLASSES = ("reading", "compound", "variant", "two-word", "plain")


def documents():
    return json.loads((HERE / "documents.json").read_text(encoding="utf-8"))


def queries(half=None):
    items = json.loads((HERE / "queries.json").read_text(encoding="utf-8"))
    return [item for item in items if half is None or item["half"] == half]


def rows(docs=None):
    """SearchDocument rows (unsaved) for the documents, analysed as the index does it."""
    from search.analysis import index_fields
    from search.models import SearchDocument

    out = []
    for doc in docs or documents():
        out.append(SearchDocument(
            key=f"{SOURCE}:{doc['id']}", source=SOURCE, object_id=doc["id"], type="article", locale="ja",
            title=doc["title"], url=f"/realtext/{doc['id']}/", body=doc["body"],
            **index_fields(doc["title"], doc["body"]),
        ))
    return out


def _figures(results):
    n = len(results) or 1
    return {
        "queries": len(results),
        "recall@10": sum(r for r, _ in results) / n,
        "mrr": sum(rr for _, rr in results) / n,
    }


def measure(run_query, items, k=10):
    """
    recall@k (share of the relevant documents in the first k, out of at most k: a query with 17
    relevant documents and 10 of them on the first page has recall 1) and MRR, overall and per
    class, with the misses. ``run_query(text) -> [document id, ...]`` best first.
    """
    per_class = {name: [] for name in CLASSES}
    misses = []
    for item in items:
        found = run_query(item["query"])[:k]
        relevant = set(item["relevant"])
        hit = [doc for doc in found if doc in relevant]
        recall = len(hit) / min(k, len(relevant))
        rank = next((i + 1 for i, doc in enumerate(found) if doc in relevant), None)
        per_class[item["class"]].append((recall, 1 / rank if rank else 0.0))
        if recall < 1 or rank != 1:
            misses.append((item["class"], item["query"], round(recall, 2), rank))
    everything = [pair for pairs in per_class.values() for pair in pairs]
    return {
        "all": _figures(everything),
        "classes": {name: _figures(pairs) for name, pairs in per_class.items() if pairs},
        "misses": misses,
    }


def matcher(docs=None):
    """
    ``match(query) -> {document id: (has every word, found)}`` over the set's documents, by the
    search's own matching (``search.expansion.document_match`` on the stored terms): found is what
    the loose expression lists (a spelling, a part or a related term of some word).
    """
    from search import expansion, synonyms
    from search.query import clean_query

    analysed = rows(docs)

    @functools.cache  # asked again by each bound of ``ceilings``
    def match(query):
        words = expansion.query_words(clean_query(query), synonyms.expand)
        out = {}
        for row in analysed:
            present, weight = expansion.document_match(words, row.title_terms, row.body_terms)
            out[row.object_id] = (bool(words) and present == len(words), weight > 0)
        return out

    return match


def ceilings(items, match, k=10):
    """
    What a perfect ordering could reach, by the judgements (an upper bound, not a ranking), keeping
    the search's rule that a document with every word comes before one without:

    - ``found``: the documents the search finds, each tier's relevant ones first; what better
      ranking alone could give;
    - ``every document``: any document, the relevant ones without the words right after those with
      them; what finding documents by their topic, without the query's words, could add.
    """
    judged = {item["query"]: set(item["relevant"]) for item in items}

    def ordering(only_found):
        def run(query):
            relevant = judged[query]
            tiers = sorted(
                (not every, doc not in relevant, doc)
                for doc, (every, found) in match(query).items() if found or not only_found)
            return [doc for _every, _irrelevant, doc in tiers]
        return run

    return {"found": measure(ordering(True), items, k), "every document": measure(ordering(False), items, k)}


def format_figures(label, figures):
    overall = figures["all"]
    parts = [f"{label}: {overall['queries']} queries, recall@10 {overall['recall@10']:.3f}, MRR {overall['mrr']:.3f}"]
    for name, fig in figures["classes"].items():
        parts.append(f"  {name:<9} ({fig['queries']:>2}) recall@10 {fig['recall@10']:.3f} MRR {fig['mrr']:.3f}")
    return "\n".join(parts)
