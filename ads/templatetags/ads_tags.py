"""
Ad slots on the server-rendered site, without the pages app knowing this app::

    {% load ads_tags %}{% ad_slot "home-top" page %}
    {% ad_slot "search-results" district=district theme=theme %}

The same selection as the API (``selectors.ads_for``). A page never shows the same creative twice:
the creatives already shown are kept on the request. While everything is stopped, the slot shows
the ward's message, or nothing.
"""

from django import template

from ..selectors import ads_for

register = template.Library()


@register.inclusion_tag("ads/slot.html", takes_context=True)
def ad_slot(context, placement, page=None, district=None, theme=None):
    request = context.get("request")
    shown = getattr(request, "_ads_shown", None) if request is not None else None
    if shown is None:
        shown = set()
        if request is not None:
            request._ads_shown = shown
    slot = ads_for(placement, page=page, districts=[district] if district else (), themes=[theme] if theme else (),
                   exclude=frozenset(shown))
    shown.update(item["id"] for item in slot.items)
    return {"slot": slot}
