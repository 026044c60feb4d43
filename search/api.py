"""
The search API (django-ninja, mounted in Wagtail's API v3 at ``/api/v3/search/``).

``GET /api/v3/search/?q=…`` one search over every public source, with facets and snippets;
``GET /api/v3/search/suggest?q=…`` completion as the resident types; Wagtail's
``GET /api/v3/pages/?search=…`` is redirected here (``redirect_page_search``). Errors are the API's RFC 7807
problems with a stable ``code``: ``query_empty`` and ``query_too_long`` (422), ``unknown_type`` (422).

Thin: the rules and the counting are ``search.selectors`` and ``search.services``, shared with
the site's results page (``search.views``).
"""

import datetime
import functools
from typing import Optional, Union
from urllib.parse import urlencode

from django.http import HttpResponseRedirect
from django.utils import timezone
from ninja import Field, Query, Router, Schema

from apikit import ApiError

from .query import MAX_QUERY_LENGTH
from .selectors import MAX_PAGE, InvalidSearch, facet_values, message_for, suggestions
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
    approximate: bool = Field(False, description="よく使われる語のため、件数と絞り込みの件数は概数")
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


def page_types():
    """The result types of the registered sources that are Wagtail pages."""
    from wagtail.models import Page

    from . import registry

    return sorted({source.type for source in registry.sources() if issubclass(source.model, Page)})


def redirect_page_search(view):
    """
    Wrap an API view: Wagtail's own page search (``GET /api/v3/pages/?search=…``) is sent to this
    search (``/api/v3/search/?q=…&type=<page types>``, 307), so a headless front end sees one
    search, with the same analysis, synonyms and ranking, whichever it calls.
    """

    @functools.wraps(view)
    def wrapped(request, *args, **kwargs):
        path = request.path.rstrip("/")
        if request.method == "GET" and request.GET.get("search") and path.endswith("/pages"):
            params = [("q", request.GET["search"])] + [("type", t) for t in page_types()]
            if request.GET.get("locale"):
                params.append(("locale", request.GET["locale"]))
            response = HttpResponseRedirect(f"{path[:-len('/pages')]}/search/?{urlencode(params)}")
            response.status_code = 307  # the same method and query, at the one search
            return response
        return view(request, *args, **kwargs)

    return wrapped
