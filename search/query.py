"""
One search over every registered source: the code behind the API, the site's results page and
the benchmark.

1. The query is normalised and analysed (``search.analysis``) into terms.
2. Each word gets its alternatives (``search.expansion``: normalised form, compound, reading,
   the editors' synonyms) and parts. The search engine is asked, or the database when there is no
   engine or it does not answer (``Outcome.fallback`` says so): first for documents with every
   word, then, for several words or a compound, for documents with any of them.
3. The best ``CANDIDATES`` of each are re-ranked by the same function whatever the backend:
   documents with every word first (``all_words``), then by how they have the words, then by the
   backend's relevance times a recency bonus for sources that ask for one (ward notices, events).
4. Editors' promoted results (Wagtail's search promotions) come first on the first page.
5. The page's documents are loaded from SearchDocument and given a snippet.
"""

import datetime
import logging
import math
from dataclasses import dataclass, field
from typing import Optional

from django.utils import timezone

from . import dbsearch, expansion, registry, synonyms
from .analysis import morphemes
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
    all_words: bool = True  # has every word of the query (else listed under 「一部の語を含む結果」)


@dataclass
class Outcome:
    query: str
    count: int = 0
    results: list = field(default_factory=list)
    facets: dict = field(default_factory=lambda: {"type": {}, "districts": {}, "themes": {}})
    backend: str = "database"
    fallback: bool = False  # the engine is configured but did not answer
    relaxed: bool = False  # no document had every word; these have some
    all_words_count: int = 0  # documents with every word (listed first)
    approximate: bool = False  # a common word: the count and facets are estimates (「約…件」)
    suggestion: str = ""  # for a query that found nothing: 「もしかして」
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


def _backend_search(expression, filters, offset, limit, with_facets, backend=None):
    engine = get_engine() if backend != "database" else None
    if engine is not None and (engine.available() or backend == "engine"):
        try:
            return ("engine", False) + engine.search(expression, filters, offset, limit, with_facets)
        except EngineUnavailable as error:
            logger.warning("search engine unavailable, answering from the database: %s", error)
    return ("database", engine is not None) + dbsearch.search(expression, filters, offset, limit, with_facets)


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


def _candidates(words, filters, with_facets, using):
    """(backend, fallback, total, all-words total, hits, facets, approximate) over the strict and, if needed, loose expression."""
    backend, fallback, strict_total, hits, facets, approximate = _backend_search(
        expansion.strict_expression(words), filters, 0, CANDIDATES, with_facets, using)
    if fallback:  # the engine failed once: the rest of this search asks the database, without waiting again
        using = "database"
        note_fallback()
    total = strict_total
    # Documents with some of the words come after those with all: when these fill the ranked
    # window already, the partial ones could not be shown on the first pages and are not asked for.
    if expansion.needs_loose(words) and strict_total < CANDIDATES:
        backend, again, total, loose_hits, loose_facets, loose_approximate = _backend_search(
            expansion.loose_expression(words), filters, 0, CANDIDATES, with_facets, using)
        fallback, approximate = fallback or again, approximate or loose_approximate
        seen = dict(hits)
        hits = hits + [(key, score) for key, score in loose_hits if key not in seen]
        facets = loose_facets
    return backend, fallback, total, strict_total, hits, facets, approximate


def search(raw_query, filters=None, page=1, per_page=10, with_facets=True, using=None):
    """
    The ``Outcome`` of a resident's query. ``using`` forces "database" or "engine" (the
    benchmark); by default the engine when configured and answering, else the database.
    """
    filters = filters or Filters()
    query = clean_query(raw_query)
    outcome = Outcome(query=query, page=max(1, page), per_page=per_page)
    words = expansion.query_words(query, synonyms.expand)[:MAX_TERMS]
    if not words:
        return outcome
    offset = (outcome.page - 1) * per_page
    backend, fallback, total, all_words, hits, facets, approximate = _candidates(words, filters, with_facets, using)
    outcome.backend, outcome.fallback, outcome.count, outcome.all_words_count = backend, fallback, total, all_words
    outcome.approximate = approximate
    outcome.relaxed = all_words == 0 and total > 0
    if with_facets:
        outcome.facets = facets

    promoted = _promoted_keys(query, filters)
    if offset < CANDIDATES:
        ranked = _rerank(hits, words, query)
        ranked = [(key, 0.0, True) for key in promoted] + [item for item in ranked if item[0] not in promoted]
        window = ranked[offset:offset + per_page]
        outcome.count = total + len([key for key in promoted if key not in dict(hits)])
    else:
        loose = expansion.needs_loose(words) and outcome.all_words_count < CANDIDATES
        expression = expansion.loose_expression(words) if loose else expansion.strict_expression(words)
        _b, _f, _t, deep, _facets, _a = _backend_search(expression, filters, offset, per_page, False, using)
        window = [(key, score, False) for key, score in deep]
    _fill(outcome, window, promoted, words)
    return outcome


def _fill(outcome, window, promoted, words):
    """The page's results from SearchDocument, with snippets."""
    rows = {row.key: row for row in SearchDocument.objects.filter(key__in=[key for key, *_ in window])}
    terms = [term for word in words for _kind, alternative in word.alternatives for term in alternative]
    surfaces = [surface for surface, *_ in morphemes(outcome.query)]
    for key, score, every_word in window:
        row = rows.get(key)
        if row is None:  # removed since the engine answered
            continue
        outcome.results.append(Result(
            type=row.type, id=row.object_id, title=row.title, url=row.url,
            snippet=snippet(row.body or row.title, terms, surfaces), date=row.date,
            districts=SearchDocument.unpack(row.districts), themes=SearchDocument.unpack(row.themes),
            source=row.source, promoted=key in promoted, score=score, all_words=every_word,
        ))


def _rerank(hits, words, query=""):
    """
    [(key, score, has every word)] best first: documents with more of the words first (coordination),
    then by how they have them (``search.expansion``: surface > normalised > synonym > reading >
    parts; the title exactly the query counts most), then by the backend's relevance times
    (1 + the source's recency weight × closeness of the date to today).
    """
    if not hits:
        return []
    weights = {source.name: source.recency_weight for source in registry.sources() if source.recency_weight}
    rows = {key: rest for key, *rest in SearchDocument.objects.filter(key__in=[key for key, _ in hits])
            .values_list("key", "title", "date", "title_terms", "body_terms")}
    now = timezone.now()
    exact = normalize_query(query)
    rescored = []
    for position, (key, score) in enumerate(hits):
        title, date, title_terms, body_terms = rows.get(key, ("", None, "", ""))
        present, weight = expansion.document_match(words, title_terms or "", body_terms or "")
        if exact and len(title) <= 2 * len(exact) + 10 and normalize_query(title) == exact:
            weight += expansion.EXACT_TITLE_BONUS
        factor = 1 + weights.get(key.split(":", 1)[0], 0.0) * _recency(date, now)
        rescored.append((present, round(weight, 3), score * factor, -position, key))
    rescored.sort(reverse=True)
    return [(key, relevance, present == len(words)) for present, _w, relevance, _p, key in rescored]
