"""
Reads of the ward-information app: which notices and related sites a page shows.

Notices and sites are tagged with the Japanese districts and themes; a translated district or
theme page finds them through its translation key, as the pages app does. Narrowing by term and the
terms' names in a language come from ``pages.terms`` (``in_terms``, ``visible_term_map``).
"""

from django.utils import timezone

from pages.terms import in_terms

from .models import RelatedSite, WardNotice

HOME_NOTICES = 8
TERM_NOTICES = 5


def ward_notices(district=None, theme=None, date_from=None, date_to=None):
    """
    Published notices (none dated in the future: a feed may announce ahead), newest first,
    optionally only those tagged with ``district`` and/or ``theme`` (pages of any language)
    and published within ``date_from``–``date_to`` (dates, Japan time, both inclusive).
    """
    queryset = in_terms(WardNotice.objects.filter(published_at__lte=timezone.now()), district, theme)
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
    return list(in_terms(RelatedSite.objects.all(), district, theme).distinct())
