"""
Districts (地域) and themes (テーマ): the floor other apps stand on.

Ward notices, board posts, submissions, and later ads, newsletters, surveys and reports are all
tagged with districts and themes. Those apps reach them through this module only, never through
``pages.models``, ``pages.api`` or ``pages.api_schemas``, so the pages app can change its models
and its API without breaking them, and no app imports another's API module.

The models are given by functions (``district_model()``, ``theme_model()``) rather than imported
here: ``pages.models`` imports ``pages.selectors`` (which this module builds on) while it loads, so
a module-level import of the models would be a circle, and another app's ``models.py`` may import
this module before the app registry is ready.

Content is tagged with the Japanese districts and themes; a page of another language finds its
own through the translation key (``in_terms``, ``visible_term_map``).
"""

from django.http import Http404
from ninja import Schema
from wagtail.models import Locale

# Defined with pages' own reads (pages.models needs them while it loads); given to other apps here.
from .selectors import in_terms, visible_district, visible_pages, visible_terms

__all__ = [
    "TermSchema", "district_model", "in_terms", "locale_by_code", "named_terms", "tagged_terms", "term",
    "term_by_id_or_slug", "terms_of", "theme_model", "visible_district", "visible_districts", "visible_term_map",
    "visible_terms", "visible_themes",
]


def district_model():
    """``DistrictPage``: for foreign keys' querysets, ``isinstance`` checks and the importer's rules."""
    from .models import DistrictPage

    return DistrictPage


def theme_model():
    """``ThemePage``, as ``district_model`` gives ``DistrictPage``."""
    from .models import ThemePage

    return ThemePage


def visible_districts(locale=None):
    """The districts a visitor may see (in ``locale`` when given)."""
    return visible_pages(district_model(), locale)


def visible_themes(locale=None):
    """The themes a visitor may see (in ``locale`` when given)."""
    return visible_pages(theme_model(), locale)


def locale_by_code(code):
    """The content language an API filter names (``ja``, ``en``, ...); an unknown one is a clear 404."""
    locale = Locale.objects.filter(language_code=code).first()
    if locale is None:
        raise Http404(f"言語「{code}」はありません。")
    return locale


def term_by_id_or_slug(model, value, locale):
    """
    A visible district or theme of ``locale`` named by id or slug, as an API filter gives it;
    a value that names none is a 404 with a clear message.
    """
    queryset = visible_pages(model, locale)
    found = queryset.filter(pk=int(value)).first() if value.isascii() and value.isdecimal() else \
        queryset.filter(slug=value).first()
    if found is None:
        raise Http404(f"{model._meta.verbose_name}「{value}」は見つかりません。")
    return found


def named_terms(locale, district=None, theme=None):
    """
    The district and theme an API's ``district=`` and ``theme=`` filters name (id or slug), as a
    pair of pages of ``locale`` (``None`` where no filter is given); an unknown one is a 404.
    """
    return (
        term_by_id_or_slug(district_model(), district, locale) if district else None,
        term_by_id_or_slug(theme_model(), theme, locale) if theme else None,
    )


def visible_term_map(locale):
    """
    Every visible district and theme of ``locale`` by translation key: one query per model, then
    pages and notices (which point at the Japanese ones) find their terms in this language in it.
    """
    return {page.translation_key: page for model in (district_model(), theme_model())
            for page in visible_pages(model, locale)}


def terms_of(term_map, *managers_or_pages):
    """The visible terms, in order, among ``managers_or_pages`` (related managers, lists or single pages)."""
    found = []
    for value in managers_or_pages:
        pages = value.all() if hasattr(value, "all") else ([value] if value is not None else [])
        found += [term_map[page.translation_key] for page in pages if page.translation_key in term_map]
    return found


def tagged_terms(term_map, item):
    """
    The visible districts, then themes, ``item`` is tagged with: anything with ``districts``
    (several) or ``district`` (an event's one) and ``themes``.
    """
    districts = item.districts if hasattr(item, "districts") else getattr(item, "district", None)
    return terms_of(term_map, districts, item.themes)


# --- In the API -----------------------------------------------------------------------------------

class TermSchema(Schema):
    """A district or theme as other pages refer to it."""

    id: int
    title: str
    slug: str


def term(page):
    """A district or theme as ``TermSchema`` data."""
    return {"id": page.pk, "title": page.title, "slug": page.slug}
