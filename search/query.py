"""
One search over every registered source: the code behind the API, the site's results page and
the benchmark.

1. The query is normalised and analysed (``search.analysis``) into terms.
2. The search engine is asked, or the database when there is no engine or it does not answer
   (``Outcome.fallback`` says so). Every term must match; if nothing does and the resident typed
   several words apart, a document with every term of any one word is enough (``relaxed``).
3. The best ``CANDIDATES`` are re-ranked: relevance (title weighs more than body, in the backend)
   times a recency bonus for sources that ask for one (ward notices, events).
4. Editors' promoted results (Wagtail's search promotions) come first on the first page.
5. The page's documents are loaded from SearchDocument and given a snippet.
"""

import datetime
import logging
import math
from dataclasses import dataclass, field
from typing import Optional

from django.utils import timezone

from . import dbsearch, registry
from .analysis import morphemes, query_terms
from .engine import EngineUnavailable, get_engine
from .fallback import note as note_fallback
from .models import SearchDocument
from .snippets import snippet
from .text import normalize_query

logger = logging.getLogger(__name__)

MAX_QUERY_LENGTH = 100  # characters, after normalisation
MAX_TERMS = 12
CANDIDATES = 100  # re-ranked window
RECENCY_DAYS = 60.0


class QueryTooLong(ValueError):
    pass


@dataclass
class Filters:
    types: tuple = ()
    district: Optional[str] = None
    theme: Optional[str] = None
    date_from: Optional[datetime.datetime] = None
    date_to: Optional[datetime.datetime] = None
    locale: str = "ja"

    @property
    def empty(self):
        return not (self.types or self.district or self.theme or self.date_from or self.date_to)


@dataclass
class Result:
    type: str
    id: str
    title: str
    url: str
    snippet: str
    date: Optional[datetime.datetime]
    districts: list
    themes: list
    source: str = ""
    promoted: bool = False
    score: float = 0.0


@dataclass
class Outcome:
    query: str
    count: int = 0
    results: list = field(default_factory=list)
    facets: dict = field(default_factory=lambda: {"type": {}, "districts": {}, "themes": {}})
    backend: str = "database"
    fallback: bool = False  # the engine is configured but did not answer
    relaxed: bool = False  # no document had every word; these have some
    page: int = 1
    per_page: int = 10

    @property
    def pages(self):
        return max(1, math.ceil(self.count / self.per_page)) if self.count else 0


def clean_query(raw):
    """The normalised query; QueryTooLong if it is longer than MAX_QUERY_LENGTH."""
    query = normalize_query(raw or "")
    if len(query) > MAX_QUERY_LENGTH:
        raise QueryTooLong(query)
    return query


def day_bounds(date_from=None, date_to=None):
    """Dates from a form or the API as aware datetimes: the start of the first day, the end of the last."""
    start = end = None
    if date_from:
        start = timezone.make_aware(datetime.datetime.combine(date_from, datetime.time.min))
    if date_to:
        end = timezone.make_aware(datetime.datetime.combine(date_to, datetime.time.max))
    return start, end


def _backend_search(groups, filters, offset, limit, with_facets, backend=None):
    engine = get_engine() if backend != "database" else None
    if engine is not None and (engine.available() or backend == "engine"):
        try:
            return ("engine", False) + engine.search(groups, filters, offset, limit, with_facets)
        except EngineUnavailable as error:
            logger.warning("search engine unavailable, answering from the database: %s", error)
    return ("database", engine is not None) + dbsearch.search(groups, filters, offset, limit, with_facets)


def _recency(doc_date, now):
    if doc_date is None:
        return 0.0
    age_days = abs((now - doc_date).total_seconds()) / 86400
    return math.exp(-age_days / RECENCY_DAYS)


def _promoted_keys(query, filters):
    """Keys of the visible documents editors promoted for this query (pages only, in their order)."""
    if not filters.empty:
        return []
    try:
        from wagtail.contrib.search_promotions.models import SearchPromotion
    except ImportError:  # the app is not installed
        return []
    from wagtail.search.utils import normalise_query_string

    page_ids = list(
        SearchPromotion.objects.filter(query__query_string=normalise_query_string(query), page__isnull=False)
        .order_by("sort_order").values_list("page_id", flat=True)
    )
    if not page_ids:
        return []
    page_sources = [s.name for s in registry.sources() if _is_page_source(s)]
    found = dict(
        SearchDocument.objects.filter(source__in=page_sources, object_id__in=[str(pk) for pk in page_ids],
                                      locale=filters.locale).values_list("object_id", "key")
    )
    return [found[str(pk)] for pk in page_ids if str(pk) in found]


def _is_page_source(source):
    from wagtail.models import Page

    return issubclass(source.model, Page)


def search(raw_query, filters=None, page=1, per_page=10, with_facets=True, using=None):
    """
    The ``Outcome`` of a resident's query. ``using`` forces "database" or "engine" (the
    benchmark); by default the engine when configured and answering, else the database.
    """
    filters = filters or Filters()
    query = clean_query(raw_query)
    outcome = Outcome(query=query, page=max(1, page), per_page=per_page)
    terms = query_terms(query)[:MAX_TERMS]
    if not terms:
        return outcome
    offset = (outcome.page - 1) * per_page

    groups = [terms]
    backend, fallback, total, hits, facets = _backend_search(groups, filters, 0, CANDIDATES, with_facets, using)
    if fallback:  # the engine failed once: the rest of this search asks the database, without waiting again
        using = "database"
        note_fallback()
    words = [group for group in (query_terms(word)[:MAX_TERMS] for word in query.split()) if group]
    if total == 0 and len(words) > 1:
        # Words typed apart ("子育て 四谷"): no document has them all; show those with any one of them.
        groups = words
        backend, again, total, hits, facets = _backend_search(groups, filters, 0, CANDIDATES, with_facets, using)
        fallback = fallback or again
        outcome.relaxed = total > 0
    outcome.backend, outcome.fallback, outcome.count = backend, fallback, total
    if with_facets:
        outcome.facets = facets

    promoted = _promoted_keys(query, filters)
    if offset < CANDIDATES:
        ranked = _rerank(hits, query)
        ranked = [key for key in promoted] + [(k, s) for k, s in ranked if k not in promoted]
        window = ranked[offset:offset + per_page]
        extra = len([key for key in promoted if key not in dict(hits)])
        outcome.count = total + extra
    else:
        _b, _f, _t, window, _facets = _backend_search(groups, filters, offset, per_page, False, using)
    keys = [item if isinstance(item, str) else item[0] for item in window]
    scores = {item[0]: item[1] for item in window if not isinstance(item, str)}
    rows = {row.key: row for row in SearchDocument.objects.filter(key__in=keys)}
    surfaces = [surface for surface, *_ in morphemes(query)]
    for key in keys:
        row = rows.get(key)
        if row is None:  # removed since the engine answered
            continue
        outcome.results.append(Result(
            type=row.type, id=row.object_id, title=row.title, url=row.url,
            snippet=snippet(row.body or row.title, terms, surfaces), date=row.date,
            districts=SearchDocument.unpack(row.districts), themes=SearchDocument.unpack(row.themes),
            source=row.source, promoted=key in promoted, score=scores.get(key, 0.0),
        ))
    return outcome


def _rerank(hits, query=""):
    """
    Relevance times (1 + the source's recency weight × closeness of the date to today), doubled
    when the title is exactly the query (the district 四谷 before the events held in 四谷).
    """
    if not hits:
        return []
    weights = {source.name: source.recency_weight for source in registry.sources() if source.recency_weight}
    keys = [key for key, _ in hits]
    rows = {key: (title, date) for key, title, date in
            SearchDocument.objects.filter(key__in=keys).values_list("key", "title", "date")}
    now = timezone.now()
    exact = normalize_query(query)
    rescored = []
    for position, (key, score) in enumerate(hits):
        title, date = rows.get(key, ("", None))
        factor = 1 + weights.get(key.split(":", 1)[0], 0.0) * _recency(date, now)
        if exact and len(title) <= 2 * len(exact) + 10 and normalize_query(title) == exact:
            factor *= 2
        rescored.append((score * factor, -position, key))
    rescored.sort(reverse=True)
    return [(key, score) for score, _pos, key in rescored]
