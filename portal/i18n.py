"""
The visitor's language and the content's language, on the public site.

The interface speaks the language of the URL ("/" Japanese, "/en/", "/zh-hans/", "/ko/"); a page
is shown in that language when it has a live translation, and otherwise in Japanese, with the
interface still in the visitor's language and a notice that the page exists only in Japanese
(``templates/base.html``). So ``/en/shops/shop-3/`` shows the Japanese shop page with an English
interface rather than a 404, and the language switcher can always keep the visitor on the same page.
"""

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db.models import prefetch_related_objects
from django.http import Http404
from django.urls import reverse, translate_url
from django.utils import translation
from wagtail import views as wagtail_views
from wagtail.coreutils import get_supported_content_language_variant
from wagtail.models import Locale, Page, Site
from wagtail.url_routing import RouteResult

from pages.caching import all_locales, shared
from pages.selectors import has_field


def _source_root(site):
    """The site's root page in the source language (Japanese), whatever the site record points at."""
    root = site.root_page
    default = Locale.get_default()
    if root.locale_id != default.pk:
        root = root.get_translation_or_none(default) or root
    return root


MISSING = "missing"  # no live page at that path (a routable page on the way is not "missing")


def _direct_route(request, path, code):
    """
    Wagtail's route for ``path`` in the tree of language ``code``, in one query (the page itself)
    where this process has routed the same path since the last publish (``pages.caching.shared``),
    else in two: the pages whose ``url_path`` is the site root's path followed by each prefix of
    ``path``, then the last one's specific page. Only where Wagtail's own ``Page.route`` would take
    every step (no page on the way routes by itself, e.g. a routable form page) and the page is live.
    The page's districts and themes (the page, its related articles and its ad slot read them) and
    its main image come with it. Returns True (the route is set on the request), ``MISSING``, or
    None (Wagtail routes as usual).
    """
    components = [component for component in path.split("/") if component]
    site = Site.find_for_request(request) if components else None  # the home page: Wagtail's route is as short
    if site is None:
        return None
    if not hasattr(request, "_wagtail_cached_site_root_paths"):  # where Wagtail's page URLs read them too
        request._wagtail_cached_site_root_paths = Site.get_site_root_paths()
    # No home page in that language: Wagtail routes in the original's tree (``root_page.localized``).
    roots = _roots_of(request, site, code) or _roots_of(request, site, settings.LANGUAGE_CODE)
    if not roots:
        return None
    target = shared("routes", (site.pk, roots[0], tuple(components)), lambda: _route_target(roots[0], components))
    if target is None or target == MISSING:
        return target
    model = ContentType.objects.get_for_id(target[1]).model_class()
    images = [name for name in ("hero_image",) if has_field(model, name)]
    page = model.objects.filter(pk=target[0], live=True).select_related(*images).first() if model else None
    if page is None:
        return None
    relations = [name for name in ("districts", "themes") if has_field(model, name) and
                 model._meta.get_field(name).many_to_many]
    if relations:
        prefetch_related_objects([page], *relations)
    request._wagtail_route_for_request = RouteResult(page)
    return True


def _roots_of(request, site, code):
    return [root.root_path for root in request._wagtail_cached_site_root_paths
            if root.site_id == site.pk and root.language_code == code]


def _route_target(root_path, components):
    """(id, content type id) of the live page at ``components`` below ``root_path``, ``MISSING`` or None."""
    url_paths = [root_path + "".join(f"{part}/" for part in components[:n]) for n in range(len(components) + 1)]
    found = {page.url_path: page for page in Page.objects.filter(url_path__in=url_paths).only(
        "id", "url_path", "live", "content_type_id")}
    chain = [found.get(url_path) for url_path in url_paths]
    on_the_way = chain[:chain.index(None)] if None in chain else chain
    if any(page.specific_class is None or page.specific_class.route is not Page.route for page in on_the_way):
        return None
    if None in chain or not chain[-1].live:
        return MISSING
    return chain[-1].pk, chain[-1].content_type_id


def serve(request, path):
    """
    Wagtail's page view. Under another language's prefix, a path that the translated tree does not
    have is looked up in the Japanese tree, so an untranslated page is served (in Japanese) instead
    of a 404.
    """
    if not hasattr(request, "_wagtail_route_for_request"):
        code = get_supported_content_language_variant(translation.get_language())
        if _direct_route(request, path, code) == MISSING and code != settings.LANGUAGE_CODE:
            request._wagtail_route_for_request = None  # not in this language's tree: the original's below
            _direct_route(request, path, settings.LANGUAGE_CODE)
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


def _page_paths(page, locales, request):
    """
    The address of ``page`` for a visitor of each of ``locales`` (by language code): its live
    translation's address, or the Japanese original's address under that language's prefix
    (served by ``serve``); None where it has neither. One query for all the translations; the
    addresses come from Wagtail's site root paths (cached), not one site look-up per language.
    """
    default = Locale.get_default()
    translations = shared("translations", page.translation_key, lambda: _translations(page, locales), copied=True)
    original = page if page.locale_id == default.pk else translations.get(default.pk)
    fallback = _original_path(original, default, request) if original is not None and original.live else None
    paths = {}
    for code, locale in locales.items():
        translated = translations.get(locale.pk)
        if translated is not None and translated.live:
            paths[code] = translated.get_url(request)
        elif fallback is not None:
            with translation.override(code):
                paths[code] = reverse("wagtail_serve", args=[fallback])
        else:
            paths[code] = None
    return paths


def _translations(page, locales):
    """Every translation of ``page`` (itself included) by locale id: the switcher's one query."""
    fields = ("id", "path", "depth", "url_path", "live", "locale_id", "translation_key", "content_type_id")
    return {other.locale_id: other for other in Page.objects.filter(
        translation_key=page.translation_key, locale_id__in=[locale.pk for locale in locales.values()]).only(*fields)}


def _original_path(original, default, request):
    """The path of the Japanese ``original`` below its site's Japanese root (None outside every site)."""
    roots = [root for root in original._get_relevant_site_root_paths(request)
             if root.language_code == default.language_code and original.url_path.startswith(root.root_path)]
    return original.url_path[len(roots[0].root_path):] if roots else None


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
    locales = {locale.language_code: locale for locale in all_locales().values()}
    pages = _page_paths(page, locales, request) if page is not None and page.pk and not to_home else {}
    links = []
    for code, name in settings.LANGUAGES:
        url = None
        if to_home:
            pass
        elif page is not None and page.pk and code in locales:
            url = pages[code]
        elif page is None:
            url = _view_path_in(request, code)
        links.append({"code": code, "name": name, "url": url or _home_path(code), "current": code == current})
    return links
