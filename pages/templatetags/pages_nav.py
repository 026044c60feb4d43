"""
The breadcrumbs' trail, for ``templates/includes/breadcrumbs.html``::

    {% load pages_nav %}{% breadcrumb_trail page as crumbs %}

The ancestors of ``page`` below the tree's root (the home page first), each in the visitor's
language where it has a live translation. Every page under the same parent has the same trail, so
it is kept per process by parent and language until something is published
(``pages.caching.shared``): no query on most pages.
"""

from django import template
from django.utils import translation
from wagtail.models import Page

from ..caching import private_copy, shared

register = template.Library()


@register.simple_tag
def breadcrumb_trail(page):
    if not isinstance(page, Page) or not page.path or page.depth <= 2:
        return []
    parent_path = page.path[:-Page.steplen]
    return shared("breadcrumbs", (parent_path, translation.get_language()), lambda: _trail(page), copied=True)


def _trail(page):
    return [ancestor.localized for ancestor in page.get_ancestors().filter(depth__gt=1)]


# --- Districts and themes ------------------------------------------------------------------------
#
# The visible districts and themes of every language (a few dozen pages), kept per process until
# something is published: the home page's and the events filter's lists, and the districts and
# themes a page is tagged with (``page.live_districts``/``live_themes`` without their queries).

def _visible_terms(kind):
    from ..models import DistrictPage, ThemePage
    from ..selectors import terms_in_order

    model = {"districts": DistrictPage, "themes": ThemePage}[kind]
    return shared("visible_terms", kind, lambda: terms_in_order(model))


@register.simple_tag
def terms_in(kind, locale_id):
    """``{% terms_in "districts" page.locale_id as districts %}``: the visible ones of a language, in tree order."""
    return private_copy([term for term in _visible_terms(kind) if term.locale_id == locale_id])


@register.simple_tag
def shown_terms(page, name):
    """
    ``{% shown_terms page "districts" as districts %}`` (or ``"themes"``, or an event's ``"district"``):
    what ``page.live_districts`` / ``page.live_themes`` give — the visible terms it is tagged with,
    in its own language, in the editor's order.
    """
    kind = "themes" if name == "themes" else "districts"
    if not page.locale_id:
        return getattr(page, f"live_{kind}")
    terms = _visible_terms(kind)
    if name == "district":
        if not page.district_id:
            return []
        keys = [term.translation_key for term in terms if term.pk == page.district_id]
        if not keys:  # tagged with a district no visitor sees: the model's own rule decides
            return page.live_districts
    else:
        keys = [term.translation_key for term in getattr(page, name).all()]
    by_key = {term.translation_key: term for term in terms if term.locale_id == page.locale_id}
    return private_copy([by_key[key] for key in keys if key in by_key])
