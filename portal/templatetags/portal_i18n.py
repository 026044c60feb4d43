"""
The language switcher's links, for ``templates/includes/language_switcher.html``::

    {% load portal_i18n %}
    {% language_links as links %}            the same page (or view) in each language
    {% language_links to_home=True as links %}   each language's home page (the 404 page)
"""

from django import template
from wagtail.models import Page

from .. import i18n

register = template.Library()


@register.simple_tag(takes_context=True)
def language_links(context, to_home=False):
    page = context.get("page")
    return i18n.language_links(context.get("request"), page if isinstance(page, Page) else None, to_home)
