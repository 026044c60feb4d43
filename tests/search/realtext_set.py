"""
The real-text relevance set (tests/search/realtext/, see its README.md): digests of public pages
about Shinjuku written by many hands, queries typed as residents type them, judged by reading.

``documents()`` -> [{id, url, title, body, topics}], ``queries(half)`` -> [{query, class, meaning,
relevant, half}] for "dev" (tuning may look at it), "test" (frozen: only the benchmark reports it)
or None (both). ``measure(run_query, items)`` gives recall@10 and MRR overall and per class.
"""

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


def format_figures(label, figures):
    overall = figures["all"]
    parts = [f"{label}: {overall['queries']} queries, recall@10 {overall['recall@10']:.3f}, MRR {overall['mrr']:.3f}"]
    for name, fig in figures["classes"].items():
        parts.append(f"  {name:<9} ({fig['queries']:>2}) recall@10 {fig['recall@10']:.3f} MRR {fig['mrr']:.3f}")
    return "\n".join(parts)
