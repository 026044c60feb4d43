"""
Our own outbound feeds: RSS 2.0 and Atom for articles, events and ward notices (site-wide, per
district, per theme), and an iCalendar feed of events (site-wide, per district, per theme).

Built on Django's syndication framework (``django.contrib.syndication``) and the ``icalendar``
library. Dates are given in Japan time (+09:00); the language is the visitor's language, so
``/en/feeds/…`` lists the English translations. Only what a visitor may see is listed, by the
same rules as the site and the content API (``pages.selectors.recent_articles`` and
``upcoming_events``; districts and themes through ``pages.terms``).
"""

import datetime

from django.conf import settings
from django.contrib.syndication.views import Feed
from django.http import Http404, HttpResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.feedgenerator import Atom1Feed, Rss201rev2Feed
from django.utils.html import strip_tags
from django.utils.translation import get_language, gettext, ngettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import cache_control
from icalendar import Calendar, Event, vGeo
from wagtail.models import Locale, Site

from pages.selectors import recent_articles, upcoming_events
from pages.terms import district_model, tagged_terms, visible_districts, visible_term_map, visible_themes

from .selectors import ward_notices

FEED_ITEMS = 50
CALENDAR_PAST_DAYS = 30  # events that ended up to this many days ago stay in the calendar
CALENDAR_MAX_EVENTS = 1000
FEED_MAX_AGE = 300  # seconds a reader or proxy may keep a feed


class Scope:
    """Where a feed is taken: the whole site, or one district or theme, in the visitor's language."""

    def __init__(self, request, scope=None, slug=None):
        self.locale = Locale.get_active()
        self.district = self.theme = None
        if scope is not None:
            terms = {"districts": visible_districts, "themes": visible_themes}.get(scope)
            term = terms(self.locale).filter(slug=slug).first() if terms else None
            if term is None:
                raise Http404(gettext("地域またはテーマが見つかりません。"))
            setattr(self, "district" if scope == "districts" else "theme", term)
        self.site = Site.find_for_request(request)
        self.site_name = _site_name(self.site)

    @property
    def term(self):
        return self.district or self.theme

    def heading(self, what):
        if self.term:
            return gettext("%(site)s｜%(term)sの%(what)s") % {"site": self.site_name, "term": self.term.title, "what": what}
        return gettext("%(site)s｜%(what)s") % {"site": self.site_name, "what": what}

    def link(self):
        return self.term.get_full_url() if self.term else (self.site.root_url + "/" if self.site else "/")


def _site_name(site):
    """
    The portal's name in the visitor's language: the site's name in Japanese, otherwise the title
    of the home page's translation (or the name from the catalogue when the home is not translated).
    """
    name = (site.site_name if site else "") or gettext("新宿地域ポータル")
    if site is None or get_language() == settings.LANGUAGE_CODE:
        return name
    home = site.root_page.localized
    return home.title if home.locale_id != site.root_page.locale_id else gettext("新宿地域ポータル")


def japan_time(value):
    return timezone.localtime(value) if value else None


class PortalFeed(Feed):
    """Common shape of our feeds; ``kind`` names it in URLs, ``what`` in titles."""

    kind = ""
    what = ""
    description_text = ""
    author_name = _("新宿地域ポータル")

    def __init__(self, feed_format):
        super().__init__()
        self.feed_format = feed_format
        self.feed_type = Atom1Feed if feed_format == "atom" else Rss201rev2Feed

    def get_object(self, request, scope=None, slug=None):
        self.request = request
        where = Scope(request, scope, slug)
        self.term_map = visible_term_map(where.locale)  # one query for every item's categories
        return where

    def title(self, scope):
        return scope.heading(self.what)

    def subtitle(self, scope):  # Atom <subtitle>; RSS <description> falls back to it
        return self.description_text

    def description(self, scope):
        return self.description_text

    def link(self, scope):
        return scope.link()

    def feed_url(self, scope):
        return self.request.build_absolute_uri()

    def feed_copyright(self, scope):
        return scope.site_name

    def item_link(self, item):
        return item.get_full_url(self.request)

    def item_guid(self, item):
        return self.item_link(item)

    def item_pubdate(self, item):
        return japan_time(item.first_published_at)

    def item_updateddate(self, item):
        return japan_time(item.last_published_at or item.first_published_at)

    def item_description(self, item):
        return getattr(item, "lead", "") or ""

    def item_categories(self, item):
        return [term.title for term in tagged_terms(self.term_map, item)]


class ArticleFeed(PortalFeed):
    kind = "articles"
    what = _("取材記事")
    description_text = _("地域の人とお店を訪ねた取材記事の新着です。")

    def items(self, scope):
        return recent_articles(scope.locale, scope.district, scope.theme)[:FEED_ITEMS]


class EventFeed(PortalFeed):
    kind = "events"
    what = _("イベント")
    description_text = _("これから開かれる地域のイベントの新着です。")
    description_template = "wardinfo/feeds/event_description.html"

    def items(self, scope):
        events = upcoming_events(scope.locale, scope.district, scope.theme)
        return events.order_by("-first_published_at", "-pk")[:FEED_ITEMS]


class NoticeFeed(PortalFeed):
    """Ward notices: each item links to the ward's official page and says it is the ward's information."""

    kind = "notices"
    what = _("区からのお知らせ")
    description_text = _("新宿区の公式サイトから取り込んだお知らせです。各項目は区の公式ページにつながります。")

    def items(self, scope):
        return ward_notices(scope.district, scope.theme).prefetch_related("districts", "themes")[:FEED_ITEMS]

    def item_link(self, item):
        return item.url

    def item_guid(self, item):
        return item.url

    def item_description(self, item):
        return gettext("【新宿区の情報】%(summary)s") % {"summary": strip_tags(item.summary).strip()}

    def item_pubdate(self, item):
        return japan_time(item.published_at)

    def item_updateddate(self, item):
        return japan_time(max(item.published_at, item.updated_at))

    def item_author_name(self, item):
        return item.source.name

    def item_categories(self, item):
        return [gettext("区政情報")] + [term.title for term in tagged_terms(self.term_map, item)]


FEEDS = {feed.kind: feed for feed in (ArticleFeed, EventFeed, NoticeFeed)}


@cache_control(public=True, max_age=FEED_MAX_AGE)
def feed(request, kind, feed_format, scope=None, slug=None):
    """``/feeds/<kind>.rss`` and ``.atom``, and the same under ``/feeds/districts/<slug>/`` and ``/feeds/themes/<slug>/``."""
    if kind not in FEEDS or feed_format not in ("rss", "atom"):
        raise Http404(gettext("フィードが見つかりません。"))
    return FEEDS[kind](feed_format)(request, scope=scope, slug=slug)


def feed_links(term=None):
    """
    The feeds a page offers (site-wide, or of its district or theme): a list of
    ``{"kind", "title", "rss", "atom"}``, plus the calendar as ``{"kind": "calendar", ..., "ics"}``.
    """
    if term is None:
        def url(name, **kwargs):
            return reverse(f"wardinfo_{name}", kwargs=kwargs)
    else:
        scope = "districts" if isinstance(term, district_model()) else "themes"

        def url(name, **kwargs):
            return reverse(f"wardinfo_term_{name}", kwargs={"scope": scope, "slug": term.slug, **kwargs})
    links = [
        {"kind": kind, "title": feed_class.what, "ics": None,
         "rss": url("feed", kind=kind, feed_format="rss"), "atom": url("feed", kind=kind, feed_format="atom")}
        for kind, feed_class in FEEDS.items()
    ]
    # Every key in every link: a template's lookup of a missing one costs a dir() of the dict.
    links.append({"kind": "calendar", "title": gettext("イベントのカレンダー"), "ics": url("calendar"),
                  "rss": None, "atom": None})
    return links


# --- iCalendar ----------------------------------------------------------------------------------

def _event_component(event, request, stamp, term_map):
    component = Event()
    host = request.get_host().split(":")[0] or "localhost"
    component.add("uid", f"event-{event.translation_key}-{event.locale.language_code}@{host}")
    component.add("dtstamp", stamp)
    component.add("dtstart", japan_time(event.start))
    component.add("dtend", japan_time(event.end))
    component.add("summary", event.title)
    details = [event.lead, gettext("参加費：%(fee)s") % {"fee": event.fee}]
    if event.capacity:
        details.append(ngettext("定員：%(capacity)s人", "定員：%(capacity)s人", event.capacity) % {"capacity": event.capacity})
    details.append(gettext("主催：%(organiser)s") % {"organiser": event.organiser})
    if event.how_to_apply:
        details.append(gettext("申込方法：%(how)s") % {"how": event.how_to_apply})
    if event.contact:
        details.append(gettext("問い合わせ：%(contact)s") % {"contact": event.contact})
    component.add("description", "\n".join(line for line in details if line))
    component.add("location", " ".join(part for part in (event.venue, event.venue_address) if part))
    if event.latitude is not None and event.longitude is not None:
        component.add("geo", vGeo((float(event.latitude), float(event.longitude))))
    component.add("url", event.get_full_url(request))
    categories = [term.title for term in tagged_terms(term_map, event)]
    if categories:
        component.add("categories", categories)
    if event.last_published_at:
        component.add("last-modified", event.last_published_at)
    return component


@cache_control(public=True, max_age=FEED_MAX_AGE)
def events_calendar(request, scope=None, slug=None):
    """``/feeds/events.ics`` (and per district or theme): upcoming events and those just past, in Japan time."""
    where = Scope(request, scope, slug)
    since = timezone.now() - datetime.timedelta(days=CALENDAR_PAST_DAYS)
    events = upcoming_events(where.locale, where.district, where.theme, since=since)[:CALENDAR_MAX_EVENTS]
    calendar = Calendar()
    calendar.add("prodid", "-//Shinjuku regional portal//shinjuku-portal//JA")
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    calendar.add("x-wr-calname", where.heading(gettext("イベント")))
    calendar.add("x-wr-timezone", settings.TIME_ZONE)
    stamp = timezone.now()
    term_map = visible_term_map(where.locale)
    for event in events:
        calendar.add_component(_event_component(event, request, stamp, term_map))
    calendar.add_missing_timezones()
    response = HttpResponse(calendar.to_ical(), content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'inline; filename="events.ics"'
    return response
