"""
Wagtail's search backend (modelsearch's OpenSearch 3 or Elasticsearch 9 backend, behind the pages,
images, documents and snippets APIs' ``?search=`` and the admin's search), made to survive the
engine's faults the way the portal's own search does:

- its client talks through the circuit breaker's transport with short timeouts
  (``search.breaker``), so a stopped or hanging engine costs a fraction of a second, then nothing;
- a search the engine cannot answer is answered by the database (modelsearch's substring backend,
  which needs no index of its own and finds Japanese words inside sentences), and says so
  (``search.fallback``: the API's ``X-Search-Fallback`` header);
- an index write the engine cannot take, or that would go to an index without its alias, is
  queued in ``PendingIndexChange`` (key ``wagtail:<app.model>:<pk>``) and replayed by
  ``search.sync.replay_pending``; a missing index is rebuilt explicitly (``rebuild_missing``:
  a new index with its mappings, every object, then the alias), never created by a first write
  (single writes carry ``require_alias``).

Configured in ``WAGTAILSEARCH_BACKENDS`` (portal/settings.py): ``search.wagtail_backend.OpenSearch3``
or ``search.wagtail_backend.Elasticsearch9``, with ``TIMEOUT`` (read, seconds), ``CONNECT_TIMEOUT``,
``WRITE_TIMEOUT`` and ``BREAKER`` (``FAILURES``, ``WINDOW``, ``COOLDOWN``) besides Wagtail's own keys.
"""

import logging
import time

from django.apps import apps
from django.utils import timezone
from modelsearch.backends.database.fallback import (
    DatabaseAutocompleteQueryCompiler,
    DatabaseSearchBackend,
    DatabaseSearchQueryCompiler,
)
from modelsearch.backends.elasticsearch9 import (
    Elasticsearch9Index,
    Elasticsearch9SearchBackend,
    Elasticsearch9SearchResults,
)
from modelsearch.backends.elasticsearchbase import ElasticsearchAtomicIndexRebuilder
from modelsearch.backends.opensearch3 import OpenSearch3Index, OpenSearch3SearchBackend, OpenSearch3SearchResults
from modelsearch.index import class_is_indexed, get_indexed_instance, get_indexed_models

from . import breaker, fallback
from .models import PendingIndexChange

logger = logging.getLogger(__name__)

QUEUE_PREFIX = PendingIndexChange.WAGTAIL_PREFIX
ALIAS_CHECK_SECONDS = 30  # an index seen under its alias is trusted this long before it is checked again
_alias_seen = {}  # index name -> time.monotonic() it was last seen as an alias


# --- searching: the database answers when the engine does not ----------------------------------

def _database_results(results):
    """The same search (query, queryset, fields, slice) answered by the database, and noted."""
    fallback.note()
    compiler = results.query_compiler
    compiler_class = (DatabaseAutocompleteQueryCompiler if "Autocomplete" in type(compiler).__name__
                      else DatabaseSearchQueryCompiler)
    answer = DatabaseSearchBackend({})._search(
        compiler_class, compiler.query, compiler.queryset, fields=compiler.fields,
        order_by_relevance=compiler.order_by_relevance,
    )
    answer.start, answer.stop, answer._score_field = results.start, results.stop, results._score_field
    return answer


class ResilientResultsMixin:
    """
    Search results that ask the engine, and the database when it fails. Once it failed for a
    search (the count, say), the same search's other calls (the page of results) go straight to
    the database: one timeout per request at most.
    """

    def _engine_or_database(self, ask_engine, ask_database):
        compiler = self.query_compiler
        if not getattr(compiler, "engine_failed", False) and not breaker.BREAKER.is_open():
            try:
                return ask_engine()
            except breaker.engine_errors() as error:
                compiler.engine_failed = True
                logger.warning("search engine did not answer Wagtail's search (%s); the database answers", error)
        return ask_database(_database_results(self))

    def _do_search(self):
        parent = super()._do_search
        return self._engine_or_database(lambda: list(parent()), lambda database: list(database._do_search()))

    def _do_count(self):
        return self._engine_or_database(super()._do_count, lambda database: database._do_count())

    def facet(self, field_name):
        parent = super().facet
        return self._engine_or_database(lambda: parent(field_name), lambda database: database.facet(field_name))


# --- writing: require the alias, queue what cannot be written ----------------------------------

def alias_ready(index):
    """Is this index there under its alias (checked at most every ``ALIAS_CHECK_SECONDS``)?"""
    seen = _alias_seen.get(index.name)
    if seen is not None and time.monotonic() - seen < ALIAS_CHECK_SECONDS:
        return True
    if index.is_alias():
        _alias_seen[index.name] = time.monotonic()
        return True
    _alias_seen.pop(index.name, None)
    return False


def forget_aliases():
    _alias_seen.clear()


def queue_key(obj):
    return f"{QUEUE_PREFIX}{obj._meta.label_lower}:{obj.pk}"


class ResilientIndexMixin:
    def add_item(self, item):
        """As Wagtail's, but the write must go to an alias: a missing index is never auto-created."""
        if not class_is_indexed(item.__class__):
            return
        mapping = self.mapping_class(item.__class__)
        document = {"body": mapping.get_document(item)} if self.backend.flavour == "opensearch" else {
            "document": mapping.get_document(item)}
        self.es.index(index=self.name, id=mapping.get_document_id(item), require_alias=True, **document)


class ResilientAtomicRebuilder(ElasticsearchAtomicIndexRebuilder):
    """
    Wagtail's atomic rebuild (``update_index``, ``rebuild_missing``): a new index, then the alias.
    Changes queued for this index before the rebuild started are in it now: they leave the queue.
    """

    def start(self):
        self.started = timezone.now()
        return super().start()

    def finish(self):
        super().finish()
        _alias_seen[self.alias.name] = time.monotonic()
        queued = PendingIndexChange.objects.filter(key__startswith=QUEUE_PREFIX, queued_at__lt=self.started)
        done = [key for key in queued.values_list("key", flat=True) if self._index_of(key) == self.alias.name]
        PendingIndexChange.objects.filter(key__in=done, queued_at__lt=self.started).delete()

    def _index_of(self, key):
        try:
            model = apps.get_model(key[len(QUEUE_PREFIX):].rpartition(":")[0])
        except (LookupError, ValueError):
            return None
        return self.alias.backend.get_index_for_model(model).name


class ResilientBackendMixin:
    flavour = "opensearch"
    atomic_rebuilder_class = ResilientAtomicRebuilder

    def __init__(self, params):
        params = dict(params)
        connect = float(params.pop("CONNECT_TIMEOUT", 0.2))
        read = float(params.get("TIMEOUT", 0.4))
        breaker.WRITE_TIMEOUT.update(connect=connect, read=float(params.pop("WRITE_TIMEOUT", 30)))
        breaker.READ_TIMEOUT.update(connect=connect, read=read)
        limits = params.pop("BREAKER", None) or {}
        breaker.BREAKER.configure(limits.get("FAILURES"), limits.get("WINDOW"), limits.get("COOLDOWN"))
        params["OPTIONS"], params["TIMEOUT"] = breaker.client_options(self.flavour, params.get("OPTIONS"), connect, read)
        super().__init__(params)

    def _search(self, query_compiler_class, query, model_or_queryset, **kwargs):
        results = super()._search(query_compiler_class, query, model_or_queryset, **kwargs)
        if breaker.BREAKER.is_open() and isinstance(results, ResilientResultsMixin):
            return _database_results(results)  # known to be down: not even a try
        return results

    def add(self, obj):
        self._write(obj, super().add)

    def delete(self, obj):
        self._write(obj, super().delete)

    def _write(self, obj, write):
        index = self.get_index_for_object(obj)
        try:
            if breaker.BREAKER.is_open():
                reason = "circuit open"
            elif not alias_ready(index):
                reason = f"no alias {index.name}: the index will be rebuilt"
            else:
                write(obj)
                return
        except breaker.engine_errors() as error:
            _alias_seen.pop(index.name, None)
            reason = f"{type(error).__name__}: {error}"
        logger.warning("search engine: Wagtail's index change of %s queued (%s)", queue_key(obj), reason)
        PendingIndexChange.objects.update_or_create(key=queue_key(obj))


class OpenSearch3Results(ResilientResultsMixin, OpenSearch3SearchResults):
    pass


class OpenSearch3ResilientIndex(ResilientIndexMixin, OpenSearch3Index):
    pass


class OpenSearch3(ResilientBackendMixin, OpenSearch3SearchBackend):
    flavour = "opensearch"
    results_class = OpenSearch3Results
    index_class = OpenSearch3ResilientIndex


class Elasticsearch9Results(ResilientResultsMixin, Elasticsearch9SearchResults):
    pass


class Elasticsearch9ResilientIndex(ResilientIndexMixin, Elasticsearch9Index):
    pass


class Elasticsearch9(ResilientBackendMixin, Elasticsearch9SearchBackend):
    flavour = "elasticsearch"
    results_class = Elasticsearch9Results
    index_class = Elasticsearch9ResilientIndex


# --- replay and rebuild (the worker, through search.sync.replay_pending) ------------------------

def replay(keys, backend):
    """Send the current state of these queued Wagtail objects; returns the keys done (stops at a failure)."""
    done = []
    for key in keys:
        label, _sep, pk = key[len(QUEUE_PREFIX):].rpartition(":")
        try:
            model = apps.get_model(label)
        except (LookupError, ValueError):
            done.append(key)  # a model that no longer exists: nothing to index
            continue
        obj = model._default_manager.filter(pk=pk).first()
        indexed = get_indexed_instance(obj) if obj is not None else None
        try:
            if indexed is not None:
                backend.get_index_for_object(indexed).add_item(indexed)
            else:
                backend.get_index_for_model(model).delete_item(model(pk=obj.pk if obj else pk))
        except breaker.engine_errors() as error:
            logger.warning("search engine: replay of Wagtail's index stopped at %s (%s)", key, error)
            _alias_seen.clear()
            return done
        except Exception:  # an object Wagtail cannot index: logged and dropped, as Wagtail's own indexing does
            logger.exception("search engine: could not index %s for Wagtail", key)
        done.append(key)
    return done


def rebuild_missing(backend, report=None):
    """Rebuild every Wagtail index that is not there under its alias; returns their names."""
    from modelsearch.management.commands.rebuild_modelsearch_index import group_models_by_index

    rebuilt = []
    for index, models in group_models_by_index(backend, get_indexed_models()).items():
        if alias_ready(index):
            continue
        rebuild_index(backend, index, models)
        rebuilt.append(index.name)
        if report:
            report(f"search engine: Wagtail's index {index.name} was missing and has been rebuilt")
    return rebuilt


def rebuild_index(backend, index, models, chunk=500):
    """A new index with its mappings, every object, then the alias swapped to it (Wagtail's atomic rebuild)."""
    rebuilder = backend.atomic_rebuilder_class(index)
    target = rebuilder.start()
    for model in models:
        target.add_model(model)
    for model in models:
        queryset = model.get_indexed_objects().order_by("pk")
        last = None
        while True:
            page = list((queryset if last is None else queryset.filter(pk__gt=last))[:chunk])
            if not page:
                break
            target.add_items(model, page)
            last = page[-1].pk
    rebuilder.finish()
