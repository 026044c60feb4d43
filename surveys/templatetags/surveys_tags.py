from django import template
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from pages.caching import shared
from surveys.selectors import form_status

register = template.Library()

LABELS = {"open": _("受付中"), "closed": _("受付終了"), "full": _("定員に達しました"), "upcoming": _("受付前")}


@register.simple_tag
def form_status_badge(page):
    status = form_status(page)
    return format_html('<span class="badge badge--{}">{}</span>', "muted" if status == "closed" else status,
                       LABELS[status])


@register.inclusion_tag("surveys/_list.html", takes_context=True)
def open_forms_for(context, term, heading=""):
    """
    The open surveys and calls tagged with a district or theme page (``term``), in its language:
    ``{% load surveys_tags %}{% open_forms_for page %}`` on district and theme pages.
    """
    from pages.terms import district_model
    from surveys.selectors import listed_forms

    is_district = isinstance(term, district_model())
    # The same for every visitor: kept per process until something is published, and at most a
    # minute (a form opens, closes or fills up with time and answers).
    forms = shared("open_forms", (term.pk, term.locale_id), lambda: listed_forms(
        term.locale, district=term if is_district else None, theme=None if is_district else term, originals=True)[:6],
        max_age=60, copied=True)
    return {"forms": forms, "heading": heading, "request": context.get("request")}
