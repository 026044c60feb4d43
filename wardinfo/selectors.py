"""
Reads of the ward-information app: which notices and related sites a page shows.

Notices and sites are tagged with the Japanese districts and themes; a translated district or
theme page finds them through its translation key, as the pages app does.
"""

from django.utils import timezone

from .models import RelatedSite, WardNotice

HOME_NOTICES = 8
TERM_NOTICES = 5


def visible_term_map(locale):
    """
    Every visible district and theme of ``locale`` by translation key: one query, then pages and
    notices (which point at the Japanese ones) find their terms' names in this language from it.
    """
    from pages.models import DistrictPage, ThemePage
    from pages.selectors import visible_pages

    return {page.translation_key: page for model in (DistrictPage, ThemePage) for page in visible_pages(model, locale)}


def terms_of(term_map, *managers_or_pages):
    """The visible terms, in order, among ``managers_or_pages`` (related managers, lists or single pages)."""
    found = []
    for value in managers_or_pages:
        pages = value.all() if hasattr(value, "all") else ([value] if value is not None else [])
        found += [term_map[page.translation_key] for page in pages if page.translation_key in term_map]
    return found


def _term_filter(district=None, theme=None):
    conditions = {}
    if district is not None:
        conditions["districts__translation_key"] = district.translation_key
    if theme is not None:
        conditions["themes__translation_key"] = theme.translation_key
    return conditions


def ward_notices(district=None, theme=None, date_from=None, date_to=None):
    """
    Published notices (none dated in the future: a feed may announce ahead), newest first,
    optionally only those tagged with ``district`` and/or ``theme`` (pages of any language)
    and published within ``date_from``–``date_to`` (dates, Japan time, both inclusive).
    """
    queryset = WardNotice.objects.filter(published_at__lte=timezone.now(), **_term_filter(district, theme))
    if date_from:
        queryset = queryset.filter(published_at__date__gte=date_from)
    if date_to:
        queryset = queryset.filter(published_at__date__lte=date_to)
    return queryset.select_related("source").distinct().order_by("-published_at", "-pk")


def latest_notices(district=None, theme=None, limit=None):
    """The few newest notices a home, district or theme page shows."""
    limit = limit or (HOME_NOTICES if district is None and theme is None else TERM_NOTICES)
    return list(ward_notices(district, theme)[:limit])


def related_sites(district=None, theme=None):
    """
    The related sites a page shows: those tagged with its district or theme; on the home page
    (neither given) those tagged with no district and no theme.
    """
    if district is None and theme is None:
        return list(RelatedSite.objects.filter(districts=None, themes=None))
    return list(RelatedSite.objects.filter(**_term_filter(district, theme)).distinct())
