"""
Reads of the pages app: what a visitor (or the API's anonymous client) may see.

One place decides "visible": live, public (no view restriction), in the page's own language.
Templates, the site's listings and the API all go through here. So do the date rules of the
listings (which date an item has, what "from" and "to" mean for an event) and the narrowing by
district and theme, which the content API and our own feeds (``wardinfo``) share.

Other apps reach districts and themes through ``pages.terms``, which builds on this module (never
the other way round: ``pages.models`` imports this module while it loads).
"""

from django.utils import timezone
from wagtail.images import get_image_model
from wagtail.models import Page

# Rendition specs the site's lists and the API ask for, fetched together with the images.
CARD_RENDITION = "fill-400x300|format-webp"


def visible_pages(model=Page, locale=None):
    queryset = model.objects.live().public()
    return queryset.filter(locale=locale) if locale is not None else queryset


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


def tagged_with(term, lookup, event_lookup):
    """
    Articles, shops and events tagged with a district or theme (or its translation), in the
    term's language, newest first.
    """
    from .models import ArticlePage, EventPage, ShopPage

    key = term.translation_key
    ids = [
        ArticlePage.objects.filter(**{f"{lookup}__translation_key": key}).values("pk"),
        ShopPage.objects.filter(**{f"{lookup}__translation_key": key}).values("pk"),
        EventPage.objects.filter(**{f"{event_lookup}__translation_key": key}).values("pk"),
    ]
    queryset = visible_pages(locale=term.locale)
    merged = None
    for subquery in ids:
        condition = queryset.filter(pk__in=subquery)
        merged = condition if merged is None else merged | condition
    return merged.order_by("-first_published_at", "-pk").specific()


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


# --- Listings across page types: the content API's and our feeds' rules ----------------------

LISTED_KINDS = ("article", "shop", "event", "special")
_TERM_RELATIONS = {"article": ("districts", "themes"), "shop": ("districts", "themes"), "event": ("district", "themes")}


def listed_model(kind):
    """The page model of a listed kind: ``article``, ``shop``, ``event`` or ``special``."""
    from .models import ArticlePage, EventPage, ShopPage, SpecialPage

    return {"article": ArticlePage, "shop": ShopPage, "event": EventPage, "special": SpecialPage}[kind]


def listing_date(page, kind):
    """
    The one date a listing gives an item: an article its own date (掲載日), an event the day it
    starts (開催日, in Japan time), anything else the day it was first published.
    """
    if kind == "event":
        return timezone.localtime(page.start).date()
    if kind == "article":
        return page.date
    return timezone.localtime(page.first_published_at).date()


def in_dates(queryset, kind, date_from=None, date_to=None):
    """
    Items of ``kind`` dated within ``date_from``–``date_to`` (days, both inclusive), by
    ``listing_date``'s rule, except that an event counts while it runs: it ends on or after
    ``date_from`` and starts on or before ``date_to``.
    """
    if kind == "event":
        lower, upper = "end__date", "start__date"
    else:
        lower = upper = "date" if kind == "article" else "first_published_at__date"
    if date_from:
        queryset = queryset.filter(**{f"{lower}__gte": date_from})
    if date_to:
        queryset = queryset.filter(**{f"{upper}__lte": date_to})
    return queryset


def listed_pages(kind, locale, district=None, theme=None, date_from=None, date_to=None):
    """
    Visible pages of one kind in ``locale``, tagged with ``district`` and/or ``theme`` (pages of
    the listing's language, matched by translation key: translations of articles still point at
    the Japanese district) and dated within the range, with what a list item shows loaded.
    Specials are tagged with neither, so naming a district or theme leaves none.
    """
    queryset = visible_pages(listed_model(kind), locale).select_related("hero_image", "locale")
    if kind == "special" and (district is not None or theme is not None):
        return queryset.none()
    queryset = in_dates(in_terms(queryset, district, theme), kind, date_from, date_to)
    return queryset.prefetch_related(*_TERM_RELATIONS.get(kind, ())).distinct()


def recent_articles(locale, district=None, theme=None):
    """Visible articles of ``locale`` in the district and/or theme, newest publication first."""
    return listed_pages("article", locale, district, theme).order_by("-first_published_at", "-pk")


def upcoming_events(locale, district=None, theme=None, since=None):
    """
    Visible events of ``locale`` in the district and/or theme that have not ended by ``since``
    (default: now), soonest first. As in ``in_dates``, an event is current until its end.
    """
    since = since or timezone.now()
    return listed_pages("event", locale, district, theme).filter(end__gte=since).order_by("start", "pk")


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
    its own language, each a page to link to. Two queries per language and relation, not per card.
    """
    from django.db.models import prefetch_related_objects

    pages = list(pages)
    for model in {type(page) for page in pages}:  # a listing mixes articles, shops and events
        relations = [name for name in ("districts", "district", "themes") if hasattr(model, name)]
        if relations:
            prefetch_related_objects([page for page in pages if type(page) is model], *relations)
    term_maps = {}
    for page in pages:
        if page.locale_id not in term_maps:
            term_maps[page.locale_id] = _visible_term_map(page.locale_id)
        term_map = term_maps[page.locale_id]
        tagged = _tagged(page)
        page.card_terms = [term_map[term.translation_key] for term in tagged if term.translation_key in term_map]
    return pages


def _visible_term_map(locale_id):
    from .models import DistrictPage, ThemePage

    return {term.translation_key: term for model in (DistrictPage, ThemePage)
            for term in visible_pages(model).filter(locale_id=locale_id)}


def _tagged(page):
    """The districts, then themes, ``page`` is tagged with (prefetched), in the editor's order."""
    terms = []
    if hasattr(type(page), "districts"):
        terms += list(page.districts.all())
    elif getattr(page, "district_id", None):
        terms.append(page.district)
    if hasattr(type(page), "themes"):
        terms += list(page.themes.all())
    return terms


def for_cards(pages):
    """What a card shows, loaded for all ``pages`` at once: images and district/theme links."""
    return with_terms(with_images(pages))


def related_articles(article, limit=RELATED_LIMIT):
    """
    Up to ``limit`` visible articles of ``article``'s language in any of its districts or themes
    (matched by translation key), newest first, never the article itself.
    """
    from django.db.models import Q

    from .models import ArticlePage

    district_keys = [term.translation_key for term in article.districts.all()]
    theme_keys = [term.translation_key for term in article.themes.all()]
    if not district_keys and not theme_keys:
        return []
    shared = Q(districts__translation_key__in=district_keys) | Q(themes__translation_key__in=theme_keys)
    ids = ArticlePage.objects.filter(shared).exclude(pk=article.pk).values("pk")
    queryset = visible_pages(ArticlePage, article.locale).filter(pk__in=ids).exclude(
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


def month_events(locale, first_day, district=None, theme=None):
    """Visible events of ``locale`` running on any day of ``first_day``'s month (``in_dates``' rule)."""
    import calendar

    last_day = first_day.replace(day=calendar.monthrange(first_day.year, first_day.month)[1])
    return listed_pages("event", locale, district, theme, first_day, last_day).order_by("start", "pk")
