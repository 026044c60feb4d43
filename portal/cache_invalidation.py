"""
When the anonymous page cache (``portal.page_cache``) retires its entries: each change bumps the
generation of the sections it affects, after its transaction commits (a request rendering meanwhile
could otherwise store the old content under the new generation).

| change | retires |
|---|---|
| a page published, unpublished, moved or deleted (any page type, any translation; scheduled publishing too: ``publish_scheduled`` sends the same signals) — districts and themes are pages | everything (``site``): menus, listings, feeds, the API, the board's navigation all show pages |
| an image or document changed or deleted; a site, locale, redirect or site setting changed (``BaseSiteSetting``/``BaseGenericSetting``); a page's or collection's view restriction added, changed or removed | everything |
| a ward notice imported or changed, a feed source or related site changed | notices and feeds, the pages (home, district and theme pages list notices), the API |
| a moderation decision, a post, thread or resident's information stored, hidden or deleted (a member's stop of use announces each of their contributions the same way); a member's nickname changed, or the member suspended, withdrawn or their use stopped | the board and residents' information, the pages (district and theme pages show residents' posts), the API |
| an ad booking, creative, advertiser or the stop-all switch changed (not the counts) | the pages (they carry ad slots); a booking starting or ending at midnight: the date in every key |
| an application or a survey answer stored or deleted that changes a form's badge (a first-come call full, a place freed, a survey's limit reached: ``surveys.cache_status``); other answers retire nothing | the pages (cards carry the badge), the API |

Renditions are not listed: they are made while pages render, and add nothing a visitor sees.
"""

import threading
import time

from django.db import transaction
from django.db.models.signals import m2m_changed, post_delete, post_save
from wagtail.signals import page_published, page_unpublished, post_page_move

from . import page_cache

SITE_WIDE_MODELS = {
    ("wagtailimages", "image"), ("wagtaildocs", "document"), ("wagtailcore", "site"), ("wagtailcore", "locale"),
    ("wagtailredirects", "redirect"), ("wagtailcore", "collection"),
    # A page made private (or public again) must leave every cached copy at once.
    ("wagtailcore", "pageviewrestriction"), ("wagtailcore", "collectionviewrestriction"),
}
BY_APP = {
    "wardinfo": ("notices", "pages", "api"),
    "moderation": ("board", "pages", "api"),  # district and theme pages show residents' posts
    "ads": ("pages",),
}
NOT_SHOWN = {("moderation", "flag"), ("moderation", "ngword"), ("moderation", "sanction"), ("ads", "adcount")}
_memo = {}


def sections_for(model):
    """What a saved or deleted row of ``model`` retires (an empty tuple: nothing)."""
    if model not in _memo:
        _memo[model] = _sections(model)
    return _memo[model]


def _sections(model):
    from wagtail.contrib.settings.models import BaseGenericSetting, BaseSiteSetting  # noqa: PLC0415
    from wagtail.models import Page  # noqa: PLC0415

    meta = model._meta
    label = (meta.app_label, meta.model_name)
    if issubclass(model, Page):
        return ()  # pages retire entries when published or unpublished (a draft changes nothing shown)
    if label in SITE_WIDE_MODELS or issubclass(model, (BaseGenericSetting, BaseSiteSetting)):
        return (page_cache.SITE,)
    if label in NOT_SHOWN:
        return ()
    return BY_APP.get(meta.app_label, ())


def retire(*sections):
    """Bump these sections once the current transaction commits (at once outside one)."""
    if sections:
        transaction.on_commit(lambda: page_cache.bump(*sections))


def _row_changed(sender, **kwargs):
    retire(*sections_for(sender))


def _page_changed(sender=None, **kwargs):
    retire(page_cache.SITE)


def _page_deleted(sender, **kwargs):
    from wagtail.models import Page  # noqa: PLC0415

    if issubclass(sender, Page):
        retire(page_cache.SITE)


def _relation_changed(sender, action, **kwargs):
    if action in ("post_add", "post_remove", "post_clear"):
        retire(*sections_for(kwargs["model"]), *sections_for(type(kwargs["instance"])))


# What of a member shows on the pages that list their posts (the nickname), or whether they are listed
# at all (suspended, withdrawn, use stopped). A log-in (``last_login``) or a mail address changes nothing shown.
MEMBER_SHOWN_FIELDS = frozenset({"nickname", "is_active", "withdrawn_at", "use_stopped_at"})


def _member_saved(sender, instance, created=False, update_fields=None, **kwargs):
    if not created and (update_fields is None or MEMBER_SHOWN_FIELDS & set(update_fields)):
        retire("board", "pages", "api")


_checked = threading.local()  # (page model, page id) -> when this thread last checked its status


def _answered(sender, instance, **kwargs):
    """
    After the commit, does the form's badge change (``surveys.cache_status``)? Checked once per form
    and commit: the callbacks of one commit run after all its changes, so one that finds the form
    checked since it was queued has nothing to add (a purge of 5,000 answers checks once).
    """
    from surveys import cache_status  # noqa: PLC0415

    form = cache_status.form_of(instance)
    queued = time.monotonic_ns()

    def check():
        checked = _checked.__dict__.setdefault("at", {})
        if checked.get(form, -1) > queued:
            return
        checked[form] = time.monotonic_ns()
        if cache_status.changed(*form, page_cache.versions()):
            page_cache.bump("pages", "api")

    transaction.on_commit(check, robust=True)  # a stored answer stays an answered request, whatever the check meets


def connect():
    """Called from ``PortalConfig.ready``."""
    from django.contrib.auth import get_user_model  # noqa: PLC0415

    from surveys import cache_status  # noqa: PLC0415

    for model in cache_status.ANSWERS:
        post_save.connect(_answered, sender=model, dispatch_uid=f"portal.page_cache.answer.{model.__name__}")
        post_delete.connect(_answered, sender=model, dispatch_uid=f"portal.page_cache.answer_deleted.{model.__name__}")

    post_save.connect(_member_saved, sender=get_user_model(), dispatch_uid="portal.page_cache.member")
    post_save.connect(_row_changed, dispatch_uid="portal.page_cache.saved")
    post_delete.connect(_row_changed, dispatch_uid="portal.page_cache.deleted")
    post_delete.connect(_page_deleted, dispatch_uid="portal.page_cache.page_deleted")
    m2m_changed.connect(_relation_changed, dispatch_uid="portal.page_cache.relation")
    page_published.connect(_page_changed, dispatch_uid="portal.page_cache.published")
    page_unpublished.connect(_page_changed, dispatch_uid="portal.page_cache.unpublished")
    post_page_move.connect(_page_changed, dispatch_uid="portal.page_cache.moved")
