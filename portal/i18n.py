"""
The visitor's language and the content's language, on the public site.

The interface speaks the language of the URL ("/" Japanese, "/en/", "/zh-hans/", "/ko/"); a page
is shown in that language when it has a live translation, and otherwise in Japanese, with the
interface still in the visitor's language and a notice that the page exists only in Japanese
(``templates/base.html``). So ``/en/shops/shop-3/`` shows the Japanese shop page with an English
interface rather than a 404, and the language switcher can always keep the visitor on the same page.
"""

from django.conf import settings
from django.http import Http404
from django.urls import reverse, translate_url
from django.utils import translation
from wagtail import views as wagtail_views
from wagtail.models import Locale, Page, Site


def _source_root(site):
    """The site's root page in the source language (Japanese), whatever the site record points at."""
    root = site.root_page
    default = Locale.get_default()
    if root.locale_id != default.pk:
        root = root.get_translation_or_none(default) or root
    return root


def serve(request, path):
    """
    Wagtail's page view. Under another language's prefix, a path that the translated tree does not
    have is looked up in the Japanese tree, so an untranslated page is served (in Japanese) instead
    of a 404.
    """
    if translation.get_language() != settings.LANGUAGE_CODE and Page.route_for_request(request, path) is None:
        site = Site.find_for_request(request)
        if site is not None:
            try:
                components = [component for component in path.split("/") if component]
                # Wagtail's own cache of the route (see Page.route_for_request), read by its serve view.
                request._wagtail_route_for_request = _source_root(site).specific.route(request, components)
            except Http404:
                pass
    return wagtail_views.serve(request, path)


def _page_path_in(page, locale, request):
    """
    The address of ``page`` for a visitor who reads ``locale``'s language: its live translation's
    address, or the Japanese original's address under that language's prefix (served by ``serve``).
    """
    translated = page.get_translation_or_none(locale)
    if translated is not None and translated.live:
        return translated.get_url(request)
    default = Locale.get_default()
    original = page if page.locale_id == default.pk else page.get_translation_or_none(default)
    site = original.get_site() if original is not None and original.live else None
    if site is None:
        return None
    root = _source_root(site)
    with translation.override(locale.language_code):
        return reverse("wagtail_serve", args=[original.url_path[len(root.url_path):]])


def _view_path_in(request, code):
    """The same view of the site (search, notices, board, ...) in ``code``, with its query; None if it has none."""
    if request is None or request.resolver_match is None:
        return None
    here = request.get_full_path()
    there = translate_url(here, code)
    return there if there != here or code == translation.get_language() else None


def _home_path(code):
    with translation.override(code):
        return reverse("wagtail_serve", args=[""])


def language_links(request, page=None, to_home=False):
    """
    The language switcher's links: ``[{"code", "name", "url", "current"}]``, one per language, each
    to the same page in that language (a Wagtail page, or any other view of the site by the same
    route), or to that language's home page when there is none (``to_home``: always).
    """
    current = translation.get_language()
    locales = {locale.language_code: locale for locale in Locale.objects.all()}
    links = []
    for code, name in settings.LANGUAGES:
        url = None
        if to_home:
            pass
        elif page is not None and page.pk and code in locales:
            url = _page_path_in(page, locales[code], request)
        elif page is None:
            url = _view_path_in(request, code)
        links.append({"code": code, "name": name, "url": url or _home_path(code), "current": code == current})
    return links
