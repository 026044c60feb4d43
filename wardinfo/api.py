"""
``/api/v3/ward-notices/``: the ward's notices, newest first, filterable by district, theme and
publication date. Every item carries the official page's URL and ``publisher`` 「新宿区」: the
ward's information, shown as such by any front end.
"""

import datetime
from typing import Literal, Optional

from django.http import Http404
from ninja import Field, Query, Router, Schema
from ninja.pagination import paginate
from pydantic import model_validator
from wagtail.api.v3.pagination import WagtailLimitOffsetPagination

from apikit import LazyItems
from pages.terms import TermSchema, locale_by_code, named_terms, term, terms_of, visible_term_map

from .selectors import ward_notices

PUBLISHER = "新宿区"


class NoticeSourceSchema(Schema):
    id: int
    name: str


class WardNoticeSchema(Schema):
    id: int
    type: Literal["ward_notice"] = "ward_notice"
    publisher: str = Field(PUBLISHER, description="情報の発信元（区の情報であることの表示）")
    title: str
    summary: str = Field(description="概要（区のフィードから取り込み、安全な HTML に整えたもの）")
    url: str = Field(description="区の公式ページ")
    published_at: datetime.datetime
    updated_at: datetime.datetime
    source: NoticeSourceSchema
    districts: list[TermSchema]
    themes: list[TermSchema]


class NoticeFilters(Schema):
    district: Optional[str] = Field(None, description="地域の ID またはスラッグ")
    theme: Optional[str] = Field(None, description="テーマの ID またはスラッグ")
    date_from: Optional[datetime.date] = Field(None, description="この日以降に公開（日本時間）")
    date_to: Optional[datetime.date] = Field(None, description="この日以前に公開（日本時間）")
    locale: str = Field("ja", description="地域・テーマの名前の言語")

    @model_validator(mode="after")
    def _range(self):
        if self.date_from and self.date_to and self.date_from > self.date_to:
            raise ValueError("date_from は date_to 以前の日付にしてください。")
        return self


class _Terms:
    """Districts and themes of one language, found by translation key (notices point at the Japanese ones)."""

    def __init__(self, locale):
        self.by_key = visible_term_map(locale)

    def __call__(self, pages):
        return [term(page) for page in terms_of(self.by_key, pages)]


def _notice(notice, terms):
    return {
        "id": notice.pk,
        "title": notice.title,
        "summary": notice.summary,
        "url": notice.url,
        "published_at": notice.published_at,
        "updated_at": notice.updated_at,
        "source": {"id": notice.source_id, "name": notice.source.name},
        "districts": terms(notice.districts.all()),
        "themes": terms(notice.themes.all()),
    }


router = Router(tags=["ward notices"])


@router.get("/", response=list[WardNoticeSchema], url_name="ward_notice_list", operation_id="ward_notice_list",
            summary="区からのお知らせ（地域・テーマ・公開日で絞り込み）")
@paginate(WagtailLimitOffsetPagination)
def notice_list(request, filters: NoticeFilters = Query(...)):
    """The ward's notices, newest first. Each links to the ward's official page."""
    locale = locale_by_code(filters.locale)
    district, theme = named_terms(locale, filters.district, filters.theme)
    queryset = ward_notices(district, theme, filters.date_from, filters.date_to).prefetch_related(
        "districts", "themes")
    terms = _Terms(locale)
    return LazyItems(queryset, lambda notice: _notice(notice, terms))


@router.get("/{int:notice_id}/", response=WardNoticeSchema, url_name="ward_notice_detail",
            operation_id="ward_notice_detail", summary="区からのお知らせ（1件）")
def notice_detail(request, notice_id: int, locale: str = "ja"):
    notice = ward_notices().filter(pk=notice_id).first()
    if notice is None:
        raise Http404(f"お知らせ {notice_id} は見つかりません。")
    return _notice(notice, _Terms(locale_by_code(locale)))
