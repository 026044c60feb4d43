"""
Links from the public site's listings, which under another language also list the Japanese
originals of untranslated pages (``pages.selectors.in_language``)::

    {% load pages_i18n %}<a href="{% listing_url item %}">

is ``pageurl``, except that a Japanese page listed for a visitor of another language links to it
under that language's prefix (``/en/events/…``: ``portal.i18n.serve`` shows it in Japanese with the
visitor's interface) rather than out of their language. No query beyond ``pageurl``'s.

The language of what a page shows, where it is not the interface's (a Japanese original listed for
a visitor of another language, what residents and the ward write)::

    <p{% lang_attr content=page %}>  <p{% lang_attr code="ja" %}>  {% content_text text=page.fee content=page %}

and an event's start and end in Japan time, in the visitor's date format: ``{% event_when start end %}``.
These were templates included tens of times on a listing; as tags they cost a tenth (issue 18).
"""

from django import template
from django.conf import settings
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.html import format_html
from django.utils.translation import gettext, pgettext

from ..caching import request_memo

register = template.Library()


@register.simple_tag(takes_context=True)
def listing_url(context, page):
    # Once per page and request: a district's chip is on most cards of its own list.
    language = translation.get_language()
    return request_memo(f"listing_url {page.pk} {page.url_path} {language}",
                        lambda: _listing_url(context.get("request"), page, language))


def _listing_url(request, page, language):
    url = page.get_url(request)
    if not url or language == settings.LANGUAGE_CODE or page.locale.language_code != settings.LANGUAGE_CODE:
        return url or ""
    _site_id, root_url, path = page.get_url_parts(request)
    there = reverse("wagtail_serve", args=[path[1:]])  # Japanese routes have no prefix: "/events/x/"
    return there if url.startswith("/") else root_url + there


def _other_language(content, code):
    """``code``, else ``content``'s locale's language, where it is not the visitor's; else ``""``."""
    language = code or getattr(getattr(content, "locale", None), "language_code", "")
    return language if language and language != translation.get_language() else ""


@register.simple_tag
def lang_attr(content=None, code=""):
    """A ``lang`` attribute with its leading space, for content not in the visitor's language; else nothing."""
    language = _other_language(content, code)
    return format_html(' lang="{}"', language) if language else ""


@register.simple_tag
def content_text(text, content=None, code=""):
    """``text`` as it is in the visitor's language, else in a ``span`` with its own ``lang``."""
    language = _other_language(content, code)
    return format_html('<span lang="{}">{}</span>', language, text) if language else format_html("{}", text)


@register.simple_tag
def event_when(start, end):
    """Start and end (aware datetimes) in Japan time: the end's date is left out on the same day."""
    if not start or not end:  # a draft previewed before its dates are set
        return ""
    start, end = timezone.localtime(start), timezone.localtime(end)
    full = gettext("Y年n月j日（D）G:i")
    until = date_format(end, "G:i" if start.date() == end.date() else full)
    return format_html('<time datetime="{}">{}</time>{}<time datetime="{}">{}</time>',
                       start.isoformat(), date_format(start, full), pgettext("from … to", "〜"), end.isoformat(), until)
