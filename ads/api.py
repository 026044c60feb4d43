"""
``GET /api/v3/ads/?placement=<slug>[&district=<slug>][&theme=<slug>][&locale=ja][&limit=N]``: the ads
a front end shows in one slot, chosen exactly as the server-rendered site chooses them (targeting by
what the page is about, rotation by weight, pacing). Each item's ``image.url`` is the counting image
and ``click_url`` the signed redirect: a front end uses both as given, so views and clicks count.

No cookie, no personal data, nothing about the caller. Bad input is a problem document:
``unknown_placement``, ``unknown_district``, ``unknown_theme``, ``unknown_locale`` (422).
"""

from typing import Optional

from django.conf import settings
from django.utils import translation
from ninja import Field, Query, Router, Schema

from apikit import ApiError

from . import selectors
from .placements import PLACEMENTS

router = Router(tags=["ads"])


class AdImageSchema(Schema):
    url: str = Field(description="広告画像（表示回数を数える URL。そのまま img の src に使う）")
    width: int
    height: int


class AdSchema(Schema):
    id: int
    placement: str
    advertiser: str = Field(description="広告主名")
    label: str = Field(description="「広告」の表示（必ず見える形で添える）")
    alt: str = Field(description="画像の代替テキスト")
    image: AdImageSchema
    click_url: str = Field(description="クリック用の署名付き URL（302 で広告主のページへ）。rel=\"sponsored noopener\" を付ける")
    text: str = Field(description="短い説明文（空のことがある）")


class AdListSchema(Schema):
    items: list[AdSchema]


class AdFilters(Schema):
    placement: str = Field(description="掲載枠: " + ", ".join(PLACEMENTS))
    district: Optional[str] = Field(None, description="ページの地域（スラッグ。例: okubo）")
    theme: Optional[str] = Field(None, description="ページのテーマ（スラッグ）")
    locale: str = Field("ja", description="ページの言語（ja, en, zh-hans, ko）")
    limit: Optional[int] = Field(None, ge=1, le=5, description="最大件数（省略: 枠の標準の数）")


def _check(filters):
    if filters.placement not in PLACEMENTS:
        raise ApiError(422, "unknown_placement", f"掲載枠「{filters.placement}」はありません。"
                                                 f"使える値: {', '.join(PLACEMENTS)}")
    if filters.district and filters.district not in selectors.district_slugs():
        raise ApiError(422, "unknown_district", f"地域「{filters.district}」は見つかりません。")
    if filters.theme and filters.theme not in selectors.theme_slugs():
        raise ApiError(422, "unknown_theme", f"テーマ「{filters.theme}」は見つかりません。")
    if filters.locale not in {code for code, _name in settings.LANGUAGES}:
        raise ApiError(422, "unknown_locale", f"言語「{filters.locale}」はありません。")


def _absolute(request, url):
    return request.build_absolute_uri(url)


@router.get("/", response=AdListSchema, summary="枠に表示する広告", auth=None)
def list_ads(request, filters: Query[AdFilters]):
    _check(filters)
    with translation.override(filters.locale):  # the label 「広告」 in the page's language
        slot = selectors.ads_for(filters.placement, districts=[filters.district] if filters.district else (),
                                 themes=[filters.theme] if filters.theme else (), language=filters.locale,
                                 limit=filters.limit)
    for item in slot.items:
        item["image"]["url"] = _absolute(request, item["image"]["url"])
        item["click_url"] = _absolute(request, item["click_url"])
    return {"items": slot.items}
