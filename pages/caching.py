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

Nothing survives the request, so nothing can be stale across requests or processes, or after a
rolled-back transaction. Within a request, saving or deleting a locale or a view restriction, or
moving a page, drops the memo's copy (``_forget``), so a view that changes them reads them again.
"""

import threading

from django.core.signals import request_finished, request_started
from django.db.models import Q
from django.db.models.fields.related_descriptors import ForwardManyToOneDescriptor
from django.db.models.signals import post_delete, post_save

_local = threading.local()


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


# --- Locales -------------------------------------------------------------------------------------

def _locales():
    from wagtail.models import Locale

    return request_memo("locales", lambda: {locale.pk: locale for locale in Locale.objects.all()})


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


def _private_q(self):
    """Wagtail's ``PageQuerySet.private_q``, from the request's view restrictions."""
    q = Q()
    for path, depth in restricted_sections():
        q |= Q(path__startswith=path, depth__gte=depth)
    return q if q else Q(pk__in=[])


def install():
    """Called once by ``PagesConfig.ready``."""
    from django.apps import apps
    from wagtail.models import Locale, PageViewRestriction
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
    for signal in (post_save, post_delete):
        signal.connect(_forget("locales"), sender=Locale, weak=False, dispatch_uid=f"pages.caching.locales.{id(signal)}")
        signal.connect(_forget("restrictions"), sender=PageViewRestriction, weak=False,
                       dispatch_uid=f"pages.caching.restrictions.{id(signal)}")
    post_page_move.connect(_forget("restrictions"), weak=False, dispatch_uid="pages.caching.moved")
