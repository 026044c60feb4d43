"""
Reads of the pages app: what a visitor (or the API's anonymous client) may see.

One place decides "visible": live, public (no view restriction), in the page's own language.
Templates, the site's listings and the API all go through here.
"""

from django.http import Http404
from wagtail.images import get_image_model
from wagtail.models import Locale, Page

# Rendition specs the site's lists and the API ask for, fetched together with the images.
CARD_RENDITION = "fill-400x300|format-webp"


def visible_pages(model=Page, locale=None):
    queryset = model.objects.live().public()
    return queryset.filter(locale=locale) if locale is not None else queryset


def locale_by_code(code):
    """The content language an API filter names (``ja``, ``en``, ...); an unknown one is a clear 404."""
    locale = Locale.objects.filter(language_code=code).first()
    if locale is None:
        raise Http404(f"言語「{code}」はありません。")
    return locale


def in_terms(queryset, district=None, theme=None):
    """
    Pages of ``queryset`` tagged with ``district`` and/or ``theme``, of any language (matched by
    translation key). An event has one district (``district``), articles and shops several.
    """
    if district is not None:
        lookup = "districts" if hasattr(queryset.model, "districts") else "district"
        queryset = queryset.filter(**{f"{lookup}__translation_key": district.translation_key})
    if theme is not None:
        queryset = queryset.filter(themes__translation_key=theme.translation_key)
    return queryset


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


def visible_terms(page, name):
    """
    The live, public districts or themes ``page`` is tagged with, in the page's own language
    (a translated article still points at the Japanese district; this gives its translation),
    in the editor's order. Works on previews too, where the relation is an in-memory list.
    """
    related = getattr(page, name, None)
    if related is None:
        return []
    tagged = list(related.all())
    if not tagged:
        return []
    model = type(tagged[0])
    found = {
        term.translation_key: term
        for term in visible_pages(model, page.locale_id and page.locale).filter(
            translation_key__in=[term.translation_key for term in tagged]
        )
    }
    return [found[term.translation_key] for term in tagged if term.translation_key in found]


def visible_district(event):
    """An event's district (one foreign key), under the same rule as ``visible_terms``."""
    if not event.district_id:
        return None
    return (
        visible_pages(type(event.district), event.locale)
        .filter(translation_key=event.district.translation_key)
        .first()
    )


def gathered_pages(special):
    """The pages a special gathers, in the editor's order, leaving out any a visitor may not see."""
    ids = [item.page_id for item in special.items.all()]
    visible = {page.pk: page for page in visible_pages().filter(pk__in=ids).specific()}
    return [visible[pk] for pk in ids if pk in visible]


def tagged_with(term, lookup, event_lookup):
    """
    Articles, shops and events tagged with a district or theme (or its translation), in the
    term's language, newest first.
    """
    from .models import ArticlePage, EventPage, ShopPage

    key = term.translation_key
    ids = [
        ArticlePage.objects.filter(**{f"{lookup}__translation_key": key}).values("pk"),
        ShopPage.objects.filter(**{f"{lookup}__translation_key": key}).values("pk"),
        EventPage.objects.filter(**{f"{event_lookup}__translation_key": key}).values("pk"),
    ]
    queryset = visible_pages(locale=term.locale)
    merged = None
    for subquery in ids:
        condition = queryset.filter(pk__in=subquery)
        merged = condition if merged is None else merged | condition
    return merged.order_by("-first_published_at", "-pk").specific()


def with_images(pages, spec=CARD_RENDITION):
    """
    Load the hero images of ``pages`` (already fetched) with their ``spec`` renditions in two
    queries, instead of one image and one rendition query per card.
    """
    pages = list(pages)
    ids = {page.hero_image_id for page in pages if getattr(page, "hero_image_id", None)}
    if not ids:
        return pages
    images = get_image_model().objects.filter(pk__in=ids).prefetch_renditions(spec).in_bulk()
    for page in pages:
        if getattr(page, "hero_image_id", None) in images:
            page.hero_image = images[page.hero_image_id]
    return pages
