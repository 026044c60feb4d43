"""
The search engine (OpenSearch 3, or Elasticsearch 9) as search's second backend.

It holds a copy of SearchDocument under an alias (``<SEARCH_INDEX_PREFIX>documents``) pointing at
one physical index (``…documents_<timestamp>``). The terms arrive already analysed
(``search.analysis``), so the engine only splits on whitespace: the same terms as the database
backend, whichever engine runs, and no plugin needed for Japanese. ``rebuild()`` fills a new index
and swaps the alias in one atomic call: searches never see an empty or half-filled index.

The client is the one Wagtail's configured backend built (``WAGTAILSEARCH_BACKENDS["default"]``:
URLs, credentials, timeouts), so it talks through the circuit breaker (``search.breaker``): short
timeouts for searches, nothing at all while the breaker is open. With the database backend
configured there is no engine at all.

Writes go to the alias only (``require_alias``): an engine that came back empty never gets an
index auto-created with a dynamic mapping by a first write. A write finds the alias missing
(``IndexMissing``), is queued, and ``search.sync.replay_pending`` rebuilds the index explicitly
(mappings, alias, every document) before replaying the queue.
"""

import logging
import time

from django.conf import settings
from django.utils import timezone

from .breaker import BREAKER, engine_errors, quick_timeout
from .models import SearchDocument

logger = logging.getLogger(__name__)

ALIAS_CHECK_SECONDS = 30  # the alias, once seen, is trusted this long before it is checked again
QUICK_WRITE = 20  # a write of this many documents or fewer gets the short timeout, not the write timeout


class EngineUnavailable(Exception):
    pass


class IndexMissing(EngineUnavailable):
    """The engine answers, but the portal's alias is not there (an engine that came back empty)."""


ANALYSIS = {"analyzer": {"terms": {"type": "custom", "tokenizer": "whitespace", "filter": []}}}
MAPPINGS = {
    "dynamic": "strict",
    "properties": {
        "key": {"type": "keyword"},
        "type": {"type": "keyword"},
        "locale": {"type": "keyword"},
        "districts": {"type": "keyword"},
        "themes": {"type": "keyword"},
        "date": {"type": "date"},
        "title_terms": {"type": "text", "analyzer": "terms"},
        "body_terms": {"type": "text", "analyzer": "terms"},
    },
}
TITLE_BOOST = 4
FACET_SAMPLE = 1000  # matches faceted exactly; beyond, facets are scaled from the best this many (approximate)


class Engine:
    def __init__(self, client, alias, flavour):
        self.es = client
        self.alias = alias
        self.flavour = flavour  # "opensearch" or "elasticsearch"
        self._alias_seen = None  # time.monotonic() the alias was last seen

    # --- low level: one call shape for both clients ---------------------------------------
    def _call(self, what, *args, **kwargs):
        try:
            return what(*args, **kwargs)
        except engine_errors() as error:  # refused, timed out, circuit open, cluster red, ...
            raise EngineUnavailable(f"{type(error).__name__}: {error}") from error

    def _body(self, body):
        return {"body": body} if self.flavour == "opensearch" else body

    def available(self):
        """False while the circuit breaker is open: searches go straight to the database."""
        return not BREAKER.is_open()

    def ping(self):
        """Does the engine answer (a probe the breaker counts)?"""
        try:
            return bool(self.es.ping())
        except engine_errors():
            return False

    @staticmethod
    def source(row):
        return {
            "key": row.key,
            "type": row.type,
            "locale": row.locale,
            "districts": SearchDocument.unpack(row.districts),
            "themes": SearchDocument.unpack(row.themes),
            "date": row.date.isoformat() if row.date else None,
            "title_terms": row.title_terms,
            "body_terms": row.body_terms,
        }

    def _bulk(self, actions, index=None):
        if self.flavour == "opensearch":
            from opensearchpy.helpers import bulk
        else:
            from elasticsearch.helpers import bulk
        to_alias = index is None
        index = index or self.alias
        prepared = []
        for op, key, row in actions:
            if op == "index":
                prepared.append({"_op_type": "index", "_index": index, "_id": key, "_source": self.source(row)})
            else:
                prepared.append({"_op_type": "delete", "_index": index, "_id": key})
        if not prepared:
            return
        extra = {"require_alias": True} if to_alias else {}
        client = self.es
        if len(prepared) <= QUICK_WRITE:  # a change just made: a hanging engine must not hold it long
            if self.flavour == "opensearch":
                extra["request_timeout"] = quick_timeout(self.flavour)
            else:
                client = self.es.options(request_timeout=quick_timeout(self.flavour))
        _count, errors = self._call(bulk, client, prepared, raise_on_error=False, chunk_size=1000, **extra)
        self._check_bulk(errors)

    def _check_bulk(self, errors):
        """A bulk's failed items: a missing index is ``IndexMissing``, anything but "already deleted" fails."""
        failed = []
        for item in errors:
            (op, info), = item.items()
            error = info.get("error")
            kind = error.get("type", "") if isinstance(error, dict) else str(error or "")
            if "index_not_found" in kind:
                self._alias_seen = None
                raise IndexMissing(f"no index behind the alias {self.alias}")
            if not (op == "delete" and info.get("status") == 404):  # deleting what is not there is fine
                failed.append(f"{op} {info.get('_id')}: {kind or info.get('status')}")
        if failed:
            raise EngineUnavailable(f"{len(failed)} document(s) not written: {', '.join(failed[:3])}")

    # --- index maintenance ------------------------------------------------------------------
    def has_alias(self):
        """Is the portal's alias there (checked at most every ``ALIAS_CHECK_SECONDS``)?"""
        if self._alias_seen is not None and time.monotonic() - self._alias_seen < ALIAS_CHECK_SECONDS:
            return True
        present = bool(self._call(self.es.indices.exists_alias, name=self.alias))
        self._alias_seen = time.monotonic() if present else None
        return present

    def ensure_index(self):
        """Writes need the alias; without it the index must be rebuilt (``IndexMissing``), never auto-created."""
        if not self.has_alias():
            raise IndexMissing(f"no alias {self.alias}")

    def rebuild_if_missing(self, report=None):
        """An engine that came back empty (or without the alias): rebuild it. True if it did."""
        if self.has_alias():
            return False
        logger.warning("search engine: the alias %s is missing; rebuilding the index", self.alias)
        self.rebuild(report=report)
        return True

    def _create_physical(self):
        name = f"{self.alias}_{timezone.now().strftime('%Y%m%d%H%M%S%f')}"
        body = {
            "settings": {"index": {"number_of_shards": 1, "number_of_replicas": _replicas(),
                                   "refresh_interval": "1s"}, "analysis": ANALYSIS},
            "mappings": MAPPINGS,
        }
        self._call(self.es.indices.create, index=name, **self._body(body))
        return name

    def apply(self, keys):
        """Send the current state of these documents (present: index it; gone: delete it)."""
        if not keys:
            return
        self.ensure_index()
        rows = {row.key: row for row in SearchDocument.objects.filter(key__in=keys)}
        self._bulk([("index", key, rows[key]) if key in rows else ("delete", key, None) for key in keys])

    def refresh(self):
        self._call(self.es.indices.refresh, index=self.alias)

    def rebuild(self, batch=1000, report=None):
        """Fill a new index from SearchDocument, then swap the alias to it atomically."""
        started = timezone.now()
        name = self._create_physical()
        loaded = 0
        chunk = []
        for row in SearchDocument.objects.order_by("pk").iterator(chunk_size=batch):
            chunk.append(("index", row.key, row))
            if len(chunk) >= batch:
                self._bulk(chunk, index=name)
                loaded += len(chunk)
                chunk = []
        self._bulk(chunk, index=name)
        loaded += len(chunk)
        # Documents changed while the new index was filling: send them again, then swap.
        changed = SearchDocument.objects.filter(updated_at__gte=started)
        self._bulk([("index", row.key, row) for row in changed], index=name)
        self._call(self.es.indices.refresh, index=name)
        actions = [{"add": {"index": name, "alias": self.alias}}]
        old = []
        if self._call(self.es.indices.exists_alias, name=self.alias):
            old = list(self._call(self.es.indices.get_alias, name=self.alias).keys())
            actions = [{"remove": {"index": index, "alias": self.alias}} for index in old] + actions
        elif self._call(self.es.indices.exists, index=self.alias):
            self._call(self.es.indices.delete, index=self.alias)
        self._call(self.es.indices.update_aliases, **self._body({"actions": actions}))
        for index in old:
            self._call(self.es.indices.delete, index=index)
        # Deletions that happened during the fill went to the old index: apply them to the new one.
        from .models import PendingIndexChange

        pending = list(PendingIndexChange.objects.exclude(key__startswith=PendingIndexChange.WAGTAIL_PREFIX).values_list("key", flat=True))
        self._alias_seen = time.monotonic()
        if pending:
            self.apply(pending)
            PendingIndexChange.objects.filter(key__in=pending).delete()
        if report:
            report(f"search engine: {loaded} documents in {name} (alias {self.alias})")
        return name

    def delete_all(self):
        """Remove the alias and its indexes (tests)."""
        try:
            self.es.indices.delete(index=f"{self.alias}*", ignore_unavailable=True, allow_no_indices=True)
        except Exception:
            logger.exception("search engine: could not delete %s*", self.alias)

    # --- searching --------------------------------------------------------------------------
    def search(self, expression, filters, offset, limit, with_facets=True):
        """
        (total, [(key, score)], facets, (count estimated, facets estimated)) for documents matching
        ``expression`` (as the database backend: see search.expansion), best first. The count is
        exact; the facets of more than ``FACET_SAMPLE`` matches are estimated.
        """
        def alternative(terms):
            return {"multi_match": {"query": " ".join(terms), "type": "cross_fields",
                                    "fields": [f"title_terms^{TITLE_BOOST}", "body_terms"], "operator": "and"}}

        words = [{"bool": {"should": [alternative(terms) for terms in word], "minimum_should_match": 1}}
                 for word in expression]
        query = words[0] if len(words) == 1 else {"bool": {"must": words}}
        clauses = [{"term": {"locale": filters.locale}}]
        if filters.types:
            clauses.append({"terms": {"type": list(filters.types)}})
        if filters.district:
            clauses.append({"term": {"districts": filters.district}})
        if filters.theme:
            clauses.append({"term": {"themes": filters.theme}})
        date_range = {}
        if filters.date_from:
            date_range["gte"] = filters.date_from.isoformat()
        if filters.date_to:
            date_range["lte"] = filters.date_to.isoformat()
        if date_range:
            clauses.append({"range": {"date": date_range}})
        body = {
            "query": {"bool": {"must": [query], "filter": clauses}},
            "from": offset,
            "size": limit,
            "_source": False,
            "track_total_hits": True,
        }
        if with_facets:
            # Facets of the best FACET_SAMPLE matches, scaled to the count (as the database backend
            # counts its newest CAP): a common word's tens of thousands of matches are not
            # all bucketed on every search.
            body["aggs"] = {"sample": {"sampler": {"shard_size": FACET_SAMPLE}, "aggs": {
                name: {"terms": {"field": name, "size": 100}} for name in ("type", "districts", "themes")}}}
        started = time.perf_counter()
        answer = self._call(self.es.search, index=self.alias, **self._body(body))
        logger.debug("search engine: %.1f ms", (time.perf_counter() - started) * 1000)
        hits = answer["hits"]
        total = hits["total"]["value"] if isinstance(hits["total"], dict) else hits["total"]
        facets, sampled = {}, False  # the count is exact (track_total_hits); facets may be sampled
        if with_facets:
            sample = answer["aggregations"]["sample"]
            scale = total / sample["doc_count"] if sample["doc_count"] and total > sample["doc_count"] else 1.0
            sampled = scale > 1.0
            facets = {name: {b["key"]: round(b["doc_count"] * scale) for b in sample[name]["buckets"]}
                      for name in ("type", "districts", "themes")}
        return total, [(hit["_id"], hit["_score"] or 0.0) for hit in hits["hits"]], facets, (False, sampled)


def _replicas():
    try:
        return int(settings.WAGTAILSEARCH_BACKENDS["default"].get("INDEX_SETTINGS", {})
                   .get("settings", {}).get("index", {}).get("number_of_replicas", 0))
    except (TypeError, ValueError):
        return 0


_engine = None
_engine_key = None


def get_engine():
    """The search engine, or None when search runs on the database alone."""
    global _engine, _engine_key
    params = settings.WAGTAILSEARCH_BACKENDS.get("default", {})
    backend_path = params.get("BACKEND", "").lower()
    if backend_path.endswith(".database") or "opensearch" not in backend_path and "elasticsearch" not in backend_path:
        return None
    alias = f"{params.get('INDEX_PREFIX', '')}documents"
    key = (alias, backend_path, str(params.get("URLS")))
    if _engine is None or _engine_key != key:
        from wagtail.search.backends import get_search_backend

        flavour = "opensearch" if "opensearch" in backend_path else "elasticsearch"
        _engine, _engine_key = Engine(get_search_backend("default").es, alias, flavour), key
    return _engine


def reset_engine():
    global _engine, _engine_key
    _engine = _engine_key = None
