"""
From an approved submission to a page in the editorial workflow.

A new shop or an event becomes a draft ``ShopPage`` or ``EventPage`` (never published here),
submitted to the site's editorial workflow so that editors finish and publish it; a correction
becomes a draft revision of the shop's page with the corrected fields, also submitted (the
editor compares it with the live version in the admin). A new page credits the resident by
nickname when they agreed to it.
"""

import datetime

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.html import escape, linebreaks

from pages.models import EventIndexPage, EventPage, ShopIndexPage, ShopPage

from .models import Submission

# The fields of a shop a correction may change (the form offers the same).
SHOP_FIELDS = ["title_reading", "category", "postal_code", "address", "phone", "opening_hours", "website"]


def _credit(submission):
    if submission.credit_nickname and submission.author.nickname and not submission.author.withdrawn_at:
        return f"<p>（情報提供：{escape(submission.author.nickname)}さん）</p>"
    return ""


def _description(submission):
    return linebreaks(escape(submission.body)) + _credit(submission)


def _submit_to_workflow(page, moderator):
    """Save the draft revision and start the page's workflow, as an editor's 「レビュー依頼」 would."""
    revision = page.save_revision(user=moderator, log_action=True)
    workflow = page.get_workflow()
    if workflow is not None and not page.workflow_in_progress:  # a correction to a page already in review joins it
        workflow.start(page, moderator)
    return revision


def _aware(value):
    moment = datetime.datetime.fromisoformat(value)
    return timezone.make_aware(moment) if timezone.is_naive(moment) else moment


def _new_shop(submission):
    data = submission.data
    return ShopPage(
        title=submission.title, live=False, description=_description(submission),
        **{name: data.get(name, "") or ShopPage._meta.get_field(name).get_default() for name in SHOP_FIELDS},
    ), ShopIndexPage.objects.first()


def _event(submission):
    data = submission.data
    page = EventPage(
        title=submission.title, live=False, start=_aware(data["start"]), end=_aware(data["end"]),
        venue=data.get("venue", ""), venue_address=data.get("venue_address", ""), district=submission.district,
        fee=data.get("fee") or "無料", capacity=data.get("capacity") or None, organiser=data.get("organiser", ""),
        how_to_apply=data.get("how_to_apply", ""), contact=data.get("contact", ""),
        lead=submission.body[:300] if len(submission.body) <= 300 else "",
        body=[("paragraph", _description(submission))],
    )
    return page, EventIndexPage.objects.first()


def page_from_submission(submission, moderator):
    """The page (draft, in the workflow) an approved shop, correction or event submission becomes."""
    if submission.kind == Submission.Kind.SHOP_CORRECTION:
        return _correction(submission, moderator)
    build = {Submission.Kind.NEW_SHOP: _new_shop, Submission.Kind.EVENT: _event}[submission.kind]
    page, parent = build(submission)
    if parent is None:
        raise ValidationError("掲載先の一覧ページがありません。管理画面で作成してください。")
    if isinstance(page, ShopPage):
        page.districts.set([submission.district] if submission.district else [])
    page.themes.set(list(submission.themes.all()))
    parent.add_child(instance=page)  # saves the page with its (parental) districts and themes
    _submit_to_workflow(page, moderator)
    return page


def _correction(submission, moderator):
    target = submission.target_page.specific if submission.target_page else None
    if not isinstance(target, ShopPage):
        raise ValidationError("訂正するお店・団体のページが見つかりません。")
    draft = target.get_latest_revision_as_object()
    for name in SHOP_FIELDS:
        value = submission.data.get(name)
        if value not in (None, ""):
            setattr(draft, name, value)
    draft.full_clean()
    _submit_to_workflow(draft, moderator)
    return target
