"""
The search API (django-ninja, mounted in Wagtail's API v3 at ``/api/v3/search/``).

``GET /api/v3/search/?q=…`` one search over every public source, with facets and snippets;
``GET /api/v3/search/suggest?q=…`` completion as the resident types; Wagtail's
``GET /api/v3/pages/?search=…`` is answered by the same search (``pages_search_queryset``). Errors are the API's RFC 7807
problems with a stable ``code``: ``query_empty`` and ``query_too_long`` (422), ``unknown_type`` (422).

Thin: the rules and the counting are ``search.selectors`` and ``search.services``, shared with
the site's results page (``search.views``).
"""

import datetime
import functools
from typing import Optional, Union

from django.utils import timezone
from ninja import Field, Query, Router, Schema

from apikit import ApiError

from .query import CANDIDATES, MAX_QUERY_LENGTH, Filters, QueryTooLong, clean_query, search
from .selectors import MAX_PAGE, PER_PAGE, InvalidSearch, _too_long, facet_values, message_for, suggestions
from .services import search_and_count

router = Router(tags=["search"])


def _refused(exc):
    """A search the rules refuse, as the API's problem (422 with the stable code)."""
    return ApiError(422, exc.code, str(exc))


class ResultSchema(Schema):
    type: str = Field(description="種類: article, shop, event, special, district, theme, notice, …")
    id: Union[int, str] = Field(description="その種類の中での ID（ページは Wagtail のページ ID）")
    title: str
    url: str
    snippet: str = Field(description="本文の抜粋（HTML）。一致した語は <mark> で囲まれます。それ以外はエスケープ済み")
    date: Optional[datetime.datetime] = Field(None, description="記事は掲載日、イベントは開始日時、お知らせは公開日時")
    districts: list[str] = Field(description="地域のスラッグ")
    themes: list[str] = Field(description="テーマのスラッグ")
    promoted: bool = Field(False, description="編集者のおすすめ（検索語に対して設定されたもの）")
    all_words: bool = Field(True, description="検索語のすべての語を含む（false: 一部の語を含む結果）")


class FacetValue(Schema):
    value: str
    label: str
    count: int


class FacetsSchema(Schema):
    type: list[FacetValue]
    districts: list[FacetValue]
    themes: list[FacetValue]


class SearchResponse(Schema):
    query: str = Field(description="正規化した検索語")
    count: int
    page: int
    pages: int
    results: list[ResultSchema]
    facets: FacetsSchema
    backend: str = Field(description="engine（検索エンジン）または database")
    fallback: bool = Field(description="検索エンジンが応答せず、データベースで検索した")
    relaxed: bool = Field(description="すべての語を含むものがなく、いずれかの語を含むものを表示している")
    all_words_count: int = Field(0, description="すべての語を含む件数（これらが先に並ぶ）")
    approximate: bool = Field(False, description="よく使われる語のため、件数は概数")
    facets_approximate: bool = Field(False, description="一致が多いため、絞り込みの件数は概数")
    suggestion: str = Field("", description="結果がないときの「もしかして」（別の表記・関連語）")
    message: str = ""


@router.get("/", response=SearchResponse, url_name="search", summary="サイト全体の検索（日本語対応）",
            operation_id="search")
def search_endpoint(
    request,
    q: str = Query("", description=f"検索する言葉（{MAX_QUERY_LENGTH}文字まで）"),
    type: list[str] = Query([], description="種類で絞り込み（複数可）"),
    district: Optional[str] = Query(None, description="地域のスラッグ"),
    theme: Optional[str] = Query(None, description="テーマのスラッグ"),
    date_from: Optional[datetime.date] = Query(None, alias="from", description="この日以降"),
    date_to: Optional[datetime.date] = Query(None, alias="to", description="この日以前"),
    page: int = Query(1, ge=1, le=MAX_PAGE),
    locale: str = Query("ja", description="言語コード"),
):
    """
    Articles, shops, events, specials, districts, themes and ward notices (and whatever else an
    app registers) in one ranked list: title matches weigh more than body matches, recent notices
    and events are favoured, editors' promoted results come first.
    """
    try:
        outcome = search_and_count(q, type, district, theme, date_from, date_to, page, locale=locale)
    except InvalidSearch as exc:
        raise _refused(exc) from exc
    return {
        "query": outcome.query, "count": outcome.count, "page": outcome.page, "pages": outcome.pages,
        "results": [
            {"type": r.type, "id": int(r.id) if r.id.isdigit() else r.id, "title": r.title, "url": _absolute(request, r.url),
             "snippet": r.snippet, "date": timezone.localtime(r.date) if r.date else None,
             "districts": r.districts, "themes": r.themes, "promoted": r.promoted, "all_words": r.all_words}
            for r in outcome.results
        ],
        "facets": facet_values(outcome.facets, locale),
        "backend": outcome.backend, "fallback": outcome.fallback, "relaxed": outcome.relaxed,
        "all_words_count": outcome.all_words_count, "approximate": outcome.approximate,
        "facets_approximate": outcome.facets_approximate,
        "suggestion": outcome.suggestion, "message": message_for(outcome),
    }


def _absolute(request, url):
    return request.build_absolute_uri(url) if url.startswith("/") else url


class SuggestResponse(Schema):
    query: str
    suggestions: list[str]


@router.get("/suggest", response=SuggestResponse, url_name="search_suggest", summary="入力途中の補完候補",
            operation_id="search_suggest")
def suggest_endpoint(request, q: str = Query("", description="入力途中の言葉（かな・漢字の前方一致）")):
    """Words from the titles (and popular queries) that start with what was typed, in kana or kanji."""
    try:
        return {"query": q.strip(), "suggestions": suggestions(q)}
    except InvalidSearch as exc:
        raise _refused(exc) from exc


def _page_types(model):
    """The result types of the registered page sources that are ``model`` or inherit from it."""
    from . import registry

    return tuple(sorted({source.type for source in registry.sources() if issubclass(source.model, model)}))


class RankedPages:
    """
    The pages of a portal search, best first, as Wagtail's paginator takes them: ``len()`` is the
    number of matches (up to what the search API reaches) and a slice fetches only its own window
    of the ranking, then those pages from Wagtail's queryset (its filters, fields and permissions
    still apply: a page the queryset does not hold is left out of the window).
    """

    def __init__(self, query, filters, queryset):
        self.query, self.filters, self.queryset = query, filters, queryset
        self.count = None  # the number of matches, from the first search this makes

    def _search(self, page, per_page):
        outcome = search(self.query, self.filters, page=page, per_page=per_page, with_facets=False)
        self.count = outcome.count if self.count is None else self.count
        return outcome

    @property
    def total(self):
        if self.count is None:
            self._search(1, 1)
        return min(self.count, MAX_PAGE * PER_PAGE)

    def __len__(self):
        return self.total

    def ids(self, start, stop):
        """Page ids ranked ``start`` to ``stop - 1`` (as /api/v3/search/ ranks them): one search when the window is in the first hundred."""
        if start >= stop or start >= MAX_PAGE * PER_PAGE:
            return []
        size = stop if stop <= CANDIDATES else stop - start
        first_page, last_page = (1, 1) if stop <= CANDIDATES else (start // size + 1, (stop - 1) // size + 1)
        ranked = []
        for number in range(first_page, last_page + 1):
            ranked += [int(r.id) for r in self._search(number, size).results if str(r.id).isdigit()]
        skip = start - (first_page - 1) * size
        return ranked[skip:skip + stop - start]

    def __getitem__(self, window):
        if not isinstance(window, slice):
            raise TypeError("RankedPages takes slices only")
        ids = self.ids(window.start or 0, window.stop if window.stop is not None else MAX_PAGE * PER_PAGE)
        rows = self.queryset.in_bulk(ids)
        return [rows[pk] for pk in ids if pk in rows]


def page_search_over(wagtail_search_queryset):
    """``SearchSchema.search_queryset`` for pages (the portal's search); images, documents and snippets keep Wagtail's."""
    from wagtail.models import Page

    @functools.wraps(wagtail_search_queryset)
    def search_queryset(schema, request, queryset):
        if schema.search is not None and issubclass(queryset.model, Page):
            return pages_search_queryset(schema, request, queryset)
        return wagtail_search_queryset(schema, request, queryset)

    return search_queryset


def pages_search_queryset(schema, request, queryset):
    """
    Wagtail's ``GET /api/v3/pages/?search=…`` answered by the portal's one search (installed over
    ``SearchSchema.search_queryset`` by ``search.apps``): the same analysis, synonyms and ranking
    as ``/api/v3/search/?type=<the page types>`` (a type filter: editors' promoted results, which
    come first only in an unfiltered search, are not put first here either), in Wagtail's JSON shape.
    With ``order=`` Wagtail's order is kept over the matches (up to what the search API reaches).
    ``search_operator`` is not needed: pages with every word come first, then those with some.
    """
    if schema.search is None:
        return queryset
    filters = Filters(types=_page_types(queryset.model), locale=request.GET.get("locale") or "ja")
    try:
        query = clean_query(schema.search)
    except QueryTooLong as exc:
        raise _refused(_too_long()) from exc
    if not filters.types or not query:
        return queryset.none()
    ranked = RankedPages(query, filters, queryset)
    if "order" in request.GET:
        return queryset.filter(pk__in=ranked.ids(0, ranked.total))
    return ranked
