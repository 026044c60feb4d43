"""
Changes to pages that other apps ask for, given plain values.

A resident's approved submission becomes a draft ``ShopPage`` or ``EventPage`` (never published
here), or a draft revision of a listed shop with the corrected fields, and is submitted to the
editorial workflow (内容確認 → 公開承認) as an editor's 「レビュー依頼」 would, so that editors
finish and publish it. Moderation decides *that* a submission becomes a page; where a page goes
in the tree, which fields it has, how a resident's text becomes its description and how the
workflow starts are rules about pages, kept here so the pages app can change its models without
breaking moderation.

Also what forms outside this app check a shop's fields with (the validators and the categories),
so that a resident's form accepts what the editor's page does.
"""

import datetime

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.html import escape, linebreaks

from .forms import PortalPageForm
from .models import (
    EditorialPageMixin,
    EventIndexPage,
    EventPage,
    ShopIndexPage,
    ShopPage,
    phone_validator,
    postal_code_validator,
)

__all__ = [
    "EVENT_FIELDS", "SHOP_CATEGORIES", "SHOP_FIELDS", "described", "draft_event", "draft_shop",
    "draft_shop_correction", "phone_validator", "postal_code_validator", "submit_for_review",
    "EditorialPageMixin", "PortalPageForm",
]

# Page models of other apps (surveys) inherit the editorial rules every page of the portal has:
# only the workflow publishes (``EditorialPageMixin``) and the editor's form (``PortalPageForm``).

# The fields of a shop a submission sets and a correction may change (the forms offer the same).
SHOP_FIELDS = ("title_reading", "category", "postal_code", "address", "phone", "opening_hours", "website")
SHOP_CATEGORIES = ShopPage.Category.choices
EVENT_FIELDS = ("start", "end", "venue", "venue_address", "fee", "capacity", "organiser", "how_to_apply", "contact")


def described(text, credit=""):
    """A resident's plain text as a page's HTML (escaped, paragraphs), with 「情報提供：○○さん」 if credited."""
    html = linebreaks(escape(text))
    return html + (f"<p>（情報提供：{escape(credit)}さん）</p>" if credit else "")


def submit_for_review(page, user):
    """Save the draft revision and start the page's workflow; a page already in review keeps its workflow."""
    revision = page.save_revision(user=user, log_action=True)
    workflow = page.get_workflow()
    if workflow is not None and not page.workflow_in_progress:
        workflow.start(page, user)
    return revision


def _aware(value):
    moment = value if isinstance(value, datetime.datetime) else datetime.datetime.fromisoformat(value)
    return timezone.make_aware(moment) if timezone.is_naive(moment) else moment


def _add_draft(page, parent_model, themes, user):
    parent = parent_model.objects.first()
    if parent is None:
        raise ValidationError("掲載先の一覧ページがありません。管理画面で作成してください。")
    page.themes.set(list(themes))
    parent.add_child(instance=page)  # saves the page with its (parental) districts and themes
    submit_for_review(page, user)
    return page


def draft_shop(title, text, fields, districts=(), themes=(), user=None, credit=""):
    """
    A new shop (draft, in the workflow) from ``fields`` (``SHOP_FIELDS``; a missing one gets
    the page's default), described by ``text``. Returns the page.
    """
    values = {name: fields.get(name, "") or ShopPage._meta.get_field(name).get_default() for name in SHOP_FIELDS}
    page = ShopPage(title=title, live=False, description=described(text, credit), **values)
    page.districts.set(list(districts))
    return _add_draft(page, ShopIndexPage, themes, user)


def draft_event(title, text, fields, district=None, themes=(), user=None, credit=""):
    """
    A new event (draft, in the workflow) from ``fields`` (``EVENT_FIELDS``; ``start`` and ``end``
    as datetimes or ISO strings), described by ``text``, its lead the text when it is short.
    """
    page = EventPage(
        title=title, live=False, start=_aware(fields["start"]), end=_aware(fields["end"]),
        venue=fields.get("venue", ""), venue_address=fields.get("venue_address", ""), district=district,
        fee=fields.get("fee") or "無料", capacity=fields.get("capacity") or None,
        organiser=fields.get("organiser", ""), how_to_apply=fields.get("how_to_apply", ""),
        contact=fields.get("contact", ""), lead=text if len(text) <= 300 else "",
        body=[("paragraph", described(text, credit))],
    )
    return _add_draft(page, EventIndexPage, themes, user)


def draft_shop_correction(page, fields, user):
    """
    A draft revision of a listed shop with the non-empty ``fields`` (``SHOP_FIELDS``) changed,
    checked like the editor's form and submitted to the workflow; the live page is untouched.
    Returns the shop's page.
    """
    shop = page.specific if page is not None else None
    if not isinstance(shop, ShopPage):
        raise ValidationError("訂正するお店・団体のページが見つかりません。")
    draft = shop.get_latest_revision_as_object()
    for name in SHOP_FIELDS:
        value = fields.get(name)
        if value not in (None, ""):
            setattr(draft, name, value)
    draft.full_clean()
    submit_for_review(draft, user)
    return shop
