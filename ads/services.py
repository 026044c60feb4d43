"""
The ads app's rules, once: a creative's image against its placement, review before anything is
shown (checklist, decision, reason, audit entry), the stop-all switch, access to an advertiser's
contact person, and what is counted.
"""

import re

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from members import audit

from . import counting, images, selectors
from .audit import AdsAction
from .models import AdsSwitch, Creative, ReviewStatus
from .placements import PLACEMENTS

# The review's checklist: every item must be confirmed to approve (ward rules on advertising).
CHECKLIST = [
    ("political", "政治的な広告（政党・政治団体・選挙・政治的な主張）ではない"),
    ("religious", "宗教的な広告（布教・勧誘）ではない"),
    ("adult", "性的な表現・アダルト関連の広告ではない"),
    ("gambling", "ギャンブル（賭博・パチンコなど）の広告ではない"),
    ("consumer_loans", "消費者金融・貸金業の広告ではない"),
    ("youth", "青少年に有害なもの（飲酒・喫煙の勧め、暴力的な表現など）を含まない"),
    ("imitation", "ポータルのボタンや操作部品、新宿区の名称・ロゴをまねていない（公的な情報と誤解されない）"),
    ("landing", "リンク先のページを開いて確かめ、上のどれにも当たらず、広告の内容と一致している"),
    ("lawful", "法令（景品表示法・薬機法など）や公序良俗に反する表示がない"),
]
CHECKLIST_CODES = [code for code, _label in CHECKLIST]
# What a visitor sees: a change to any of these sends an approved creative back to review.
VISIBLE_FIELDS = ("image", "alt", "destination_url", "text", "booking")


# --- Creatives ---------------------------------------------------------------------------------

def check_image(uploaded, placement):
    """The checked facts of an uploaded image for ``placement`` (``ValidationError`` in Japanese)."""
    if placement not in PLACEMENTS:
        raise ValidationError("掲載枠が正しくありません。", code="placement")
    return images.inspect(uploaded, PLACEMENTS[placement])


def check_placement_change(booking, placement):
    """A booking may move to another slot only when its creatives fit that slot's size."""
    rule = PLACEMENTS[placement]
    if booking.pk is None:
        return
    misfits = [c.name for c in booking.creatives.all() if (c.image_width, c.image_height) != (rule.width, rule.height)]
    if misfits:
        raise ValidationError({"placement": f"この予約の広告画像（{'、'.join(misfits)}）は{rule.label}の枠の大きさ"
                                            f"（{rule.size}）に合いません。先に画像を差し替えてください。"})


@transaction.atomic
def save_creative(creative, user=None, changed=(), uploaded=None):
    """
    Store a creative after checking its image against its booking's placement. A new creative,
    or a change to anything a visitor sees, waits for review: nothing unreviewed is ever shown.
    """
    if uploaded is not None or creative.pk is None:
        facts = check_image(uploaded or creative.image, creative.booking.placement)
        creative.image_width, creative.image_height = facts.width, facts.height
        creative.image_format, creative.image_bytes = facts.format, facts.size
    creative.full_clean(exclude=["image"])
    if creative.pk is None:
        creative.created_by = creative.created_by or user
    if creative.pk is None or set(changed) & set(VISIBLE_FIELDS) or uploaded is not None:
        creative.review_status = ReviewStatus.PENDING
        creative.review_checklist, creative.review_reason = {}, ""
        creative.reviewed_by = creative.reviewed_at = None
    creative.save()
    return creative


def _require_reviewer(creative, reviewer):
    if not selectors.can_review(reviewer):
        raise PermissionDenied("広告を審査する権限がありません。")
    if creative.created_by_id is not None and creative.created_by_id == reviewer.pk:
        raise ValidationError("自分が登録した広告は審査できません。別の担当者が審査してください。", code="own_creative")


def _check_decision(decision, checklist, reason):
    if decision == "approve":
        missing = [label for code, label in CHECKLIST if not checklist.get(code)]
        if missing:
            raise ValidationError("承認するには、すべてのチェック項目を確かめてください（未確認: "
                                  + "、".join(missing) + "）。", code="checklist")
    elif decision == "refuse":
        if len((reason or "").strip()) < 5:
            raise ValidationError("不承認の理由を5文字以上で書いてください（広告主への説明に使います）。", code="reason")
    else:
        raise ValidationError("審査の結果を選んでください。", code="decision")


@transaction.atomic
def review(creative, reviewer, decision, checklist, reason=""):
    """
    Approve (every checklist item confirmed) or refuse (with a reason) a creative; the decision,
    the checklist and the reason go to the audit trail. Approval only of what waits; a refusal
    also of an approved creative (a complaint after publication).
    """
    _require_reviewer(creative, reviewer)
    checklist = {code: bool(checklist.get(code)) for code in CHECKLIST_CODES}
    _check_decision(decision, checklist, reason)
    locked = Creative.objects.select_for_update().get(pk=creative.pk)
    allowed = [ReviewStatus.PENDING] if decision == "approve" else [ReviewStatus.PENDING, ReviewStatus.APPROVED]
    if locked.review_status not in allowed:
        raise ValidationError(f"この広告は「{locked.get_review_status_display()}」のため、この判断はできません。",
                              code="state")
    locked.review_status = ReviewStatus.APPROVED if decision == "approve" else ReviewStatus.REFUSED
    locked.review_checklist, locked.review_reason = checklist, (reason or "").strip()
    locked.reviewed_by, locked.reviewed_at = reviewer, timezone.now()
    locked.save()
    audit.record(reviewer, AdsAction.APPROVE if decision == "approve" else AdsAction.REFUSE,
                 reason=locked.review_reason, target=f"creative:{locked.pk}", creative=locked.name,
                 booking=str(locked.booking), destination=locked.destination_url, checklist=checklist)
    return locked


# --- The stop-all switch -----------------------------------------------------------------------

def _require_switch(user, reason):
    if not selectors.can_switch(user):
        raise PermissionDenied("広告の一括停止を操作する権限がありません。")
    if len((reason or "").strip()) < 2:
        raise ValidationError("理由を書いてください（監査ログに残ります）。", code="reason")


@transaction.atomic
def stop_all(user, reason, message=""):
    """Stop every paid slot at once (a disaster, an order from the ward); slots show ``message`` or nothing."""
    _require_switch(user, reason)
    switch = AdsSwitch.objects.select_for_update().get_or_create(pk=1)[0]
    switch.stopped, switch.message = True, (message or "").strip()
    switch.changed_at, switch.changed_by = timezone.now(), user
    switch.save()
    audit.record(user, AdsAction.STOP_ALL, reason=reason.strip(), target="ads:switch", message=switch.message)
    return switch


@transaction.atomic
def resume_all(user, reason):
    _require_switch(user, reason)
    switch = AdsSwitch.objects.select_for_update().get_or_create(pk=1)[0]
    switch.stopped, switch.message = False, ""
    switch.changed_at, switch.changed_by = timezone.now(), user
    switch.save()
    audit.record(user, AdsAction.RESUME_ALL, reason=reason.strip(), target="ads:switch")
    return switch


# --- An advertiser's contact person (personal data) -------------------------------------------

CONTACT_FIELDS = ("contact_name", "contact_email", "contact_phone")


def reveal_contact(advertiser, user, reason):
    """The contact person's data in clear, for a stated reason, with an audit entry."""
    if not selectors.can_see_contact(user):
        raise PermissionDenied("広告主の連絡先を表示する権限がありません。")
    if len((reason or "").strip()) < 2:
        raise ValidationError("表示する理由を書いてください（監査ログに残ります）。", code="reason")
    audit.record(user, AdsAction.REVEAL_CONTACT, reason=reason.strip(), fields=CONTACT_FIELDS,
                 target=f"advertiser:{advertiser.pk}", advertiser=advertiser.name)
    return {field: getattr(advertiser, field) for field in CONTACT_FIELDS}


# --- Counting ----------------------------------------------------------------------------------

BOT_AGENTS = re.compile(
    r"bot|crawl|spider|slurp|archiver|preview|headless|lighthouse|pingdom|uptime|monitor|feedfetcher|"
    r"facebookexternalhit|embedly|quora link|whatsapp|skypeuripreview|curl|wget|python|java/|go-http|okhttp|"
    r"axios|node-fetch|libwww|httpclient|scrapy|phantomjs",
    re.IGNORECASE,
)


def is_prefetch(request):
    """A link prefetcher or prerender, not a person looking (Sec-Purpose, Purpose, X-Moz, X-Purpose)."""
    headers = request.headers
    purpose = " ".join(headers.get(name, "") for name in ("Sec-Purpose", "Purpose", "X-Purpose", "X-Moz")).lower()
    return "prefetch" in purpose or "preview" in purpose or "prerender" in purpose


def countable(request):
    """A person's view: not a known bot, not a prefetch, not logged-in staff. Nothing of the request is stored."""
    agent = request.headers.get("User-Agent", "")
    if not agent or BOT_AGENTS.search(agent) or is_prefetch(request):
        return False
    if settings.SESSION_COOKIE_NAME not in request.COOKIES:
        return True  # nobody is logged in without a session: no need to load a user
    return not selectors.is_staff_viewer(getattr(request, "user", None))


def count(kind, request, entry, placement, district):
    """Count one impression or click of ``entry`` if ``request`` is a person's; True when counted."""
    if not countable(request):
        return False
    counting.bump(counting.IMPRESSION if kind == "impression" else counting.CLICK,
                  entry.creative_id, entry.booking_id, placement, district)
    counting.flush_if_due()
    return True


def flush_counts():
    """Move the counts from the cache into hourly rows (the scheduled task)."""
    return counting.flush()
