"""Site-wide navigation: the home page of the visitor's language and its sections."""

from wagtail.models import Locale, Site


def navigation(request):
    site = Site.find_for_request(request) if request else None
    if site is None:
        return {}
    root = site.root_page
    try:
        locale = Locale.get_active()
        root = root.get_translation(locale)
    except Exception:  # noqa: BLE001 - no translation in this language: fall back to the default tree
        pass
    return {
        "site_root": root,
        "nav_sections": root.get_children().live().in_menu().only("title", "url_path", "path", "depth", "locale_id")
        if root.live else [],
    }
