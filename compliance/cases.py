"""
Personal-data requests (開示・訂正・追加・削除・利用停止・第三者提供の停止・第三者提供記録の開示) as
cases: the rules, once. The admin's pages and the member's pages call these; each step writes its
audit entry here (``compliance.audit``).

- Due date: ``COMPLIANCE_CASE_TARGET_DAYS`` calendar days after the day received (the portal's
  own target, "without delay"); a case handled for the ward (received via the ward, or flagged)
  follows the ward's rule instead: 30 days, extendable once by 30 days with the reason recorded.
- States: 受付 → 本人確認済 → 対応中 → 決定 → 完了; 取下げ from any open state. A refusal (不開示,
  一部開示, 訂正しない, …) needs its ground; nothing is disclosed, and no disclosure closed, without
  an identity check (method, who, when — never a copy of an ID document).
- A decision to stop the use of a member's data (利用停止) stops it (``compliance.stop_use``).
"""

import datetime

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from members.audit import record

from . import stop_use
from .audit import ComplianceAction
from .models import Case

HANDLE_PERMISSION = "compliance.handle_case"
WARD_DAYS = 30  # the ward's rule for requests it forwards or we handle for it
WARD_EXTENSION_DAYS = 30

S, D = Case.State, Case.Decision
OPEN_STATES = (S.RECEIVED, S.VERIFIED, S.IN_PROGRESS, S.DECIDED)
# Which decisions answer which request, and which of them refuse (a ground is required).
DECISIONS = {
    Case.Type.DISCLOSURE: (D.DISCLOSE, D.PARTIAL, D.REFUSE, D.NONE_HELD),
    Case.Type.PROVISION_RECORDS: (D.DISCLOSE, D.PARTIAL, D.REFUSE, D.NONE_HELD),
    Case.Type.CORRECTION: (D.CORRECT, D.NOT_CORRECT),
    Case.Type.ADDITION: (D.CORRECT, D.NOT_CORRECT),
    Case.Type.DELETION: (D.DELETE, D.NOT_DELETE),
    Case.Type.STOP_USE: (D.STOP, D.NOT_STOP),
    Case.Type.STOP_PROVISION: (D.STOP, D.NOT_STOP),
}
REFUSALS = (D.PARTIAL, D.REFUSE, D.NOT_CORRECT, D.NOT_DELETE, D.NOT_STOP)
DISCLOSING = (D.DISCLOSE, D.PARTIAL)


class CaseError(ValidationError):
    """A step refused: ``code`` stable (for tests and the API), the message for people (by field, or not)."""

    def __init__(self, message, code=None):
        super().__init__(message, code=code)
        self.code = code


def _refuse(code, message, field=None):
    raise CaseError({field: message} if field else message, code=code)


def target_days():
    return int(getattr(settings, "COMPLIANCE_CASE_TARGET_DAYS", 14))


def handled_for_ward(case):
    return case.for_ward or case.channel == Case.Channel.WARD


def due_date(case):
    """The date the answer is due: the portal's target, or the ward's 30 days (+30 once extended)."""
    received = timezone.localdate(case.received_at)
    if handled_for_ward(case):
        return received + datetime.timedelta(days=WARD_DAYS + (WARD_EXTENSION_DAYS if case.extended_at else 0))
    return received + datetime.timedelta(days=target_days())


def is_overdue(case, today=None):
    return case.is_open and case.due_on < (today or timezone.localdate())


def days_left(case, today=None):
    return (case.due_on - (today or timezone.localdate())).days


def _require_handler(actor):
    if not (actor and actor.is_authenticated and actor.has_perm(HANDLE_PERMISSION)):
        raise PermissionDenied(_("開示等の請求に対応する権限がありません。"))


def _require_state(case, *states):
    if case.state not in states:
        _refuse("wrong_state", _("この請求は「%(state)s」のため、この操作はできません。") % {
            "state": case.get_state_display()})


def _text(value, field, required=True, limit=2000):
    value = (value or "").strip()
    if required and not value:
        _refuse("required", _("入力してください。"), field)
    if len(value) > limit:
        _refuse("too_long", _("%(limit)s文字以内で入力してください。") % {"limit": limit}, field)
    return value


def _choice(value, choices, field):
    if value not in dict(choices):
        _refuse("invalid_choice", _("選択肢から選んでください。"), field)
    return value


# --- receiving --------------------------------------------------------------------------------

@transaction.atomic
def file_request(member, type, reply_method, details):
    """
    A member files a request from their profile: logged in with their password, which is the
    identity check (ログイン中の本人), so the case starts 本人確認済. Returns the case.
    """
    if not (member and member.is_authenticated) or member.withdrawn_at is not None:
        raise PermissionDenied(_("ログインしてください。"))
    case = Case(member=member, type=_choice(type, Case.Type.choices, "type"), channel=Case.Channel.PROFILE,
                reply_method=_choice(reply_method, Case.ReplyMethod.choices, "reply_method"),
                details=_text(details, "details", required=False), received_at=timezone.now(),
                identity_method=Case.IdentityMethod.LOGIN, identity_checked_at=timezone.now(), state=S.VERIFIED)
    case.due_on = due_date(case)
    case.save()
    record(member, ComplianceAction.CASE_RECEIVE, member, target=f"case:{case.pk}", kind=case.type,
           channel=case.channel)
    return case


@transaction.atomic
def record_request(actor, *, type, channel, reply_method, received_at=None, member=None, requester_name="",
                   requester_contact="", details="", for_ward=False):
    """Staff record a request received by letter, phone, at the counter or via the ward."""
    _require_handler(actor)
    if channel == Case.Channel.PROFILE:
        _refuse("invalid_choice", _("画面からの請求は会員本人が登録します。"), "channel")
    if member is None and not (requester_name or "").strip():
        _refuse("required", _("会員を特定できないときは、請求者の氏名を入力してください。"), "requester_name")
    received_at = received_at or timezone.now()
    if received_at > timezone.now():
        _refuse("future", _("受付日時に未来の日時は指定できません。"), "received_at")
    case = Case(member=member, type=_choice(type, Case.Type.choices, "type"),
                channel=_choice(channel, Case.Channel.choices, "channel"),
                reply_method=_choice(reply_method, Case.ReplyMethod.choices, "reply_method"),
                requester_name=_text(requester_name, "requester_name", required=False, limit=100),
                requester_contact=_text(requester_contact, "requester_contact", required=False, limit=200),
                details=_text(details, "details", required=False), for_ward=bool(for_ward),
                received_at=received_at, recorded_by=actor)
    case.due_on = due_date(case)
    case.save()
    record(actor, ComplianceAction.CASE_RECEIVE, member, target=f"case:{case.pk}", kind=case.type,
           channel=case.channel)
    return case


def open_case(actor, case):
    """A staff member opens a case's page (the requester's name and the request's text): audited."""
    _require_handler(actor)
    record(actor, ComplianceAction.CASE_VIEW, case.member, reason=_("開示等の請求への対応"),
           fields=["requester_name", "requester_contact", "details"], target=f"case:{case.pk}")


# --- the steps --------------------------------------------------------------------------------

@transaction.atomic
def check_identity(actor, case, method):
    """本人確認: how it was done, by whom, when. No copy of an ID document is kept, only this record."""
    _require_handler(actor)
    _require_state(case, S.RECEIVED)
    _choice(method, Case.IdentityMethod.choices, "identity_method")
    if method == Case.IdentityMethod.LOGIN:
        _refuse("invalid_choice", _("ログインによる確認は、会員が画面から請求したときだけです。"), "identity_method")
    case.identity_method, case.identity_checked_by, case.identity_checked_at = method, actor, timezone.now()
    case.state = S.VERIFIED
    case.save(update_fields=["identity_method", "identity_checked_by", "identity_checked_at", "state"])
    record(actor, ComplianceAction.CASE_IDENTITY, case.member, target=f"case:{case.pk}", method=method)
    return case


@transaction.atomic
def start(actor, case):
    _require_handler(actor)
    _require_state(case, S.VERIFIED)
    case.state = S.IN_PROGRESS
    case.save(update_fields=["state"])
    record(actor, ComplianceAction.CASE_START, case.member, target=f"case:{case.pk}")
    return case


@transaction.atomic
def extend(actor, case, reason):
    """The ward's extension: once, 30 more days, with its reason (told to the requester)."""
    _require_handler(actor)
    _require_state(case, *OPEN_STATES)
    if not handled_for_ward(case):
        _refuse("not_for_ward", _("期限の延長は、区のために対応する請求だけです。"))
    if case.extended_at:
        _refuse("already_extended", _("期限はすでに延長しています（延長は1回だけです）。"))
    case.extension_reason = _text(reason, "extension_reason")
    case.extended_at = timezone.now()
    case.due_on = due_date(case)
    case.save(update_fields=["extension_reason", "extended_at", "due_on"])
    record(actor, ComplianceAction.CASE_EXTEND, case.member, reason=case.extension_reason, target=f"case:{case.pk}",
           until=case.due_on.isoformat())
    return case


@transaction.atomic
def decide(actor, case, decision, ground=""):
    """The decision, with its ground (required for a refusal); a disclosure needs the identity check."""
    _require_handler(actor)
    _require_state(case, S.RECEIVED, S.VERIFIED, S.IN_PROGRESS)
    if decision not in DECISIONS[case.type]:
        _refuse("invalid_choice", _("この請求の種類に合う決定を選んでください。"), "decision")
    ground = _text(ground, "decision_ground", required=decision in REFUSALS)
    if decision not in REFUSALS and not case.identity_checked:
        _refuse("identity_unchecked", _("本人確認が済んでいないため、この決定はできません。"))
    case.decision, case.decision_ground = decision, ground
    case.decided_at, case.decided_by, case.state = timezone.now(), actor, S.DECIDED
    case.save(update_fields=["decision", "decision_ground", "decided_at", "decided_by", "state"])
    record(actor, ComplianceAction.CASE_DECIDE, case.member, reason=ground, target=f"case:{case.pk}",
           decision=decision)
    if decision == D.STOP and case.type == Case.Type.STOP_USE and case.member is not None:
        stop_use.stop(case.member, actor=actor, case=case)
    return case


@transaction.atomic
def close(actor, case):
    """完了: the answer was sent by the chosen method. A disclosure is never closed without an identity check."""
    _require_handler(actor)
    _require_state(case, S.DECIDED)
    if case.decision in DISCLOSING and not case.identity_checked:
        _refuse("identity_unchecked", _("本人確認が済んでいない請求は、開示として完了できません。"))
    case.state, case.closed_at = S.CLOSED, timezone.now()
    case.save(update_fields=["state", "closed_at"])
    record(actor, ComplianceAction.CASE_CLOSE, case.member, target=f"case:{case.pk}", decision=case.decision)
    return case


@transaction.atomic
def withdraw(actor, case, reason):
    """取下げ: by the requester (a member from their own list) or recorded by staff, with the reason."""
    own = case.member_id is not None and actor.pk == case.member_id and not actor.has_perm(HANDLE_PERMISSION)
    if not own:
        _require_handler(actor)
    _require_state(case, S.RECEIVED, S.VERIFIED, S.IN_PROGRESS)
    reason = _text(reason, "reason", required=not own, limit=500) or _("本人による取下げ")
    case.state, case.closed_at = S.WITHDRAWN, timezone.now()
    case.save(update_fields=["state", "closed_at"])
    record(actor, ComplianceAction.CASE_WITHDRAW, case.member, reason=reason, target=f"case:{case.pk}")
    return case


@transaction.atomic
def request_stop(member, details=""):
    """
    The member stops the use of their data from their profile: a 利用停止 case, decided and closed
    at once (the member is logged in: their identity is checked), and the stop applied.
    """
    if stop_use.is_stopped(member):
        _refuse("already_stopped", _("すでに利用停止中です。"))
    case = file_request(member, Case.Type.STOP_USE, Case.ReplyMethod.SCREEN, details)
    now = timezone.now()
    case.decision, case.decided_at, case.state, case.closed_at = D.STOP, now, S.CLOSED, now
    case.save(update_fields=["decision", "decided_at", "state", "closed_at"])
    record(member, ComplianceAction.CASE_CLOSE, member, target=f"case:{case.pk}", decision=case.decision)
    stop_use.stop(member, case=case)
    return case
