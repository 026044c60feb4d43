"""
Reads of the members app. The account states live here, once: the admin's list and filter, the
log-in backend, posting, mail and the retention job all ask these.

A member who registered on the site logs in only once the e-mail is verified; accounts created
by staff have no verification step. A withdrawn member keeps no personal data and never logs in.
"""

import datetime

from django.db.models import Q
from django.utils import timezone

from . import audit
from .crypto import email_digest
from .models import AuditEntry, User
from .staff_users import STAFF_ACCOUNTS


class AccountState:
    ACTIVE = "active"
    SUSPENDED = "suspended"
    UNVERIFIED = "unverified"
    WITHDRAWN = "withdrawn"
    CHOICES = [(ACTIVE, "有効"), (SUSPENDED, "利用停止"), (UNVERIFIED, "メール未確認"), (WITHDRAWN, "退会")]
    LABELS = dict(CHOICES)


_WITHDRAWN = Q(withdrawn_at__isnull=False)
_SUSPENDED = Q(withdrawn_at__isnull=True, is_active=False)
_UNVERIFIED = Q(withdrawn_at__isnull=True, is_active=True, email_verified_at__isnull=True, self_registered=True)
STATE_QUERIES = {
    AccountState.WITHDRAWN: _WITHDRAWN,
    AccountState.SUSPENDED: _SUSPENDED,
    AccountState.UNVERIFIED: _UNVERIFIED,
    AccountState.ACTIVE: ~_WITHDRAWN & ~_SUSPENDED & ~_UNVERIFIED,
}


def account_state(member):
    """The one state of an account, by the same rules as ``STATE_QUERIES``."""
    if member.withdrawn_at is not None:
        return AccountState.WITHDRAWN
    if not member.is_active:
        return AccountState.SUSPENDED
    if member.email_verified_at is None and member.self_registered:
        return AccountState.UNVERIFIED
    return AccountState.ACTIVE


def account_state_label(member):
    return AccountState.LABELS[account_state(member)]


def in_state(state, queryset=None):
    queryset = User.objects.all() if queryset is None else queryset
    return queryset.filter(STATE_QUERIES[state])


def is_open(member):
    """Neither withdrawn nor suspended (a registration may still await its verification)."""
    return account_state(member) not in (AccountState.WITHDRAWN, AccountState.SUSPENDED)


def can_log_in(member):
    return account_state(member) == AccountState.ACTIVE


def password_resettable(queryset):
    """Who may be sent a password-reset link: active accounts, verified or not (the link proves the address)."""
    return queryset.filter(STATE_QUERIES[AccountState.ACTIVE] | STATE_QUERIES[AccountState.UNVERIFIED])


def can_contribute(member):
    """Posting and submitting: an active account whose address is verified (staff need no verification)."""
    return (getattr(member, "is_authenticated", False) and can_log_in(member) and not use_stopped(member)
            and (member.email_verified_at is not None or member.is_staff))


def can_receive_mail(member):
    """Mail about their account and contributions: anyone not withdrawn who has an address, unless they stopped its use."""
    return member.withdrawn_at is None and bool(member.email) and not use_stopped(member)


# --- 利用停止 at the member's request (compliance) ----------------------------------------------
# Not a suspension: the member still logs in, to see their data and lift the stop, and nothing
# else. Until then no mail is sent to them (``members.mail``) and nothing of theirs is listed.

USE_STOPPED = Q(use_stopped_at__isnull=False)


def use_stopped(member):
    return getattr(member, "use_stopped_at", None) is not None


def use_stopped_members(queryset=None):
    queryset = User.objects.all() if queryset is None else queryset
    return queryset.filter(USE_STOPPED)


def listed_author(relation="author"):
    """A condition for a queryset of contributions: the ``relation`` (an author) has not stopped the use of their data."""
    return Q(**{f"{relation}__use_stopped_at__isnull": True})


def stopped_addresses(addresses):
    """Which of ``addresses`` belong to a member who stopped the use of their data (one query)."""
    digests = {email_digest(address): address for address in addresses if address}
    if not digests:
        return set()
    stopped = use_stopped_members().filter(email_hash__in=list(digests)).values_list("email_hash", flat=True)
    return {digests[digest] for digest in stopped}


def stale_registrations(older_than):
    """Registrations on the site never verified, made before ``older_than``."""
    return User.objects.filter(self_registered=True, email_verified_at=None, date_joined__lt=older_than)


def staff_views_of(member):
    """
    The audit entries in which staff saw ``member``'s personal data — those that name the fields
    seen (``members.services.reveal_personal_data`` and the like), by someone other than the member:
    who, when, why, which fields. Newest first.
    """
    return (AuditEntry.objects.filter(subject=member, actor__isnull=False).exclude(actor=member).exclude(fields=[])
            .select_related("actor").prefetch_related("actor__groups").order_by("-created_at", "-pk"))


# --- residents and staff ----------------------------------------------------------------------

class People:
    """The member list's two tabs: residents (the default) and staff accounts."""

    RESIDENTS = "residents"
    STAFF = "staff"
    CHOICES = [(RESIDENTS, "住民会員"), (STAFF, "スタッフ")]


def of_people(people, queryset=None):
    """Residents, or staff accounts (superusers, ``is_staff``, members of any group: ``staff_users``' rule)."""
    queryset = User.objects.all() if queryset is None else queryset
    staff = queryset.filter(pk__in=User.objects.filter(STAFF_ACCOUNTS).values("pk"))
    return staff if people == People.STAFF else queryset.exclude(pk__in=staff.values("pk"))


def staff_name(user):
    """How the admin names a staff member: 「氏名（スタッフ）」 (staff have a name; residents only a nickname)."""
    name = f"{user.last_name} {user.first_name}".strip() or user.nickname or f"#{user.pk}"
    return f"{name}（スタッフ）"


def staff_labels():
    """
    {user id: 「氏名（スタッフ）」} for every staff account, so the audit log names staff by their
    name at display time; residents stay as recorded (nickname and number), and only staff
    accounts' names are ever read here.
    """
    staff = User.objects.filter(STAFF_ACCOUNTS).distinct().only("pk", "nickname", "last_name", "first_name")
    return {user.pk: staff_name(user) for user in staff}


# --- how an audit entry's details read ----------------------------------------------------------

# Words for the keys apps record in their details; the values (a status, a kind of sanction) read
# as the recording app declared them (``members.audit.register(..., words=...)``).
FILTER_WORDS = {"action": "操作", "date_from": "開始日", "date_to": "終了日", "q": "検索"}
KEY_WORDS = {"page_id": "作成したページ", "format": "形式", "subject_id": "会員番号", "sanction": "処分",
             "until": "期限", "kind": "種類", "target": "対象"}


def details_text(entry, limit=80):
    """
    An audit entry's details as Japanese text (「対象: 掲示板『…』、変更前: 確認待ち → 変更後: 掲載」),
    never JSON: words for the known keys, the values as their app declared them; texts longer
    than ``limit`` are cut (``None``: whole, as in the CSV).
    """
    details = dict(entry.details or {})
    parts = _target_parts(details, limit) + _filter_parts(details)
    parts += [_known(key, value) for key, value in details.items()]
    return "、".join(part for part in parts if part)


def _cut(text, limit):
    text = " ".join(str(text or "").split())
    return text if limit is None or len(text) <= limit else text[:limit] + "…"


def _target_parts(details, limit):
    """What a decision was about and what it changed: the state, the title, the text."""
    before, after = details.pop("before", None) or {}, details.pop("after", None) or {}
    target, kind = details.pop("target", ""), details.pop("kind", "")
    parts = []
    title = before.get("title") or after.get("title")
    if title or kind:
        parts.append(f"対象: {kind or '投稿'}『{_cut(title, limit)}』" if title else f"対象: {kind}")
    elif target and not target.startswith("sanction:"):
        parts.append(f"対象: {target}")
    if before.get("status") != after.get("status"):
        parts.append(f"変更前: {_state(before.get('status'))} → 変更後: {_state(after.get('status'))}")
    for field, label in (("title", "題名"), ("body", "本文")):
        if before and after and before.get(field) != after.get(field):
            parts.append(f"{label}: 「{_cut(before.get(field), limit)}」 → 「{_cut(after.get(field), limit)}」")
    return parts


def _state(value):
    return audit.word(value) or "—"


def _filter_parts(details):
    if "filters" not in details:
        return []
    filters = details.pop("filters") or {}
    words = [f"{FILTER_WORDS.get(key, key)}={audit.label(value) if key == 'action' else value}"
             for key, value in filters.items()]
    return ["書き出し条件: " + ("、".join(words) if words else "なし（全件）")]


def _known(key, value):
    """One remaining key in words: 「処分: 投稿の一時停止」, 「期限: 2026年12月3日 10:00」, 「会員番号 12」."""
    if value in (None, "", [], {}):
        return ""
    if key == "sanction":
        value = audit.word(value)
    elif key == "until":
        value = _date_text(value)
    elif key == "format":
        value = str(value).upper()
    elif isinstance(value, (dict, list)):
        value = "、".join(f"{k}={v}" for k, v in value.items()) if isinstance(value, dict) else "、".join(map(str, value))
    if key == "subject_id":
        return f"会員番号 {value}"
    if key == "page_id":
        return f"作成したページ: ID {value}"
    return f"{KEY_WORDS.get(key, key)}: {value}"


def _date_text(value):
    try:
        moment = timezone.localtime(datetime.datetime.fromisoformat(value))
    except (TypeError, ValueError):
        return value
    return f"{moment.year}年{moment.month}月{moment.day}日 {moment:%H:%M}"
