"""
Typed read schemas for the page API: districts and themes as ``{id, title, slug}`` (the schema
itself is ``pages.terms.TermSchema``, shared with other apps' APIs), images as renditions with
their alt text, a special's items as links.

Kept apart from ``pages.api`` (the routers) because ``extend_page_schemas`` must run before
``wagtail.api.v3.routers.pages`` is imported, and the routers import it.
"""

from typing import Optional

from ninja import Field, Schema

from . import models as page_models
from .images import image_data
from .terms import TermSchema, term, visible_district


class RenditionSchema(Schema):
    url: str
    width: int
    height: int


class ImageSchema(Schema):
    id: int
    alt: str = Field(description="代替テキスト")
    width: int
    height: int
    renditions: dict[str, RenditionSchema]


class PageLinkSchema(Schema):
    id: int
    type: str
    title: str
    url: Optional[str]


def page_link(page):
    return {"id": page.pk, "type": page._meta.label, "title": page.title, "url": page.get_full_url()}


# Only what a visitor may see, in the page's own language (pages.selectors).
def _resolve_districts(obj, context=None):
    return [term(district) for district in obj.live_districts]


def _resolve_themes(obj, context=None):
    return [term(theme) for theme in obj.live_themes]


def _resolve_district(obj, context=None):
    district = visible_district(obj)
    return term(district) if district else None


def _resolve_hero(obj, context=None):
    return image_data(obj.hero_image, obj.hero_alt_text)


def _resolve_items(obj, context=None):
    return [page_link(page) for page in obj.gathered_pages()]


def extend_page_schemas():
    """
    Replace the generic representations in Wagtail's generated read schemas.

    Must run before ``wagtail.api.v3.routers.pages`` is imported (it builds the union of the
    page schemas at import): ``PagesConfig.ready()`` runs before the Wagtail apps' own.
    """
    from wagtail.api.v3.registry import registry
    from wagtail.api.v3.schemas.generators.read import read_generator

    overrides = {
        "districts": (list[TermSchema], [], staticmethod(_resolve_districts)),
        "themes": (list[TermSchema], [], staticmethod(_resolve_themes)),
        "district": (Optional[TermSchema], None, staticmethod(_resolve_district)),
        "hero_image": (Optional[ImageSchema], None, staticmethod(_resolve_hero)),
        "items": (list[PageLinkSchema], [], staticmethod(_resolve_items)),
    }
    for model in (
        page_models.DistrictPage, page_models.ThemePage, page_models.ArticlePage, page_models.SpecialPage,
        page_models.ShopPage, page_models.EventPage,
    ):
        registration = registry.get(model._meta.label)
        fields = {name: spec for name, spec in overrides.items() if name in model.api_fields}
        registration.read_schema = read_generator.extend_schema(
            registration.read_schema, registration.read_schema.__name__, fields
        )
