"""
A card's picture (``templates/includes/card.html``)::

    {% load pages_cards %}{% card_image item %}

What ``{% image item.hero_image fill-400x300 format-webp alt=… loading="lazy" lang=… %}`` gives, with
the rendition's filter parsed once per process rather than once per card (Wagtail's tag builds its
filter and operations afresh each time: a third of a millisecond a card, issue 18). The rendition
comes from those ``pages.selectors.with_images`` fetched with the page; the alternative text is the
editor's for this page (in the page's language) or the image's own (Japanese).
"""

from functools import cache

from django import template
from wagtail.images.models import Filter
from wagtail.images.shortcuts import get_rendition_or_not_found

from ..selectors import CARD_RENDITION

register = template.Library()


@cache
def card_filter():
    return Filter(spec=CARD_RENDITION)


@register.simple_tag
def card_image(page):
    image = getattr(page, "hero_image", None)
    if not image:
        return ""
    language = page.locale.language_code if page.hero_alt else "ja"
    return get_rendition_or_not_found(image, card_filter()).img_tag(
        {"alt": page.hero_alt_text, "loading": "lazy", "lang": language})
