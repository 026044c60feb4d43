"""
What the pages app lets residents find (see ``search.registry``): every content page type a
visitor may see — live, public, in its own language (``selectors.visible_pages``, the one rule).
"""

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from wagtail.models import Page, PageViewRestriction
from wagtail.rich_text import get_text_for_indexing

from search.registry import Document, Source, register, register_term_labels

from .models import ArticlePage, DistrictPage, EventPage, ShopPage, SpecialPage, ThemePage
from .selectors import visible_pages


def _stream_text(page, name):
    value = getattr(page, name, None)
    if not value:
        return ""
    field = page._meta.get_field(name)
    return " ".join(str(part) for part in field.get_searchable_content(value))


def _rich(html):
    return get_text_for_indexing(html or "")


def _slugs(manager):
    return [term.slug for term in manager.all()]


def _local_date(value):
    return timezone.localtime(value) if value else None


def article_document(page):
    return Document(
        title=page.title, url=page.get_url() or "", locale=page.locale.language_code,
        text=" ".join([page.search_description, page.lead, page.interviewee, _stream_text(page, "body")]),
        date=page.date, districts=_slugs(page.districts), themes=_slugs(page.themes),
        keywords=" ".join(tag.name for tag in page.tags.all()),
    )


def shop_document(page):
    return Document(
        title=page.title, url=page.get_url() or "", locale=page.locale.language_code,
        text=" ".join([page.search_description, _rich(page.description), page.address, page.opening_hours]),
        date=page.last_published_at or page.first_published_at,
        districts=_slugs(page.districts), themes=_slugs(page.themes),
        keywords=" ".join([page.title_reading, page.get_category_display()]),
    )


def event_document(page):
    return Document(
        title=page.title, url=page.get_url() or "", locale=page.locale.language_code,
        text=" ".join([page.search_description, page.lead, page.venue, page.venue_address, page.organiser,
                       page.fee, page.how_to_apply, _stream_text(page, "body")]),
        date=page.start, districts=[page.district.slug] if page.district_id else [], themes=_slugs(page.themes),
    )


def special_document(page):
    return Document(
        title=page.title, url=page.get_url() or "", locale=page.locale.language_code,
        text=" ".join([page.search_description, page.lead, _stream_text(page, "body")]),
        date=page.first_published_at,
    )


def district_document(page):
    return Document(
        title=page.title, url=page.get_url() or "", locale=page.locale.language_code,
        text=" ".join([page.search_description, _rich(page.description), page.office_name, page.office_address]),
        date=page.first_published_at, districts=[page.slug], keywords=page.reading,
    )


def theme_document(page):
    return Document(
        title=page.title, url=page.get_url() or "", locale=page.locale.language_code,
        text=" ".join([page.search_description, _rich(page.description)]),
        date=page.first_published_at, themes=[page.slug],
    )


def _page_itself(page):
    return [page.pk]


def _restricted_subtree(restriction):
    # A view restriction added or removed changes what is public below its page.
    return Page.objects.filter(path__startswith=restriction.page.path).values_list("pk", flat=True)


PAGE_RELATED = [(Page, _page_itself), (PageViewRestriction, _restricted_subtree)]

for name, kind, label, model, document, prefetch, recency in [
    ("pages.article", "article", _("取材記事"), ArticlePage, article_document, ("districts", "themes", "tags"), 0.0),
    ("pages.shop", "shop", _("店舗・企業・団体"), ShopPage, shop_document, ("districts", "themes"), 0.0),
    ("pages.event", "event", _("イベント"), EventPage, event_document, ("themes",), 1.0),
    ("pages.special", "special", _("特集"), SpecialPage, special_document, (), 0.0),
    ("pages.district", "district", _("地域"), DistrictPage, district_document, (), 0.0),
    ("pages.theme", "theme", _("テーマ"), ThemePage, theme_document, (), 0.0),
]:
    register(Source(
        name=name, type=kind, label=label, model=model,
        visible=(lambda model=model: visible_pages(model).select_related("locale")),
        document=document, related=PAGE_RELATED, recency_weight=recency,
        prefetch=(lambda queryset, related=prefetch: queryset.prefetch_related(*related)) if prefetch else None,
    ))


def _labels(model):
    def resolve(slugs, locale):
        # Documents carry the Japanese pages' slugs; the label is in the listing's language when translated.
        originals = model.objects.filter(slug__in=slugs, locale__language_code="ja")
        found = {page.slug: page for page in originals}
        labels = {slug: page.title for slug, page in found.items()}
        if locale != "ja":
            keys = {page.translation_key: page.slug for page in found.values()}
            for translated in visible_pages(model).filter(translation_key__in=keys, locale__language_code=locale):
                labels[keys[translated.translation_key]] = translated.title
        return labels

    return resolve


register_term_labels("districts", _labels(DistrictPage))
register_term_labels("themes", _labels(ThemePage))
