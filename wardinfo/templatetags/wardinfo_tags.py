"""
Ward information on the site's pages, without the pages app knowing this app:

    {% load wardinfo_tags %}
    {% ward_notices %}                 the home page: the newest notices
    {% ward_notices district=page %}   a district page: the notices tagged with it
    {% related_sites theme=page %}     the related sites tagged with a theme
    {% feed_alternates term=page %}    <link rel="alternate"> for the feeds of a page (in <head>)
    {% feed_subscriptions term=page %} the same feeds as visible links, with the events calendar

The notices and related sites are the same for every visitor: kept per process until a notice is
imported or a site changed (``pages.caching.shared``, under the page cache's generations); the
notices at most a minute more, as a notice dated ahead appears when its time comes.
"""

from django import template

from pages.caching import shared

from ..feeds import feed_links
from ..selectors import latest_notices
from ..selectors import related_sites as related_sites_for

register = template.Library()


@register.inclusion_tag("wardinfo/notice_list.html")
def ward_notices(district=None, theme=None):
    term = district or theme
    key = (district and district.translation_key, theme and theme.translation_key)
    return {
        "notices": shared("ward_notices", key, lambda: latest_notices(district, theme), sections=("notices",),
                          max_age=60, copied=True),
        "term": term,
        "query": f"?district={district.slug}" if district else (f"?theme={theme.slug}" if theme else ""),
    }


@register.inclusion_tag("wardinfo/related_sites.html")
def related_sites(district=None, theme=None):
    key = (district and district.translation_key, theme and theme.translation_key)
    return {"sites": shared("related_sites", key, lambda: related_sites_for(district, theme), sections=("notices",),
                            copied=True)}


@register.inclusion_tag("wardinfo/feed_alternates.html")
def feed_alternates(term=None):
    return {"feeds": feed_links(term), "term": term}


@register.inclusion_tag("wardinfo/feed_links.html")
def feed_subscriptions(term=None):
    return {"feeds": feed_links(term), "term": term}
