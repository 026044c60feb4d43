"""
The one screening pipeline every post and submission goes through before it is stored.

Order (cheapest and surest first):

1. sanctions: a member whose posting is suspended or banned is refused (403);
2. rate limits per member and per address (429, nothing stored);
3. NG words (admin-managed, matched after Japanese normalisation): refuse or hold, per word;
4. too many links: refused;
5. near-duplicate of the member's own recent contributions: refused;
6. personal data in the text (phone numbers, e-mail addresses, street addresses): held;
7. policy: a new member's post, and every shop or event submission, is held for review.

The outcome is ``shown``, ``held`` or ``refused`` with the reasons (a stable code + a message
through gettext). What is stored for the record (``Verdict.stored``) is in Japanese, the source
language moderators read; what the resident is told (``Verdict.message``) is in their language.
A refusal is stored for the record (the author sees it with its reason); a failure of the
pipeline itself holds the contribution for a moderator instead of losing it.
"""

import hashlib
import hmac
import logging
from dataclasses import dataclass, field

from django.conf import settings
from django.utils import timezone, translation
from django.utils.dateformat import format as format_date
from django.utils.functional import lazy
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext, pgettext, pgettext_lazy

from members import ratelimit

from . import detectors, registry
from .models import NGWord, Sanction, Status
from .selectors import current_policy, is_trusted

logger = logging.getLogger(__name__)

DUPLICATE_WINDOW_HOURS = 24
PERSONAL_DATA_MESSAGES = {
    "phone": pgettext_lazy("personal data found in a post", "電話番号"),
    "email": pgettext_lazy("personal data found in a post", "メールアドレス"),
    "address": pgettext_lazy("personal data found in a post", "番地までの住所"),
}


class PostingRefused(Exception):
    """The member may not post at all now (a sanction); 403."""

    code = "posting_suspended"

    def __init__(self, message):
        super().__init__(message)
        self.message = message


class RateLimited(Exception):
    """Too many contributions in a short time; 429, nothing stored."""

    code = "rate_limited"

    def __init__(self, message, retry_after):
        super().__init__(message)
        self.message, self.retry_after = message, retry_after


@dataclass
class Verdict:
    outcome: str = Status.SHOWN
    reasons: list = field(default_factory=list)

    def add(self, outcome, code, message):
        """
        Record a reason; the strictest outcome wins (refused > held > shown). ``message`` is lazy
        (gettext_lazy or ``_later``), rendered in whichever language reads it.
        """
        self.reasons.append({"code": code, "message": message})
        order = [Status.SHOWN, Status.HELD, Status.REFUSED]
        if order.index(outcome) > order.index(self.outcome):
            self.outcome = outcome

    @property
    def message(self):
        """The reasons as sentences, in the active language."""
        # Translators: one reason of a screening verdict as a sentence; keep a space after the full stop
        # where the language puts one between sentences.
        return "".join(_("%(reason)s。") % {"reason": str(reason["message"]).rstrip("。")}
                       for reason in self.reasons).strip()

    def shown(self):
        """The reasons (code and message) in the active language, for the resident."""
        return [{"code": reason["code"], "message": str(reason["message"])} for reason in self.reasons]

    def stored(self):
        """(reasons, message) in the site's source language (Japanese), as kept for the record."""
        with translation.override(settings.LANGUAGE_CODE):
            return self.shown(), self.message


def _personal_data_message(found):
    kinds = pgettext("between the kinds of personal data found in a post", "・").join(
        str(PERSONAL_DATA_MESSAGES[kind]) for kind in found)
    return _("%(kinds)sが含まれているため、掲載の前に確認します") % {"kinds": kinds}


def _later(render):
    """A message rendered by ``render`` when read, so in the reader's language."""
    return lazy(render, str)()


def address_hash(ip):
    """A keyed hash of the client's address: enough to count and correlate, never the address itself."""
    if not ip:
        return ""
    return hmac.new(settings.FIELD_HASH_KEY.encode(), f"address:{ip}".encode(), hashlib.sha256).hexdigest()


# --- 1. sanctions ------------------------------------------------------------------------------

def active_sanction(member):
    now = timezone.now()
    for sanction in Sanction.objects.filter(member=member, lifted_at=None).exclude(kind=Sanction.Kind.WARN):
        if sanction.is_active(now):
            return sanction
    return None


def check_sanctions(member):
    sanction = active_sanction(member)
    if sanction is None:
        return
    if sanction.kind == Sanction.Kind.BAN:
        raise PostingRefused(_("このアカウントは投稿を禁止されています。"))
    until = format_date(timezone.localtime(sanction.until), _("Y年n月j日 G:i"))
    raise PostingRefused(_("このアカウントは %(until)s まで投稿を停止されています。") % {"until": until})


# --- 2. rate limits -----------------------------------------------------------------------------

def check_rate_limits(member, address):
    """
    Counts this attempt; raises ``RateLimited`` over the member's or the address's limit. Counted in
    the database (``members.ratelimit``), so the limits hold across processes, restarts and whatever
    the cache does; ``retry_after`` is the seconds until the window that refused ends.
    """
    limits = settings.MODERATION_RATE_LIMITS
    checks = [("member", str(member.pk))]
    if address:
        checks.append(("address", address))
    for scope, who in checks:
        limit, window = limits[scope]
        counted = ratelimit.hit(f"moderation:{scope}", who, limit, window)
        if not counted.allowed:
            minutes = max(1, (counted.retry_after + 59) // 60)
            raise RateLimited(ngettext(  # in the resident's language (the request's)
                "短い時間に続けて投稿されています。%(minutes)s分ほど待ってから、もう一度お試しください。",
                "短い時間に続けて投稿されています。%(minutes)s分ほど待ってから、もう一度お試しください。",
                minutes) % {"minutes": minutes}, retry_after=counted.retry_after)


# --- 3.–7. the text ----------------------------------------------------------------------------

def _ng_words():
    return list(NGWord.objects.filter(active=True).values_list("word", "action"))


def _recent_texts(member, exclude=None):
    """The member's contributions of the last 24 hours, of every kind, as screening reads them."""
    since = timezone.now() - timezone.timedelta(hours=DUPLICATE_WINDOW_HOURS)
    texts = []
    for kind in registry.kinds():
        # Refused ones do not count: a resident who corrects a refused post must be able to send it again.
        items = kind.objects().filter(**{kind.author_field: member}, created_at__gte=since).exclude(
            status__in=[Status.DELETED, Status.REFUSED])
        if exclude is not None and type(exclude) is kind.model:
            items = items.exclude(pk=exclude.pk)
        texts += [kind.screened_text(item) for item in items]
    return texts


def screen_text(member, text, *, always_review=False, review_reason="", exclude=None, personal_text=None):
    """
    Steps 3–7 on ``text`` (every field together). Personal data is looked for in
    ``personal_text`` when given (a shop's own address and phone are not a resident's personal
    data). Returns a ``Verdict``.
    """
    policy = current_policy()
    verdict = Verdict()
    words = _ng_words()
    for found in detectors.find_ng_words(text, [w for w, action in words if action == NGWord.Action.REFUSE]):
        verdict.add(Status.REFUSED, "ng_word", gettext_lazy("掲載できない表現が含まれています"))
        logger.info("NG word refused a contribution of member %s: %s", member.pk, found)
        break
    if verdict.outcome != Status.REFUSED and detectors.find_ng_words(
            text, [w for w, action in words if action == NGWord.Action.HOLD]):
        verdict.add(Status.HELD, "ng_word_hold", gettext_lazy("確認が必要な表現が含まれています"))
    links = detectors.count_links(text)
    if links > policy.max_links:
        verdict.add(Status.REFUSED, "too_many_links", _later(lambda: _(
            "リンクは%(limit)s件までです（%(count)s件あります）") % {"limit": policy.max_links, "count": links}))
    if detectors.is_near_duplicate(text, _recent_texts(member, exclude)):
        verdict.add(Status.REFUSED, "duplicate", gettext_lazy("同じ内容の投稿が最近ありました"))
    found = detectors.find_personal_data(text if personal_text is None else personal_text)
    if found:
        verdict.add(Status.HELD, "personal_data", _later(lambda: _personal_data_message(found)))
    if always_review:
        verdict.add(Status.HELD, "review_required", review_reason or gettext_lazy("掲載の前に運営者が確認します"))
    elif not is_trusted(member, policy):
        verdict.add(Status.HELD, "new_member", gettext_lazy("はじめのうちの投稿は、運営者が確認してから掲載します"))
    return verdict


def screen(member, address, text, *, always_review=False, review_reason="", exclude=None, personal_text=None):
    """
    The whole pipeline. Raises ``PostingRefused`` or ``RateLimited`` (nothing to store);
    otherwise returns the ``Verdict`` to store the contribution with.
    """
    check_sanctions(member)
    check_rate_limits(member, address)
    try:
        return screen_text(member, text, always_review=always_review, review_reason=review_reason, exclude=exclude,
                           personal_text=personal_text)
    except Exception:  # the pipeline failed, not the post: keep it for a moderator
        logger.exception("Screening failed for a contribution of member %s; holding it for review", member.pk)
        verdict = Verdict()
        verdict.add(Status.HELD, "screening_error",
                    gettext_lazy("自動確認ができなかったため、運営者が確認してから掲載します"))
        return verdict
