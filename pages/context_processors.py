"""
Site-wide navigation: the home page of the visitor's language and its sections. The same for every
visitor of a site and language, so kept per process until something is published
(``pages.caching.shared``).
"""

from django.utils import translation
from django.utils.functional import SimpleLazyObject
from wagtail.models import Locale, Site

from .caching import shared


def navigation(request):
    site = Site.find_for_request(request) if request else None
    if site is None:
        return {}
    language = translation.get_language()
    found = SimpleLazyObject(lambda: shared("navigation", (site.pk, site.root_page_id, language),
                                            lambda: _navigation(site), copied=True))
    # Lazy: read only by the templates that show them (not by the admin's fragments, mails, ...).
    return {"site_root": SimpleLazyObject(lambda: found[0]), "nav_sections": SimpleLazyObject(lambda: found[1])}


def _navigation(site):
    root = site.root_page
    try:
        locale = Locale.get_active()
        root = root.get_translation(locale)
    except Exception:  # noqa: BLE001 - no translation in this language: fall back to the default tree
        pass
    sections = list(root.get_children().live().in_menu().only("title", "url_path", "path", "depth", "locale_id")
                    ) if root.live else []
    return root, sections
