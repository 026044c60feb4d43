"""
Links from the public site's listings, which under another language also list the Japanese
originals of untranslated pages (``pages.selectors.in_language``)::

    {% load pages_i18n %}<a href="{% listing_url item %}">

is ``pageurl``, except that a Japanese page listed for a visitor of another language links to it
under that language's prefix (``/en/events/…``: ``portal.i18n.serve`` shows it in Japanese with the
visitor's interface) rather than out of their language. No query beyond ``pageurl``'s.
"""

from django import template
from django.conf import settings
from django.urls import reverse
from django.utils import translation

register = template.Library()


@register.simple_tag(takes_context=True)
def listing_url(context, page):
    request = context.get("request")
    language = translation.get_language()
    url = page.get_url(request)
    if not url or language == settings.LANGUAGE_CODE or page.locale.language_code != settings.LANGUAGE_CODE:
        return url or ""
    _site_id, root_url, path = page.get_url_parts(request)
    there = reverse("wagtail_serve", args=[path[1:]])  # Japanese routes have no prefix: "/events/x/"
    return there if url.startswith("/") else root_url + there
