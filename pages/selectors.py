"""
Reads of the pages app: what a visitor (or the API's anonymous client) may see.

One place decides "visible": live, public (no view restriction), in the page's own language.
Templates, the site's listings and the API all go through here. So do the date rules of the
listings (which date an item has, what "from" and "to" mean for an event) and the narrowing by
district and theme, which the content API and our own feeds (``wardinfo``) share. One place,
``in_language``, decides what a listing of the public site shows a visitor of another language
than Japanese: the page's translation where it has one, else the Japanese original (which the
site marks ``lang="ja"``).

Other apps reach districts and themes through ``pages.terms``, which builds on this module (never
the other way round: ``pages.models`` imports this module while it loads).
"""

import datetime
import functools
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.apps import apps
from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import FieldDoesNotExist, ImproperlyConfigured
from django.db import connection
from django.db.models import DateTimeField, Exists, F, OuterRef, Q
from django.db.models.query import BaseIterable
from django.utils import timezone
from wagtail.images import get_image_model
from wagtail.models import Page

# Rendition specs the site's lists and the API ask for, fetched together with the images.
CARD_RENDITION = "fill-400x300|format-webp"


def visible_pages(model=Page, locale=None):
    queryset = model.objects.live().public()
    return in_locale(queryset, locale) if locale is not None else queryset


def in_locale(queryset, locale):
    """
    Pages of ``queryset`` in ``locale`` (a ``Locale`` or its id). On SQLite the test is written
    ``locale_id + 0 = ?`` so that the query is not driven from Wagtail's index on the page's
    locale: a site has a handful of languages, so that index selects most pages, yet SQLite (with
    no statistics) takes it for a selective one and would read every page of the language and sort
    them, where the listings' own indexes (an article's date, an event's start, the district table)
    give the few rows asked for in order (issue 18). PostgreSQL keeps the plain test: its
    statistics on the column tell it so, and an expression would hide them.
    """
    locale_id = getattr(locale, "pk", locale)
    if connection.vendor != "sqlite":
        return queryset.filter(locale_id=locale_id)
    return queryset.alias(listed_locale_id=F("locale_id") + 0).filter(listed_locale_id=locale_id)


def terms_in_order(model, locale=None):
    """
    The visible districts or themes (``model``) of ``locale`` (or of every language), in the
    tree's order (a list). Narrowed to the ids of the terms' own small table: asked by page type
    and path alone, SQLite walks Wagtail's index on the path of every page to find the few terms
    (34 ms at 100,000 pages, 2 ms so; issue 18).
    """
    return list(visible_pages(model, locale).filter(pk__in=model.objects.order_by().values("pk")).order_by("path"))


def in_language(queryset, locale):
    """
    The pages of ``queryset`` a visitor reading ``locale`` is listed: those in ``locale``, and the
    Japanese original of every page with no visible translation in ``locale`` (so a Japanese-only
    event is still on the English home page, and a translated one once, as its translation). One
    query with a subquery, however many items. In Japanese (or with no locale): ``locale``'s pages.
    """
    if locale is None:
        return queryset
    if locale.language_code == settings.LANGUAGE_CODE:
        return in_locale(queryset, locale)
    translated = visible_pages(queryset.model, locale).values("translation_key")
    originals = Q(locale__language_code=settings.LANGUAGE_CODE) & ~Q(translation_key__in=translated)
    return queryset.filter(Q(locale=locale) | originals)


def listed_in(model, locale):
    """Visible pages of ``model`` listed for a visitor reading ``locale`` (``in_language``'s rule)."""
    queryset = in_language(visible_pages(model), locale).select_related("locale")
    # Card columns only: a StreamField body is never shown in a list, so never read or sorted with it.
    return queryset.defer("body") if has_field(model, "body") else queryset


def below(queryset, index, children_only=False):
    """
    Pages of ``queryset`` under the section ``index`` (its children only, with ``children_only``)
    or under its Japanese original, where ``in_language`` finds the originals of untranslated pages.
    """
    paths = [index.path]
    if index.locale_id and index.locale.language_code != settings.LANGUAGE_CODE:
        paths += Page.objects.filter(translation_key=index.translation_key,
                                     locale__language_code=settings.LANGUAGE_CODE).values_list("path", flat=True)
    under = Q()
    for path in paths:
        under |= Q(path__startswith=path, depth=len(path) // Page.steplen + 1) if children_only else Q(
            path__startswith=path)
    return queryset.filter(under)


def in_terms(queryset, district=None, theme=None):
    """
    Objects of ``queryset`` tagged with ``district`` and/or ``theme``, of any language (matched
    by translation key). An event has one district (``district``), articles and shops several;
    other apps' tagged objects (ward notices, related sites, ...) narrow the same way.
    """
    if district is not None:
        lookup = "districts" if hasattr(queryset.model, "districts") else "district"
        queryset = queryset.filter(**{f"{lookup}__translation_key": district.translation_key})
    if theme is not None:
        queryset = queryset.filter(themes__translation_key=theme.translation_key)
    return queryset


def visible_terms(page, name):
    """
    The live, public districts or themes ``page`` is tagged with, in the page's own language
    (a translated article still points at the Japanese district; this gives its translation),
    in the editor's order. Works on previews too, where the relation is an in-memory list.
    """
    related = getattr(page, name, None)
    if related is None:
        return []
    tagged = list(related.all())
    if not tagged:
        return []
    model = type(tagged[0])
    found = {
        term.translation_key: term
        for term in visible_pages(model, page.locale_id and page.locale).filter(
            translation_key__in=[term.translation_key for term in tagged]
        )
    }
    return [found[term.translation_key] for term in tagged if term.translation_key in found]


def visible_district(event):
    """An event's district (one foreign key), under the same rule as ``visible_terms``."""
    if not event.district_id:
        return None
    return (
        visible_pages(type(event.district), event.locale)
        .filter(translation_key=event.district.translation_key)
        .first()
    )


def gathered_pages(special):
    """The pages a special gathers, in the editor's order, leaving out any a visitor may not see."""
    ids = [item.page_id for item in special.items.all()]
    visible = {page.pk: page for page in visible_pages().filter(pk__in=ids).specific()}
    return [visible[pk] for pk in ids if pk in visible]


def tagged_with(term, lookup, event_lookup, for_count=False):
    """
    Articles, shops and events tagged with a district or theme (or its translation), in the
    term's language, newest first. Each page is tested by ``EXISTS`` on the relations' own tables
    (the many-to-many tables, the events' district column), so the list is read from the index
    on first publication (newest first) and stops at the page asked for: a page of the list reads
    its rows, however many pages the term has (issue 18). ``for_count``: the same pages as one
    ``IN`` over a ``UNION`` of the relations' tables, the cheaper way to count them all.
    """
    from .models import ArticlePage, EventPage, ShopPage

    term_ids = type(term).objects.filter(translation_key=term.translation_key).values("pk")
    relations = [(ArticlePage, lookup), (ShopPage, lookup), (EventPage, event_lookup)]
    pages = visible_pages(locale=term.locale)
    if for_count:
        first, *others = [_tagged_ids(model, relation, term_ids) for model, relation in relations]
        return pages.filter(pk__in=first.union(*others))
    tagged = Q()
    for model, relation in relations:
        tagged |= Q(_tagged(model, relation, term_ids))
    return as_cards(pages.filter(tagged).order_by("-first_published_at", "-pk"), [model for model, _ in relations])


def _tagged_ids(model, relation, term_ids):
    """The ids of ``model``'s pages whose ``relation`` (many-to-many or foreign key) is one of ``term_ids``."""
    field = model._meta.get_field(relation)
    if field.many_to_many:
        return field.remote_field.through.objects.filter(
            **{f"{field.m2m_reverse_field_name()}__in": term_ids}).values_list(field.m2m_field_name(), flat=True).order_by()
    return model.objects.filter(**{f"{relation}__in": term_ids}).values_list("pk", flat=True).order_by()


def _tagged(model, relation, term_ids, outer="pk"):
    """
    ``EXISTS``: the page ``outer`` names (an ``OuterRef``) is one of ``model``'s whose ``relation``
    (many-to-many or foreign key) is one of ``term_ids``; a look-up in the relation's unique index.
    """
    field = model._meta.get_field(relation)
    if field.many_to_many:
        return Exists(field.remote_field.through.objects.filter(
            **{field.m2m_field_name(): OuterRef(outer), f"{field.m2m_reverse_field_name()}__in": term_ids}))
    return Exists(model.objects.filter(pk=OuterRef(outer), **{f"{relation}__in": term_ids}))


def term_events(term, event_lookup, since=None):
    """
    Visible events of ``term``'s language tagged with it (or its translation) through
    ``event_lookup`` (an event's ``district``, or its ``themes``), not ended by ``since``, soonest
    first (``not_ended``).
    """
    from .models import EventPage

    term_ids = type(term).objects.filter(translation_key=term.translation_key).values("pk")
    return not_ended(visible_pages(EventPage, term.locale).filter(_tagged(EventPage, event_lookup, term_ids)), since)


def with_images(pages, spec=CARD_RENDITION):
    """
    Load the hero images of ``pages`` (already fetched) with their ``spec`` renditions in two
    queries, instead of one image and one rendition query per card.
    """
    pages = list(pages)
    ids = {page.hero_image_id for page in pages if getattr(page, "hero_image_id", None)}
    if not ids:
        return pages
    images = get_image_model().objects.filter(pk__in=ids).prefetch_renditions(spec).in_bulk()
    for page in pages:
        if getattr(page, "hero_image_id", None) in images:
            page.hero_image = images[page.hero_image_id]
    return pages


# --- Cards of several page types in one query ----------------------------------------------------

def as_cards(queryset, models):
    """
    ``queryset`` (of ``Page``) giving each page as its specific model when iterated, like Wagtail's
    ``.specific()``, for a listing of cards mixing the page types ``models`` (direct subclasses of
    ``Page``). Wagtail reads the ids and types first, then the rows of each type present: the number
    of queries follows the mix of types on the page of the list (9 on a district page at 1,000 pages,
    11 at 100,000). Here one query reads the page's rows with each type's own columns joined
    (``LEFT JOIN`` by primary key, a few rows), whatever the mix; the stream fields (bodies) are not
    read: a card never shows them (``body`` read on such a page costs one query). A page of another
    type in the list is read as Wagtail reads it.
    """
    clone = queryset.all()
    clone._iterable_class = _card_iterable(tuple(models))
    return clone


@functools.cache
def _card_iterable(models):
    return type("CardIterable", (_CardIterable,), {"models": models})


def _card_columns(model):
    """The columns of ``model``'s own table a card may read: every concrete field but stream fields."""
    from wagtail.fields import StreamField

    return [field for field in model._meta.concrete_fields
            if field.model is model and not isinstance(field, StreamField)]


class _CardIterable(BaseIterable):
    models = ()

    def __iter__(self):
        base = [field.attname for field in Page._meta.concrete_fields]
        pk_at, type_at = base.index("id"), base.index("content_type_id")
        columns, paths = {}, []
        for model in self.models:
            accessor = model._meta.get_field("page_ptr").remote_field.name  # Page -> model, one to one
            own = [field.attname for field in _card_columns(model)]
            columns[ContentType.objects.get_for_model(model).pk] = (model, len(base) + len(paths), own)
            paths += [f"{accessor}__{name}" for name in own]
        rows = list(self.queryset.values_list(*base, *paths))
        built, others = {}, []
        for row in rows:
            model, first, own = columns.get(row[type_at], (None, 0, ()))
            if model is None or row[first + own.index("page_ptr_id")] is None:  # another type, or no row of its own
                others.append(row[pk_at])
                continue
            values = dict(zip(base, row, strict=False))
            values.update(zip(own, row[first:first + len(own)], strict=True))
            names = [field.attname for field in model._meta.concrete_fields if field.attname in values]
            built[row[pk_at]] = model.from_db(self.queryset.db, names, [values[name] for name in names])
        if others:  # a page of a type the listing did not name: as Wagtail reads it
            built.update((page.pk, page) for page in Page.objects.filter(pk__in=others).specific())
        yield from (built[row[pk_at]] for row in rows if row[pk_at] in built)


# --- Listings across page types: the content API's and our feeds' rules ----------------------
#
# The listed kinds are a registry: pages declares its own four below, and an app above declares
# its page types in a ``listed_kinds.py`` of its own (found by ``PagesConfig.ready``), so this
# app never names a later one. The content API (``/api/v3/content/``) lists every registered
# kind; our feeds, the site's listings and the digest name the kinds they want.


@dataclass(frozen=True)
class ListedKind:
    """
    One kind of page in the cross-type listings. ``model_label`` names the page model
    (``"app_label.ModelName"``, resolved once the models are loaded). ``term_relations``: the
    fields tagging it with districts (``districts``, or an event's single ``district``) and themes;
    a kind tagged with neither is never in a listing narrowed to a district or theme.
    ``date_field``: the one date a listing gives an item (a date, or a date and time read in Japan
    time). ``end_field``, for something that runs (an event): it is in a date range while it runs
    (``in_dates``). ``lead``: the plain-text summary of an item, from the page (default: its ``lead``).
    """

    name: str
    model_label: str
    term_relations: tuple[str, ...] = ("districts", "themes")
    date_field: str = "first_published_at"
    end_field: str = ""
    lead: Callable[[Any], str] | None = None

    @property
    def model(self):
        return apps.get_model(self.model_label)


_LISTED = {}


def register_listed_kind(kind, model_label, term_relations=("districts", "themes"), date_field="first_published_at",
                         end_field="", lead=None):
    """
    Declare a kind of page for the cross-type listings (see ``ListedKind``), from an app's
    ``listed_kinds.py``. Declared while the apps load: the content API's ``type`` values (and its
    OpenAPI enum) are read once every app is ready.
    """
    listed = ListedKind(kind, model_label, tuple(term_relations), date_field, end_field, lead)
    if _LISTED.get(kind, listed) != listed:
        raise ImproperlyConfigured(f"Listed kind {kind!r} is declared twice, differently.")
    if apps.ready and kind not in _LISTED:
        raise ImproperlyConfigured(f"Listed kind {kind!r} is declared after start-up; declare it in listed_kinds.py.")
    _LISTED[kind] = listed
    return listed


def listed_kinds():
    """The names of the listed kinds, in the order they were declared (pages' own four first)."""
    return tuple(_LISTED)


def listed_kind(kind):
    """The ``ListedKind`` named ``kind`` (a ``KeyError`` for one never declared)."""
    return _LISTED[kind]


def check_listed_kinds():
    """
    Every declared kind names a page model with the fields it says (run once the models are
    loaded, by ``PagesConfig.ready``), so a wrong declaration stops the start, not a request.
    """
    for listed in _LISTED.values():
        model = listed.model
        if not issubclass(model, Page):
            raise ImproperlyConfigured(f"Listed kind {listed.name!r}: {listed.model_label} is not a page model.")
        for name in (*listed.term_relations, listed.date_field, listed.end_field):
            if name and not has_field(model, name):
                raise ImproperlyConfigured(f"Listed kind {listed.name!r}: {listed.model_label} has no field {name!r}.")


def has_field(model, name):
    """Whether ``model`` has a field ``name`` (a page type's optional relations and dates)."""
    try:
        model._meta.get_field(name)
    except FieldDoesNotExist:
        return False
    return True


def _is_datetime(model, name):
    return isinstance(model._meta.get_field(name), DateTimeField)


register_listed_kind("article", "pages.ArticlePage", date_field="date")
register_listed_kind("shop", "pages.ShopPage")
register_listed_kind("event", "pages.EventPage", term_relations=("district", "themes"), date_field="start",
                     end_field="end")
register_listed_kind("special", "pages.SpecialPage", term_relations=())


def listed_model(kind):
    """The page model of a listed kind: ``article``, ``shop``, ``event``, ``special``, or one an app declared."""
    return listed_kind(kind).model


def listing_lead(page, kind):
    """The plain-text summary a listing gives an item (``ListedKind.lead``; default: the page's ``lead``)."""
    lead = listed_kind(kind).lead
    return (lead(page) if lead else getattr(page, "lead", "")) or ""


def listing_date(page, kind):
    """
    The one date a listing gives an item (its kind's ``date_field``): an article its own date
    (掲載日), an event the day it starts (開催日), anything else by default the day it was first
    published; a date and time is read in Japan time.
    """
    value = getattr(page, listed_kind(kind).date_field, None)
    if isinstance(value, datetime.datetime):
        return timezone.localtime(value).date()
    return value


def in_dates(queryset, kind, date_from=None, date_to=None):
    """
    Items of ``kind`` dated within ``date_from``–``date_to`` (days, both inclusive), by
    ``listing_date``'s rule, except that an item that runs (an event, with an ``end_field``)
    counts while it runs: it ends on or after ``date_from`` and starts on or before ``date_to``.
    """
    listed = listed_kind(kind)
    model = queryset.model

    def lookup(name):
        return f"{name}__date" if _is_datetime(model, name) else name

    lower, upper = lookup(listed.end_field or listed.date_field), lookup(listed.date_field)
    if date_from:
        queryset = queryset.filter(**{f"{lower}__gte": date_from})
    if date_to:
        queryset = queryset.filter(**{f"{upper}__lte": date_to})
    return queryset


def listed_pages(kind, locale, district=None, theme=None, date_from=None, date_to=None, originals=False):
    """
    Visible pages of one kind in ``locale``, tagged with ``district`` and/or ``theme`` (pages of
    the listing's language, matched by translation key: translations of articles still point at
    the Japanese district) and dated within the range, with what a list item shows loaded.
    A kind tagged with no district (or no theme), such as specials, leaves none when a district
    (or theme) is named. With ``originals`` (the public site's listings; not the content API or
    the feeds, which give one language), the Japanese originals of untranslated pages too
    (``in_language``).
    """
    listed = listed_kind(kind)
    model = listed.model
    queryset = in_language(visible_pages(model), locale) if originals else visible_pages(model, locale)
    queryset = queryset.select_related(*[name for name in ("hero_image", "locale") if has_field(model, name)])
    relations = listed.term_relations
    if (district is not None and not {"districts", "district"} & set(relations)) or (
            theme is not None and "themes" not in relations):
        return queryset.none()
    queryset = in_dates(in_terms(queryset, district, theme), kind, date_from, date_to)
    return queryset.prefetch_related(*relations).distinct()


def recent_articles(locale, district=None, theme=None, originals=False):
    """Visible articles of ``locale`` in the district and/or theme, newest publication first."""
    return listed_pages("article", locale, district, theme, originals=originals).order_by("-first_published_at", "-pk")


def upcoming_events(locale, district=None, theme=None, since=None, originals=False):
    """
    Visible events of ``locale`` in the district and/or theme that have not ended by ``since``
    (default: now), soonest first. As in ``in_dates``, an event is current until its end.
    """
    return not_ended(listed_pages("event", locale, district, theme, originals=originals), since)


def not_ended(events, since=None):
    """
    ``events`` (a query of event pages) that have not ended by ``since`` (default: now), soonest
    start first. Read from the index on (start, id) from the earliest start of an event still
    running at ``since`` (``_running_from``), so a list of the next few events reads a few rows of
    the index, however many events ended before, instead of every event since the first and a sort
    (issue 18).
    """
    from .caching import shared

    if since is None:
        since = timezone.now()
        # Kept per process until an event is published or unpublished (pages.caching.shared): found at
        # an earlier moment, it is still a lower bound now (what runs now and ran then started no later
        # than it; what started since, started after it), so it only reads a few more rows.
        lower = shared("events_running_from", None, lambda: _running_from(since))
    else:
        lower = _running_from(since)
    return events.filter(start__gte=lower, end__gte=since).order_by("start", "pk")


def _running_from(since):
    """The earliest start of the events running at ``since`` (``since`` if none): one ``MIN`` over the index on (end, start)."""
    from django.db.models import Min

    from .models import EventPage

    return EventPage.objects.filter(end__gte=since, start__lt=since).aggregate(first=Min("start"))["first"] or since


# --- The editorial workflow: who may approve a step --------------------------------------------

def four_eyes_refusal(workflow_state, task, user):
    """
    Why ``user`` may not approve ``task`` in ``workflow_state`` (a review of one page), or ``""``
    when they may. Each step of a review is approved by a different person, and never by the
    person who asked for the review: whoever submitted the page, or approved another step of the
    same review (in any round of it), is refused.
    """
    from django.utils.translation import gettext
    from wagtail.models import TaskState

    if workflow_state is None or user is None or not user.is_authenticated:
        return ""
    if workflow_state.requested_by_id == user.pk:
        return gettext("「%(task)s」は、レビューを依頼した人とは別の人が承認します。"
                       "このページのレビューを依頼したのはあなたなので、承認できません。") % {"task": task.name}
    earlier = (
        TaskState.objects.filter(workflow_state=workflow_state, status=TaskState.STATUS_APPROVED, finished_by=user)
        .exclude(task_id=task.pk).select_related("task").first()
    )
    if earlier is not None:
        return gettext("「%(task)s」は、「%(earlier)s」を承認した人とは別の人が承認します。"
                       "あなたは「%(earlier)s」を承認したので、承認できません。") % {
            "task": task.name, "earlier": earlier.task.name}
    return ""


def excluding_own_reviews(task_states, task, user):
    """``task_states`` (of ``task``) leaving out those ``four_eyes_refusal`` refuses ``user``."""
    from wagtail.models import TaskState

    approved_elsewhere = TaskState.objects.filter(status=TaskState.STATUS_APPROVED, finished_by=user).exclude(
        task_id=task.pk).values("workflow_state_id")
    return task_states.exclude(workflow_state__requested_by=user).exclude(workflow_state_id__in=approved_elsewhere)


# --- Finding things on the public site --------------------------------------------------------------

NEW_DAYS = 7
RELATED_LIMIT = 4


def is_new(page, now=None):
    """The one rule of the 「NEW」 mark: first published within the last ``NEW_DAYS`` days."""
    published = getattr(page, "first_published_at", None)
    if published is None:
        return False
    return published >= (now or timezone.now()) - timezone.timedelta(days=NEW_DAYS)


def with_terms(pages):
    """
    Give each of ``pages`` (already fetched) ``card_terms``: its visible districts, then themes, in
    its own language, each a page to link to. Two queries in all, however many cards, page types
    and languages: the tagged terms' translation keys (``_tagged_keys``), and the visible
    districts and themes of the cards' languages.
    """
    pages = list(pages)
    tagged = _tagged_keys(pages)
    term_maps = _visible_term_maps({page.locale_id for page in pages if tagged.get(page.pk)})
    for page in pages:
        term_map = term_maps.get(page.locale_id, {})
        page.card_terms = [term_map[key] for key in tagged.get(page.pk, []) if key in term_map]
    return pages


TERM_RELATIONS = ("districts", "district", "themes")  # districts first (an event's one), then themes


def _tagged_keys(pages):
    """
    The translation keys of the districts, then themes, each of ``pages`` is tagged with, in the
    editor's order, by page id: one ``UNION ALL`` over the relations' tables of every page type.
    Written as SQL from the models' metadata (``_tagged_part``): built by the ORM, its six parts
    cost more to compile than the query takes to run, and more the more page types a list mixes.
    """
    parts, params = [], []
    for model in sorted({type(page) for page in pages}, key=lambda model: model._meta.label):
        ids = [page.pk for page in pages if type(page) is model]
        for rank, name in enumerate(TERM_RELATIONS):
            if has_field(model, name):
                parts.append(_tagged_part(model._meta.get_field(name), rank, len(ids)))
                params += ids
    if not parts:
        return {}
    key_field = Page._meta.get_field("translation_key")  # a UUID (SQLite gives its hex digits)
    with connection.cursor() as cursor:
        cursor.execute(" UNION ALL ".join(parts), params)
        rows = cursor.fetchall()
    tagged = {}
    for page_id, key, _rank, _order in sorted(rows, key=lambda row: row[2:]):
        tagged.setdefault(page_id, []).append(key_field.to_python(key))
    return tagged


def _tagged_part(field, rank, count):
    """One part of ``_tagged_keys``: (page id, term's translation key, ``rank``, order) of ``count`` pages."""
    quote = connection.ops.quote_name
    page = quote(Page._meta.db_table)
    marks = ", ".join(["%s"] * count)
    if field.many_to_many:
        through = field.remote_field.through._meta
        source = quote(through.get_field(field.m2m_field_name()).column)
        target = quote(through.get_field(field.m2m_reverse_field_name()).column)
        table = quote(through.db_table)
        return (f"SELECT r.{source}, t.translation_key, {int(rank)}, r.{quote(through.pk.column)} FROM {table} r "
                f"JOIN {page} t ON t.id = r.{target} WHERE r.{source} IN ({marks})")
    own = field.model._meta
    return (f"SELECT r.{quote(own.pk.column)}, t.translation_key, {int(rank)}, r.{quote(own.pk.column)} "
            f"FROM {quote(own.db_table)} r JOIN {page} t ON t.id = r.{quote(field.column)} "
            f"WHERE r.{quote(own.pk.column)} IN ({marks})")


def _visible_term_maps(locale_ids):
    """
    The visible districts and themes of each of ``locale_ids``, by translation key: one query, kept
    in the process until a page is published, moved or unpublished (``pages.caching.shared``).
    """
    from .caching import shared

    if not locale_ids:
        return {}
    key = tuple(sorted(locale_ids))
    return shared("card_term_maps", key, lambda: _load_term_maps(key), copied=True)


def _load_term_maps(locale_ids):
    from .models import DistrictPage, ThemePage

    maps = {locale_id: {} for locale_id in locale_ids}
    # By the terms' own (small) tables: a filter on the page type would scan every page.
    term_ids = DistrictPage.objects.order_by().values("pk").union(ThemePage.objects.order_by().values("pk"))
    for term in visible_pages().filter(pk__in=term_ids, locale_id__in=locale_ids):
        maps[term.locale_id][term.translation_key] = term
    return maps


def with_parents(*groups):
    """
    Fetch the parent (the section index) of the first page of each of ``groups`` (lists of
    pages) in one query and keep it on that page, where treebeard's ``get_parent`` reads it: the
    home page's 「一覧へ」 links, without a query per section.
    """
    firsts = [group[0] for group in groups if group]
    paths = {page.path[:-Page.steplen] for page in firsts}
    parents = {parent.path: parent for parent in Page.objects.filter(path__in=paths)} if paths else {}
    for page in firsts:
        parent = parents.get(page.path[:-Page.steplen])
        if parent is not None:
            page._cached_parent_obj = parent
    return groups


def for_cards(pages):
    """What a card shows, loaded for all ``pages`` at once: images and district/theme links."""
    return with_terms(with_images(pages))


def related_articles(article, limit=RELATED_LIMIT):
    """
    Up to ``limit`` visible articles of ``article``'s language in any of its districts or themes
    (matched by translation key), newest first, never the article itself. Each candidate is tested
    by ``EXISTS`` in the relations' unique indexes, walking the index on (date, id) newest first,
    so it reads a few rows however many articles share a district or theme (issue 18).
    """
    from .models import ArticlePage, DistrictPage, ThemePage

    district_keys = [term.translation_key for term in article.districts.all()]
    theme_keys = [term.translation_key for term in article.themes.all()]
    if not district_keys and not theme_keys:
        return []
    shared = Q()
    for keys, model, relation in ((district_keys, DistrictPage, "districts"), (theme_keys, ThemePage, "themes")):
        if keys:
            shared |= Q(_tagged(ArticlePage, relation, model.objects.filter(translation_key__in=keys).values("pk")))
    queryset = listed_in(ArticlePage, article.locale).filter(shared).exclude(pk=article.pk).exclude(
        translation_key=article.translation_key)
    return for_cards(queryset.order_by("-date", "-first_published_at", "-pk")[:limit])


# --- Events by month and by filter (the event index) -------------------------------------------------

def event_month(value, today):
    """The month ``?month=YYYY-MM`` names, or ``today``'s; as the first day of that month."""
    import datetime

    try:
        year, month = (int(part) for part in (value or "").split("-"))
        return datetime.date(year, month, 1)
    except (TypeError, ValueError):
        return today.replace(day=1)


def month_calendar(events, first_day, today):
    """
    The weeks (Sunday first, as Japanese calendars are) of ``first_day``'s month: each day with
    ``date``, ``in_month``, ``is_today`` and the ``events`` (of ``events``, soonest first) that run
    on it in Japan time; an event over several days is on each of them. Also the neighbouring months.
    """
    import calendar
    import datetime

    weeks = calendar.Calendar(firstweekday=6).monthdatescalendar(first_day.year, first_day.month)
    by_day = {day: [] for week in weeks for day in week}
    for event in events:
        day = max(timezone.localtime(event.start).date(), weeks[0][0])
        last = min(timezone.localtime(event.end).date(), weeks[-1][-1])
        while day <= last:
            by_day[day].append(event)
            day += datetime.timedelta(days=1)
    previous = (first_day - datetime.timedelta(days=1)).replace(day=1)
    following = (first_day + datetime.timedelta(days=32)).replace(day=1)
    return {
        "month": first_day, "previous": previous, "next": following,
        "weeks": [[{"date": day, "in_month": day.month == first_day.month, "is_today": day == today,
                    "events": by_day[day] if day.month == first_day.month else []} for day in week] for week in weeks],
    }


def month_events(locale, first_day, district=None, theme=None, originals=False):
    """Visible events of ``locale`` running on any day of ``first_day``'s month (``in_dates``' rule)."""
    import calendar

    last_day = first_day.replace(day=calendar.monthrange(first_day.year, first_day.month)[1])
    return listed_pages("event", locale, district, theme, first_day, last_day, originals=originals).order_by(
        "start", "pk")
