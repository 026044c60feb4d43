"""
What every page view looks up again and again, loaded once per request (issue 18, part 4).

A public page used to ask the database for the same few rows many times: the locale of each page
on it (``page.locale``: one query per page shown), the default and active locale
(``Locale.get_default``/``get_active``: one query per call), and Wagtail's view restrictions (every
``.public()`` reads the whole ``PageViewRestriction`` table). Here each is loaded once per request
and kept for the rest of it:

- ``request_memo(name, load)``: the value of ``load()`` for this request. The memo lives from
  Django's ``request_started`` to ``request_finished`` (per thread: the portal runs WSGI workers);
  outside a request (commands, tasks, the shell) nothing is kept and every call loads afresh.
- The locales: one query (``Locale.objects.all()``) per request serves ``page.locale`` of every page
  (a descriptor on the ``locale`` foreign key of each translatable model) and
  ``Locale.objects.get_for_language`` (so ``Locale.get_default()`` and ``get_active()``).
- The view restrictions: one query per request serves every ``PageQuerySet.public()`` and
  ``not_public()`` (Wagtail's ``private_q``, replaced by one reading the memo).

Nothing in the request memo survives the request, so nothing there can be stale across requests or
processes, or after a rolled-back transaction. Within a request, saving or deleting a locale or a
view restriction, or moving a page, drops the memo's copy (``_forget``), so a view that changes them
reads them again.

What is the same for every visitor and changes only when something is published or imported is also
kept per process (``shared``), under the generations of the anonymous page cache
(``portal.page_cache``; bumped by ``portal.cache_invalidation`` once a change commits, and read by
every process from the same store): the sites and their root paths, the locales, the menu, the
breadcrumbs' ancestors, and the sidebars other apps draw on pages (ward notices, related sites, the
board's threads). An entry is used only while the site-wide generation and those of the sections it
names are the ones it was loaded under, so a change retires it in every process at once, as it
retires the cached pages. It is used only where those generations are maintained (the page cache
on: ``PAGE_CACHE_SECONDS`` > 0) and never inside a transaction (what a transaction has not committed
must not outlive it); a test's own transaction counts as the test's world (entries are kept per test).
A generation missing from the store (a flushed Redis) is set afresh, never read as an old one.
"""

import copy
import itertools
import threading
import time
import uuid
from collections import OrderedDict

from django.conf import settings
from django.core.cache import caches
from django.core.signals import request_finished, request_started
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.models import Model, Q
from django.db.models.fields.related_descriptors import ForwardManyToOneDescriptor
from django.db.models.signals import m2m_changed, post_delete, post_save

_local = threading.local()
SECTIONS = ("site", "pages", "notices", "board", "api")  # portal.page_cache's sections and its site-wide one
SHARED_ENTRIES = 500  # per name: the least recently used entry goes beyond that
_shared = {}
_shared_lock = threading.Lock()
_stamps = itertools.count(1)


def request_memo(name, load):
    """``load()``, computed once per request under ``name`` (every time outside a request)."""
    memo = getattr(_local, "memo", None)
    if memo is None:
        return load()
    if name not in memo:
        memo[name] = load()
    return memo[name]


def _begin(**kwargs):
    _local.memo = {}


def _end(**kwargs):
    _local.memo = None


def _forget(*names):
    def handler(**kwargs):
        memo = getattr(_local, "memo", None)
        for name in names if memo is not None else ():
            memo.pop(name, None)

    return handler


# --- Per process, under the page cache's generations ---------------------------------------------

def shared(name, key, load, sections=(), max_age=None, copied=False):
    """
    ``load()`` kept in this process under ``(name, key)`` while the site-wide generation and those of
    ``sections`` stay the same (and at most ``max_age`` seconds, for what the clock changes); loaded
    afresh where generations are not kept or inside a transaction. ``copied``: each caller gets its
    own copy (``private_copy``: model instances a view might change).
    """
    token = _token(sections)
    if token is None:
        return load()
    now = time.monotonic()
    with _shared_lock:
        entries = _shared.setdefault(name, OrderedDict())
        found = entries.get(key)
        if found is not None and found[0] == token and (found[2] is None or found[2] > now):
            entries.move_to_end(key)
            value = found[1]
        else:
            found = None
    if found is None:
        value = load()
        with _shared_lock:
            entries[key] = (token, value, None if max_age is None else now + max_age)
            entries.move_to_end(key)
            while len(entries) > SHARED_ENTRIES:
                entries.popitem(last=False)
    return private_copy(value) if copied else value


def private_copy(value):
    """
    A copy of a kept ``value`` for one caller: lists, tuples, sets and dicts copied all the way down,
    and each model instance in them copied on its own (its fields, its cached relations and what was
    set on it), so what a view sets on an instance (Wagtail's cached parent or URL parts, a card's
    terms) stays with that view. Strings, numbers and other values are shared, as they are not
    changed. A tenth of the cost of ``copy.deepcopy``, which walked every field's value and the
    instances' class-level state (5-10 ms of a home page render).
    """
    if isinstance(value, list):
        return [private_copy(item) for item in value]
    if isinstance(value, tuple):
        return tuple(private_copy(item) for item in value)
    if isinstance(value, dict):
        return {key: private_copy(item) for key, item in value.items()}
    if isinstance(value, (set, frozenset)):
        return type(value)(private_copy(item) for item in value)
    if isinstance(value, Model):
        found = copy.copy(value)  # Model.__getstate__: its own _state and fields cache
        found._state.fields_cache = {name: private_copy(item) for name, item in found._state.fields_cache.items()}
        return found
    return value


def forget_shared():
    """Drop every entry of this process (tests)."""
    with _shared_lock:
        _shared.clear()


def _token(sections):
    """What an entry must have been loaded under to be used now; None: do not keep anything."""
    if not settings.PAGE_CACHE_SECONDS:
        return None
    stamps = []
    for block in connections[DEFAULT_DB_ALIAS].atomic_blocks:
        if not getattr(block, "_from_testcase", False):
            return None  # a transaction of the code's own: what it read may yet be rolled back
        stamps.append(block.__dict__.setdefault("_pages_shared_stamp", next(_stamps)))
    current = generations()
    if current is None:
        return None
    return (tuple(stamps), current["site"], *(current[section] for section in sections))


def generations():
    """
    The page cache's generations by section, read once per request (and again after a row is saved);
    a missing one is set afresh. None when the store cannot be read (nothing is kept then).
    """
    return request_memo("generations", _read_generations)


def fetch_generations(sections, store=None):
    """
    The page cache's generations of ``sections`` from the store every process shares, by section; a
    missing one (never bumped, or a flushed Redis) is set afresh, never read as a default. None when
    the store cannot give them. Shared with ``portal.page_cache``, whose keys are built from the same.
    """
    store = caches[settings.PAGE_CACHE_VERSIONS_ALIAS] if store is None else store
    keys = [f"gen:{section}" for section in sections]
    found = store.get_many(keys)
    for missing in (key for key in keys if found.get(key) is None):
        store.add(missing, uuid.uuid4().hex, None)  # another process may set it first: read it back
        found[missing] = store.get(missing)
    if any(found.get(key) is None for key in keys):
        return None
    return {section: str(found[f"gen:{section}"]) for section in sections}


def _read_generations():
    return fetch_generations(SECTIONS)


def _site_for_hostname(original):
    """Wagtail's site look-up by host and port, kept per process (a copy for each request)."""
    def get_site_for_hostname(hostname, port):
        from wagtail.models import Site

        def load():
            try:
                return original(hostname, port)
            except Site.DoesNotExist:
                return None

        site = shared("site_for_hostname", (hostname, port), load, copied=True)
        if site is None:
            raise Site.DoesNotExist
        return site

    return get_site_for_hostname


def _site_root_paths(original):
    """Wagtail's site root paths (named tuples of text), kept per process."""
    def get_site_root_paths():
        return shared("site_root_paths", None, original)

    return staticmethod(get_site_root_paths)


# --- Locales -------------------------------------------------------------------------------------

def _locales():
    from wagtail.models import Locale

    return request_memo("locales", lambda: shared(
        "locales", None, lambda: {locale.pk: locale for locale in Locale.objects.all()}))


def all_locales():
    """Every locale (the request's copy), by id."""
    return _locales()


def locale_by_id(pk):
    return _locales().get(pk) if getattr(_local, "memo", None) is not None else None


class CachedLocaleDescriptor(ForwardManyToOneDescriptor):
    """``obj.locale`` from the request's locales (a query of its own only outside a request)."""

    def get_object(self, instance):
        locale = locale_by_id(getattr(instance, self.field.attname))
        return locale if locale is not None else super().get_object(instance)


def _get_for_language(original):
    def get_for_language(self, language_code):
        if getattr(_local, "memo", None) is None:
            return original(self, language_code)
        from wagtail.coreutils import get_supported_content_language_variant

        code = get_supported_content_language_variant(language_code)
        for locale in _locales().values():
            if locale.language_code == code:
                return locale
        raise self.model.DoesNotExist(f"Locale matching query does not exist: {code}")

    return get_for_language


# --- View restrictions ---------------------------------------------------------------------------

def restricted_sections():
    """``(path, depth)`` of every page with a view restriction (the top of each private section)."""
    from wagtail.models import PageViewRestriction

    return request_memo("restrictions", lambda: list(
        PageViewRestriction.objects.values_list("page__path", "page__depth")))


def _view_restrictions(original):
    """
    Wagtail's serve-time check of a page's view restrictions, from the request's copy: none at all
    when no page of the site is restricted (no query); Wagtail's own check otherwise (aliases).
    """
    from wagtail.models import PageViewRestriction

    def get_view_restrictions(self):
        if getattr(_local, "memo", None) is not None and not restricted_sections():
            return PageViewRestriction.objects.none()
        return original(self)

    return get_view_restrictions


def _private_q(self):
    """Wagtail's ``PageQuerySet.private_q``, from the request's view restrictions."""
    q = Q()
    for path, depth in restricted_sections():
        q |= Q(path__startswith=path, depth__gte=depth)
    return q if q else Q(pk__in=[])


def install():
    """Called once by ``PagesConfig.ready``."""
    from django.apps import apps
    from wagtail.models import Locale, Page, PageViewRestriction, Site, sites
    from wagtail.models.i18n import LocaleManager
    from wagtail.query import PageQuerySet
    from wagtail.signals import post_page_move

    request_started.connect(_begin, dispatch_uid="pages.caching.begin")
    request_finished.connect(_end, dispatch_uid="pages.caching.end")
    for model in apps.get_models():
        field = next((f for f in model._meta.local_fields if f.name == "locale" and f.related_model is Locale), None)
        if field is not None:
            model.locale = CachedLocaleDescriptor(field)
    LocaleManager.get_for_language = _get_for_language(LocaleManager.get_for_language)
    PageQuerySet.private_q = _private_q
    Page.get_view_restrictions = _view_restrictions(Page.get_view_restrictions)
    sites.get_site_for_hostname = _site_for_hostname(sites.get_site_for_hostname)
    Site.get_site_root_paths = _site_root_paths(Site.get_site_root_paths)
    for signal in (post_save, post_delete, m2m_changed):  # a row written: read the generations again
        signal.connect(_forget("generations"), weak=False, dispatch_uid=f"pages.caching.generations.{id(signal)}")
    for signal in (post_save, post_delete):
        signal.connect(_forget("locales"), sender=Locale, weak=False, dispatch_uid=f"pages.caching.locales.{id(signal)}")
        signal.connect(_forget("restrictions"), sender=PageViewRestriction, weak=False,
                       dispatch_uid=f"pages.caching.restrictions.{id(signal)}")
    post_page_move.connect(_forget("restrictions"), weak=False, dispatch_uid="pages.caching.moved")
