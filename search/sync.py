"""
Keeping SearchDocument (and the search engine's copy) in step with the registered sources.

The database table is the canonical index: it is written in the same transaction as the change.
The search engine gets the change through a background job; if it cannot be reached, the
document's key is queued (``PendingIndexChange``) and ``replay_pending()`` sends it later.
Wagtail's own index writes are queued the same way (``search.wagtail_backend``, keys
``wagtail:<app.model>:<pk>``) and replayed here too; an index found missing (an engine that came
back empty) is rebuilt first.
"""

import datetime
import logging
from collections import Counter

from django.db import transaction
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.utils import timezone

from . import registry
from .analysis import completion_phrases, index_fields
from .models import PendingIndexChange, SearchDocument, SuggestTerm

logger = logging.getLogger(__name__)

MAX_BODY = 20000  # characters of body text kept and analysed per document


def doc_key(source_name, object_id):
    return f"{source_name}:{object_id}"


def _as_datetime(value):
    if value is None:
        return None
    if isinstance(value, datetime.datetime):
        return value if timezone.is_aware(value) else timezone.make_aware(value)
    return timezone.make_aware(datetime.datetime.combine(value, datetime.time()))


def build_row(source, obj):
    """The SearchDocument (unsaved) for a visible object of ``source``."""
    document = source.document(obj)
    body = (document.text or "")[:MAX_BODY]
    return SearchDocument(
        key=doc_key(source.name, obj.pk),
        source=source.name,
        object_id=str(obj.pk),
        type=source.type,
        locale=document.locale or "ja",
        title=(document.title or "")[:300],
        url=(document.url or "")[:500],
        body=body,
        date=_as_datetime(document.date),
        districts=SearchDocument.pack(document.districts)[:500],
        themes=SearchDocument.pack(document.themes)[:500],
        **index_fields(f"{document.title} {document.keywords}", body),
    )


_FIELDS = ["source", "object_id", "type", "locale", "title", "url", "body", "date", "districts", "themes",
           "title_terms", "body_terms"]


def save_row(row):
    existing = SearchDocument.objects.filter(key=row.key).first()
    if existing is None:
        row.save()
        return row
    row.pk = existing.pk
    row.save(update_fields=_FIELDS + ["updated_at"])
    return row


def add_suggestions(title):
    for phrase, reading in completion_phrases(title):
        SuggestTerm.objects.get_or_create(phrase=phrase, defaults={"reading": reading})


def sync_object(source, pk):
    """Write or remove the document of one object of ``source``: visible() alone decides."""
    key = doc_key(source.name, pk)
    queryset = source.visible().filter(pk=pk)
    if source.prefetch:
        queryset = source.prefetch(queryset)
    obj = queryset.first()
    if obj is None:
        SearchDocument.objects.filter(key=key).delete()
    else:
        try:
            row = build_row(source, obj)
        except Exception:  # a document that cannot be built is not shown (deny by default)
            logger.exception("search: could not build the document of %s", key)
            SearchDocument.objects.filter(key=key).delete()
        else:
            save_row(row)
            add_suggestions(row.title)
    _send_to_engine([key])


def _send_to_engine(keys):
    """
    As a background job (django-tasks, like Wagtail's own indexing): run at once on the embedded
    default, by the worker after the transaction commits in production.
    """
    from .engine import get_engine

    if get_engine() is None:
        return
    from .tasks import push_search_documents

    try:
        push_search_documents.enqueue(keys)
    except Exception:
        logger.exception("search: could not enqueue the engine update; queued instead")
        for key in keys:
            PendingIndexChange.objects.update_or_create(key=key)


def push_keys(keys):
    """Send the current state of these documents to the search engine, or queue them."""
    from .engine import EngineUnavailable, get_engine

    engine = get_engine()
    if engine is None:
        return
    try:
        if not engine.available():  # known to be down: do not make the editor wait for a timeout
            raise EngineUnavailable("circuit open after recent failures")
        engine.apply(keys)  # IndexMissing when the alias is gone: queued, replay_pending rebuilds
    except EngineUnavailable as error:
        logger.warning("search engine unavailable (%s); %d change(s) queued", error, len(keys))
        for key in keys:
            PendingIndexChange.objects.update_or_create(key=key)
    else:
        PendingIndexChange.objects.filter(key__in=keys).delete()


def replay_pending(batch=500, report=None):
    """
    Send the queued changes to the search engine, the portal's and Wagtail's; returns how many were
    sent (0 if it is still down). An index without its alias is rebuilt first (which also sends
    every document), never created by a write.
    """
    from .engine import EngineUnavailable, get_engine

    engine = get_engine()
    if engine is None or not engine.ping():  # a ping that answers also closes the circuit breaker
        return 0
    try:
        engine.rebuild_if_missing(report=report)  # every document, and the queued changes of the portal
    except EngineUnavailable as error:
        logger.warning("search engine: the missing index could not be rebuilt (%s)", error)
        return 0
    return _replay_portal(engine, batch) + _replay_wagtail(batch, report)


WAGTAIL_PREFIX = PendingIndexChange.WAGTAIL_PREFIX


def _replay_portal(engine, batch):
    from .engine import EngineUnavailable

    sent = 0
    while True:
        keys = list(PendingIndexChange.objects.exclude(key__startswith=WAGTAIL_PREFIX)
                    .order_by("queued_at").values_list("key", flat=True)[:batch])
        if not keys:
            return sent
        try:
            engine.apply(keys)
        except EngineUnavailable as error:
            logger.warning("search engine still unavailable (%s)", error)
            return sent
        PendingIndexChange.objects.filter(key__in=keys).delete()
        sent += len(keys)


def _replay_wagtail(batch, report=None):
    """Wagtail's queued index changes: rebuild its missing indexes, then send each object's current state."""
    from wagtail.search.backends import get_search_backend

    from . import wagtail_backend
    from .breaker import engine_errors

    backend = get_search_backend()
    if not isinstance(backend, wagtail_backend.ResilientBackendMixin):
        return 0
    try:
        wagtail_backend.rebuild_missing(backend, report=report)
    except engine_errors() as error:
        logger.warning("search engine: Wagtail's missing index could not be rebuilt (%s)", error)
        return 0
    sent = 0
    while True:
        keys = list(PendingIndexChange.objects.filter(key__startswith=WAGTAIL_PREFIX)
                    .order_by("queued_at").values_list("key", flat=True)[:batch])
        if not keys:
            return sent
        done = wagtail_backend.replay(keys, backend)
        PendingIndexChange.objects.filter(key__in=done).delete()
        sent += len(done)
        if len(done) < len(keys):
            return sent


def rebuild_documents(batch=500, report=None, sources=None):
    """
    Rebuild SearchDocument from every source (or the named ones): write the document of every
    visible object, remove every other. Rows are replaced one batch at a time, so search keeps
    answering during the rebuild. Returns the number of documents.
    """
    total = 0
    weights = Counter()
    for source in registry.sources():
        if sources and source.name not in sources:
            continue
        queryset = source.visible().order_by("pk")
        if source.prefetch:
            queryset = source.prefetch(queryset)
        seen = set()
        chunk = []
        for obj in queryset.iterator(chunk_size=batch) if not source.prefetch else _batched(queryset, batch):
            try:
                chunk.append(build_row(source, obj))
            except Exception:
                logger.exception("search: could not build the document of %s:%s", source.name, obj.pk)
            if len(chunk) >= batch:
                _write_batch(chunk, seen, weights)
                chunk = []
        _write_batch(chunk, seen, weights)
        stale = SearchDocument.objects.filter(source=source.name).exclude(object_id__in=seen)
        stale.delete()
        total += len(seen)
        if report:
            report(f"{source.name}: {len(seen)}")
    SuggestTerm.objects.all().delete()
    SuggestTerm.objects.bulk_create(
        [SuggestTerm(phrase=phrase, reading=reading, weight=count) for (phrase, reading), count in weights.items()],
        batch_size=1000, ignore_conflicts=True,
    )
    return total


def _batched(queryset, size):
    """Objects in pk order, one batch (with its prefetches) at a time, by keyset (no growing OFFSET)."""
    last = None
    while True:
        page = list((queryset if last is None else queryset.filter(pk__gt=last))[:size])
        if not page:
            return
        yield from page
        last = page[-1].pk


def _write_batch(rows, seen, weights):
    if not rows:
        return
    with transaction.atomic():
        existing = dict(SearchDocument.objects.filter(key__in=[r.key for r in rows]).values_list("key", "pk"))
        new = [r for r in rows if r.key not in existing]
        old = [r for r in rows if r.key in existing]
        for row in old:
            row.pk = existing[row.key]
            row.updated_at = timezone.now()
        SearchDocument.objects.bulk_create(new, batch_size=500)
        if old:
            SearchDocument.objects.bulk_update(old, _FIELDS + ["updated_at"], batch_size=500)
    for row in rows:
        seen.add(row.object_id)
        for pair in completion_phrases(row.title):
            weights[pair] += 1


# --- signals -------------------------------------------------------------------------------

_handlers = {}


def connect(source):
    def on_change(sender, instance, **kwargs):
        if kwargs.get("raw"):
            return
        sync_object(source, instance.pk)

    def related_handler(affected):
        def on_related_change(sender, instance, **kwargs):
            if kwargs.get("raw"):
                return
            try:
                items = list(affected(instance))
            except Exception:
                logger.exception("search: could not resolve what %r affects", instance)
                return
            for item in items:
                sync_object(source, getattr(item, "pk", item))

        return on_related_change

    def on_m2m_change(sender, instance, action, **kwargs):
        if action.startswith("post_") and isinstance(instance, source.model):
            sync_object(source, instance.pk)

    receivers = [(post_save, source.model, on_change), (post_delete, source.model, on_change)]
    # Districts, themes and tags set after the object was saved (ParentalManyToManyField saves
    # with the page, and is covered by post_save).
    for m2m in source.model._meta.many_to_many:
        through = getattr(m2m.remote_field, "through", None)
        if through is not None and not isinstance(through, str):
            receivers.append((m2m_changed, through, on_m2m_change))
    for model, affected in source.related:
        handler = related_handler(affected)
        receivers += [(post_save, model, handler), (post_delete, model, handler)]
    for signal, sender, receiver in receivers:
        signal.connect(receiver, sender=sender, weak=False)
    _handlers[source.name] = receivers


def disconnect(source):
    for signal, sender, receiver in _handlers.pop(source.name, []):
        signal.disconnect(receiver, sender=sender)
