"""
The search API (django-ninja, mounted in Wagtail's API v3 at ``/api/v3/search/``).

``GET /api/v3/search/?q=…`` one search over every public source, with facets and snippets;
``GET /api/v3/search/suggest?q=…`` completion as the resident types. Errors are the API's RFC 7807
problems with a stable ``code``: ``query_empty`` and ``query_too_long`` (422), ``unknown_type`` (422).
"""

import datetime
from typing import Optional, Union

from django.utils import timezone
from ninja import Field, Query, Router, Schema
from ninja.errors import HttpError

from . import analytics, registry
from .query import MAX_QUERY_LENGTH, Filters, QueryTooLong, day_bounds, search
from .suggest import suggest

PER_PAGE = 10
MAX_PAGE = 100

router = Router(tags=["search"])


class SearchProblem(HttpError):
    def __init__(self, code, detail, status=422):
        super().__init__(status, detail)
        self.code = code


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
    message: str = ""


def facet_values(facets, locale):
    labels = registry.types()
    out = {"type": [FacetValue(value=k, label=labels.get(k, k), count=v)
                    for k, v in sorted(facets.get("type", {}).items(), key=lambda kv: -kv[1])]}
    for kind in ("districts", "themes"):
        counts = facets.get(kind, {})
        names = registry.term_labels(kind, counts.keys(), locale)
        out[kind] = [FacetValue(value=k, label=names.get(k, k), count=v)
                     for k, v in sorted(counts.items(), key=lambda kv: -kv[1]) if k in names]
    return out


def run(q, types, district, theme, date_from, date_to, page, locale="ja", record=True):
    """Shared by the API and the site: validated search, counted in the analytics (first pages only)."""
    known = registry.types()
    unknown = [t for t in types if t not in known]
    if unknown:
        raise SearchProblem("unknown_type", f"種類「{'、'.join(unknown)}」はありません。使える種類: {', '.join(known)}")
    if len(q or "") > 10 * MAX_QUERY_LENGTH:
        raise SearchProblem("query_too_long", f"検索する言葉は{MAX_QUERY_LENGTH}文字以内にしてください。")
    if not (q or "").strip():
        raise SearchProblem("query_empty", "検索する言葉を入力してください。")
    start, end = day_bounds(date_from, date_to)
    filters = Filters(types=tuple(types), district=district or None, theme=theme or None,
                      date_from=start, date_to=end, locale=locale)
    try:
        outcome = search(q, filters, page=page, per_page=PER_PAGE)
    except QueryTooLong:
        raise SearchProblem("query_too_long", f"検索する言葉は{MAX_QUERY_LENGTH}文字以内にしてください。") from None
    if record and page == 1 and filters.empty:
        analytics.record(outcome.query, outcome.count > 0)
    return outcome


def message_for(outcome):
    if outcome.fallback:
        return "検索エンジンに接続できないため、簡易検索で表示しています。結果が普段と異なる場合があります。"
    if outcome.relaxed:
        return "すべての言葉を含むものが見つからなかったため、いずれかの言葉を含むものを表示しています。"
    return ""


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
    outcome = run(q, type, district, theme, date_from, date_to, page, locale=locale)
    return {
        "query": outcome.query, "count": outcome.count, "page": outcome.page, "pages": outcome.pages,
        "results": [
            {"type": r.type, "id": int(r.id) if r.id.isdigit() else r.id, "title": r.title, "url": _absolute(request, r.url),
             "snippet": r.snippet, "date": timezone.localtime(r.date) if r.date else None,
             "districts": r.districts, "themes": r.themes, "promoted": r.promoted}
            for r in outcome.results
        ],
        "facets": facet_values(outcome.facets, locale),
        "backend": outcome.backend, "fallback": outcome.fallback, "relaxed": outcome.relaxed,
        "message": message_for(outcome),
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
    if len(q) > MAX_QUERY_LENGTH:
        raise SearchProblem("query_too_long", f"検索する言葉は{MAX_QUERY_LENGTH}文字以内にしてください。")
    return {"query": q.strip(), "suggestions": suggest(q)}
