"""
Our feed of open calls and surveys (RSS 2.0 and Atom), site-wide or per district or theme, in the
shape of the portal's other feeds (``wardinfo.feeds.PortalFeed``: titles, dates in Japan time,
categories): ``/forms/feeds/open.rss`` and ``/forms/feeds/districts/<slug>/open.atom``.
"""

from django.http import Http404
from django.utils.html import strip_tags
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import cache_control

from wardinfo.feeds import FEED_ITEMS, FEED_MAX_AGE, PortalFeed, japan_time

from .selectors import listed_forms


class OpenFormsFeed(PortalFeed):
    kind = "open"
    what = _("受付中の募集・アンケート")
    description_text = _("いま応募・回答を受け付けている募集とアンケートです。")

    def items(self, scope):
        return listed_forms(scope.locale, district=scope.district, theme=scope.theme)[:FEED_ITEMS]

    def item_description(self, item):
        closes = japan_time(item.closes_at)
        text = strip_tags(item.intro or "").strip()
        if closes:
            text = gettext("締切：%(date)s") % {"date": closes.strftime("%Y-%m-%d %H:%M")} + "\n" + text
        return text

    def item_categories(self, item):
        return [str(item.get_verbose_name())] + super().item_categories(item)


@cache_control(public=True, max_age=FEED_MAX_AGE)
def feed(request, feed_format, scope=None, slug=None):
    if feed_format not in ("rss", "atom"):
        raise Http404(gettext("フィードが見つかりません。"))
    return OpenFormsFeed(feed_format)(request, scope=scope, slug=slug)
