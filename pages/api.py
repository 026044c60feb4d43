"""
The pages' part of the JSON API (django-ninja, mounted in Wagtail's API v3).

Wagtail's own ``/api/v3/pages/`` serves every page type with its ``api_fields`` (typed by
``pages.api_schemas``). Here: ``/api/v3/content/``, one listing across page types filtered by
type, district, theme and date, and ``/api/v3/preview/`` for a headless front end to fetch a
draft being previewed in the admin.

The listing's rules (what is visible, which date an item has, what ``date_from`` and ``date_to``
mean for an event) are ``pages.selectors``'; our feeds use the same ones. Its types are the listed
kinds registered there: pages' own and those later apps declare (surveys' ``survey`` and
``recruitment``). They are read once, when this module is imported (by ``portal.api``, as the
URLconf loads, after every app's ``ready()`` has declared its kinds), into the ``type`` enum
the OpenAPI document gives and requests are checked against.
"""

import datetime
from typing import Literal, Optional

from django.apps import apps
from django.contrib.contenttypes.models import ContentType as ContentTypeModel
from django.core.exceptions import ImproperlyConfigured
from django.core.signing import BadSignature
from django.db.models import Q
from django.http import Http404
from ninja import Field, Query, Router, Schema
from ninja.pagination import paginate
from wagtail.api.v3.pagination import WagtailLimitOffsetPagination
from wagtail.models import Page

from apikit import LazyItems

from .api_schemas import ImageSchema
from .images import image_data
from .selectors import listed_kinds, listed_model, listed_pages, listing_date, listing_lead, visible_terms
from .terms import TermSchema, locale_by_code, named_terms, term

# --- /api/v3/content/: one listing across page types ------------------------------------------

if not apps.ready:  # the kinds later apps declare would be missing from the enum below
    raise ImproperlyConfigured("pages.api is imported before every app is ready; import it from the URLconf.")

CONTENT_KINDS = listed_kinds()
ContentKind = Literal[CONTENT_KINDS]


class ContentItemSchema(Schema):
    id: int
    type: ContentKind
    title: str
    url: Optional[str]
    lead: str
    date: Optional[datetime.date] = Field(None, description="記事は掲載日、イベントは開催日、その他（アンケート・募集も）は公開日")
    end: Optional[datetime.datetime] = None
    start: Optional[datetime.datetime] = None
    districts: list[TermSchema]
    themes: list[TermSchema]
    image: Optional[ImageSchema]
    locale: str


class ContentFilters(Schema):
    type: list[ContentKind] = Field([], description="種類（複数可）: " + ", ".join(CONTENT_KINDS))
    district: Optional[str] = Field(None, description="地域の ID またはスラッグ")
    theme: Optional[str] = Field(None, description="テーマの ID またはスラッグ")
    date_from: Optional[datetime.date] = Field(None, description="この日以降（イベントは終了日がこの日以降）")
    date_to: Optional[datetime.date] = Field(None, description="この日以前（イベントは開始日がこの日以前）")
    locale: str = Field("ja", description="言語コード")


def _item(page, kind):
    return {
        "id": page.pk,
        "type": kind,
        "title": page.title,
        "url": page.get_full_url(),
        "lead": listing_lead(page, kind),
        "date": listing_date(page, kind),
        "start": getattr(page, "start", None),
        "end": getattr(page, "end", None),
        "districts": [term(d) for d in _live_terms(page, "districts")],
        "themes": [term(t) for t in _live_terms(page, "themes")],
        "image": image_data(getattr(page, "hero_image", None), getattr(page, "hero_alt_text", "")),
        "locale": page.locale.language_code,
    }


def _live_terms(page, name):
    """A page's visible districts or themes: its own ``live_…`` (pages' models), else ``visible_terms``."""
    live = getattr(page, f"live_{name}", None)
    return visible_terms(page, name) if live is None else live


content_router = Router(tags=["content"])


@content_router.get(
    "/", response=list[ContentItemSchema], url_name="content_list", summary="地域・テーマ・日付で絞り込む横断一覧",
    operation_id="content_list",
)
@paginate(WagtailLimitOffsetPagination)
def content_list(request, filters: ContentFilters = Query(...)):
    """
    Articles, shops, events, specials, surveys and calls (every listed kind) in one list, newest
    first (by publication; events by start date when only events are asked for). Filter by type,
    by district and theme (id or slug) and by date.
    """
    locale = locale_by_code(filters.locale)
    kinds = filters.type or list(CONTENT_KINDS)
    district, theme = named_terms(locale, filters.district, filters.theme)

    def pages(kind):
        return listed_pages(kind, locale, district, theme, filters.date_from, filters.date_to)

    if kinds == ["event"]:
        return LazyItems(pages("event").order_by("start", "pk"), lambda page: _item(page, "event"))
    return _MergedItems({kind: pages(kind) for kind in kinds})


class _MergedItems(LazyItems):
    """
    Several page types in one newest-first list. The database orders and slices the merged
    ids (one query on the page table); only the requested window is loaded as pages.
    """

    def __init__(self, querysets):
        merged = Q()
        for queryset in querysets.values():
            merged |= Q(pk__in=queryset.values("pk"))
        super().__init__(Page.objects.filter(merged).order_by("-first_published_at", "-pk"), build=None)
        self.querysets = querysets
        self.kind_of = {
            ContentTypeModel.objects.get_for_model(listed_model(kind)).pk: kind for kind in querysets
        }

    def __getitem__(self, window):
        chosen = [(pk, self.kind_of[ct]) for pk, ct in self.queryset[window].values_list("pk", "content_type_id")]
        loaded = {}
        for kind in {kind for _pk, kind in chosen}:
            ids = [pk for pk, k in chosen if k == kind]
            loaded.update({page.pk: page for page in self.querysets[kind].filter(pk__in=ids)})
        return [_item(loaded[pk], kind) for pk, kind in chosen]


# --- /api/v3/preview/: drafts for a headless front end ----------------------------------------

preview_router = Router(tags=["preview"])


def _preview_response_schema():
    from wagtail.api.v3.routers.pages import PageDetailSchema

    return PageDetailSchema


@preview_router.get("/", response=_preview_response_schema(), url_name="page_preview", summary="下書きのプレビュー")
def page_preview(request, content_type: str, token: str):
    """
    The page being previewed in the admin, as the page detail API would give it once published.
    The admin hands ``content_type`` and ``token`` to the front end (``HEADLESS_PREVIEW_URL``);
    the token is signed by Wagtail, so no other authentication is needed.
    """
    try:
        app_label, model_name = content_type.split(".")
        model = ContentTypeModel.objects.get(app_label=app_label, model=model_name.lower()).model_class()
    except (ValueError, ContentTypeModel.DoesNotExist):
        raise Http404("プレビューするページの種類が正しくありません。") from None
    if model is None or not issubclass(model, Page) or not hasattr(model, "get_page_from_preview_token"):
        raise Http404("プレビューするページの種類が正しくありません。")
    try:
        page = model.get_page_from_preview_token(token)
    except BadSignature:
        raise Http404("プレビューの有効期限が切れたか、URL が正しくありません。") from None
    if page is None:
        raise Http404("プレビューが見つかりません。")
    if page.pk is None:  # a page not saved yet
        page.pk = page.id = 0
    return page
