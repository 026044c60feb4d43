"""
One search over every registered source: the code behind the API, the site's results page and
the benchmark.

1. The query is normalised and analysed (``search.analysis``) into terms.
2. Each word gets its alternatives (``search.expansion``: normalised form, compound, reading,
   the editors' synonyms) and parts. The search engine is asked, or the database when there is no
   engine or it does not answer (``Outcome.fallback`` says so): first for documents with every
   word, then, for several words or a compound, for documents with any of them.
3. The best ``CANDIDATES`` of each (by the backend's own relevance) are re-ranked by one function
   whatever the backend: documents with every word first (``all_words``), then by how they have
   the words, then by a BM25 computed here from their stored terms (``Relevance``) times a recency
   bonus for sources that ask for one (ward notices, events). The same candidates thus come out in
   the same order from every backend.
4. Editors' promoted results (Wagtail's search promotions) come first on the first page.
5. The page's documents are loaded from SearchDocument and given a snippet.
"""

import datetime
import logging
import math
import time
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
    approximate: bool = False  # a common word: the count is an estimate (「約…件」)
    facets_approximate: bool = False  # the facet counts are estimates (「地域（約…）」)
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
    """
    (backend, fallback, total, all-words total, hits, facets, (count estimated, facets estimated))
    over the strict and, if needed, loose expression.
    """
    backend, fallback, strict_total, hits, facets, estimated = _backend_search(
        expansion.strict_expression(words), filters, 0, CANDIDATES, with_facets, using)
    if fallback:  # the engine failed once: the rest of this search asks the database, without waiting again
        using = "database"
        note_fallback()
    total = strict_total
    # Documents with some of the words come after those with all: when these fill the ranked
    # window already, the partial ones could not be shown on the first pages and are not asked for.
    if expansion.needs_loose(words) and strict_total < CANDIDATES:
        backend, again, total, loose_hits, loose_facets, loose_estimated = _backend_search(
            expansion.loose_expression(words), filters, 0, CANDIDATES, with_facets, using)
        fallback = fallback or again
        estimated = tuple(a or b for a, b in zip(estimated, loose_estimated, strict=True))
        seen = dict(hits)
        hits = hits + [(key, score) for key, score in loose_hits if key not in seen]
        facets = loose_facets
    return backend, fallback, total, strict_total, hits, facets, estimated


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
    backend, fallback, total, all_words, hits, facets, estimated = _candidates(words, filters, with_facets, using)
    outcome.backend, outcome.fallback, outcome.count, outcome.all_words_count = backend, fallback, total, all_words
    outcome.approximate, outcome.facets_approximate = estimated
    outcome.relaxed = all_words == 0 and total > 0
    if with_facets:
        outcome.facets = facets

    promoted = _promoted_keys(query, filters)
    if offset < CANDIDATES:
        ranked = _rerank(hits, words, query, total)
        ranked = [(key, 0.0, True) for key in promoted] + [item for item in ranked if item[0] not in promoted]
        window = ranked[offset:offset + per_page]
        outcome.count = total + len([key for key in promoted if key not in dict(hits)])
    else:
        loose = expansion.needs_loose(words) and outcome.all_words_count < CANDIDATES
        expression = expansion.loose_expression(words) if loose else expansion.strict_expression(words)
        _b, _f, _t, deep, _facets, _e = _backend_search(expression, filters, offset, per_page, False, using)
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


def _rerank(hits, words, query="", total=None):
    """
    [(key, relevance, has every word)] best first: documents with more of the words first
    (coordination), then by how they have them (``search.expansion``: surface > normalised >
    synonym > reading > parts; the title exactly the query counts most), then by ``Relevance``
    times (1 + the source's recency weight × closeness of the date to today). Every step is
    computed here from the candidates' stored terms, never from a backend's score, so the same
    candidates come out in the same order from SQLite, PostgreSQL and the search engine.
    """
    if not hits:
        return []
    weights = {source.name: source.recency_weight for source in registry.sources() if source.recency_weight}
    rows = {key: rest for key, *rest in SearchDocument.objects.filter(key__in=[key for key, _ in hits])
            .values_list("key", "title", "date", "title_terms", "body_terms", "locale")}
    now = timezone.now()
    exact = normalize_query(query)
    relevance = Relevance(words, {key: (row[2] or "", row[3] or "") for key, row in rows.items()},
                          total or len(hits), next(iter(rows.values()))[4] if rows else "ja")
    rescored = []
    for key, score in hits:
        title, date, title_terms, body_terms, _locale = rows.get(key, ("", None, "", "", ""))
        present, weight = expansion.document_match(words, title_terms or "", body_terms or "")
        if exact and len(title) <= 2 * len(exact) + 10 and normalize_query(title) == exact:
            weight += expansion.EXACT_TITLE_BONUS
        factor = 1 + weights.get(key.split(":", 1)[0], 0.0) * _recency(date, now)
        base = relevance.score(key) if words else score
        rescored.append((present, round(weight, 3), round(base * factor, 9), date.timestamp() if date else 0.0, key))
    rescored.sort(reverse=True)
    return [(key, relevance, present == len(words)) for present, _w, relevance, _d, key in rescored]


_CORPUS = {}  # locale -> (documents, when counted): the N of the idf, recounted every CORPUS_SECONDS
CORPUS_SECONDS = 300


def corpus_size(locale):
    """Documents in ``locale`` (from the database, the canonical index, whichever backend answered)."""
    documents, counted = _CORPUS.get(locale, (0, 0.0))
    if time.monotonic() - counted > CORPUS_SECONDS or not documents:
        documents = SearchDocument.objects.filter(locale=locale).count()
        _CORPUS[locale] = (documents, time.monotonic())
    return documents


class Relevance:
    """
    BM25 over the candidates' stored terms (title counted ``TITLE_WEIGHT`` times, as the backends
    weight it), the same function whatever backend found them: k1 1.2, b 0.75, the average length
    that of the candidates, a word's document frequency its share of the candidates times the
    matches the backend counted (exact when every match is a candidate), N the documents of the
    locale. A word counts by its best alternative (all its terms, the least frequent one's count),
    else by its parts at ``expansion.PART_WEIGHT``, else by its related terms at their weight.
    """

    K1, B, TITLE_WEIGHT = 1.2, 0.75, 4

    def __init__(self, words, documents, matches, locale):
        """``documents``: {key: (title terms, body terms)} of the candidates."""
        self.documents = {}  # key -> (length, [term frequency of each word])
        found = [0] * len(words)
        for key, (title, body) in documents.items():
            title_padded, body_padded = _padded(title), _padded(body)
            direct = [self.TITLE_WEIGHT * _frequency(word, title_padded) + _frequency(word, body_padded)
                      for word in words]
            # A related term counts for the document that lacks the word, never for the word's idf.
            frequencies = [tf or self.TITLE_WEIGHT * _related_frequency(word, title_padded)
                           + _related_frequency(word, body_padded) for tf, word in zip(direct, words, strict=True)]
            length = self.TITLE_WEIGHT * _length(title) + _length(body)
            self.documents[key] = (length, frequencies)
            found = [n + (1 if tf else 0) for n, tf in zip(found, direct, strict=True)]
        count = max(1, len(documents))
        self.average = sum(length for length, _f in self.documents.values()) / count or 1.0
        universe = max(corpus_size(locale), matches, count)
        self.idf = []
        for n in found:
            frequency = min(universe, n * max(matches, count) / count)
            self.idf.append(math.log(1 + (universe - frequency + 0.5) / (frequency + 0.5)))

    def score(self, key):
        length, frequencies = self.documents.get(key, (0, []))
        norm = self.K1 * (1 - self.B + self.B * length / self.average)
        return sum(idf * tf * (self.K1 + 1) / (tf + norm) for idf, tf in zip(self.idf, frequencies, strict=False) if tf)


def _length(terms):
    return terms.count(" ") + 1 if terms else 0


def _frequency(word, padded):
    """How often ``word`` is in the padded terms: its best alternative's least frequent term, else its parts."""
    best = 0
    for _kind, terms in word.alternatives:
        if all(f" {t} " in padded for t in terms):
            best = max(best, min(padded.count(f" {t} ") for t in terms))
    if not best and word.parts:
        counts = {part: padded.count(f" {part} ") for part in word.parts}
        if expansion.parts_found([part for part, count in counts.items() if count]):
            best = expansion.PART_WEIGHT * max(counts.values())
    return best


def _related_frequency(word, padded):
    """How often the best related term of ``word`` is in the padded terms, times its weight."""
    return max((weight * padded.count(f" {term} ") for term, weight in word.related), default=0.0)


def _padded(terms):
    """Space-separated terms with every term between two spaces of its own (so counts do not overlap)."""
    return " " + terms.replace(" ", "  ") + " "
