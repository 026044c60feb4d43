"""
The incident register's rules: the clocks, opening and changing an incident (each step in the
timeline and the audit trail), who was affected, and the notices to them.

The clocks, counted from discovery:
- the ward's written report (委託契約: 直ちに): COMPLIANCE_WARD_REPORT_HOURS (24);
- the commission's preliminary report (速報, 規則第8条第1項: 「速やかに」, the commission's guidance
  概ね3～5日以内): COMPLIANCE_PRELIMINARY_REPORT_DAYS (5);
- its final report (確報, 第8条第2項): 30 days, 60 when the leak may have been done with a wrongful
  purpose (不正の目的).
The commission's reports are not required when the data was highly encrypted with the keys intact.
"""

from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.text import format_lazy
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from members.audit import MemberAction, record
from members.mail import send_templated_mail
from members.models import PERSONAL_FIELDS, AuditEntry, User

from .incident_audit import IncidentAction
from .models.incidents import Incident, IncidentEvent, IncidentNotification

FINAL_DAYS_WRONGFUL = 60
CLOCK_FIELDS = {"ward": "ward_reported_at", "preliminary": "preliminary_reported_at", "final": "final_reported_at"}
CLOCK_LABELS = {"ward": gettext_lazy("区への報告（書面・直ちに）"), "preliminary": gettext_lazy("個人情報保護委員会への速報"),
                "final": gettext_lazy("個人情報保護委員会への確報")}
ACTIVE_STATES = (Incident.State.DRAFT, Incident.State.OPEN)


@dataclass
class Clock:
    key: str
    label: str
    due: object
    done_at: object
    required: bool

    def overdue(self, now=None):
        return self.required and self.done_at is None and (now or timezone.now()) > self.due


def commission_required(incident):
    """Whether the commission's reports are due (not when the data was encrypted with the keys intact)."""
    return not incident.encrypted_keys_intact


def clocks(incident):
    """The three clocks of ``incident`` (a dismissed incident has none that run)."""
    start = incident.discovered_at
    running = incident.state != Incident.State.DISMISSED
    final_days = FINAL_DAYS_WRONGFUL if incident.wrongful_purpose else settings.COMPLIANCE_FINAL_REPORT_DAYS
    dues = {"ward": start + timedelta(hours=settings.COMPLIANCE_WARD_REPORT_HOURS),
            "preliminary": start + timedelta(days=settings.COMPLIANCE_PRELIMINARY_REPORT_DAYS),
            "final": start + timedelta(days=final_days)}
    commission = commission_required(incident)
    return [Clock(key, str(CLOCK_LABELS[key]), due, getattr(incident, CLOCK_FIELDS[key]),
                  running and (key == "ward" or commission)) for key, due in dues.items()]


def overdue_clocks(incident, now=None):
    return [clock for clock in clocks(incident) if clock.overdue(now)]


def active_incidents():
    return Incident.objects.filter(state__in=ACTIVE_STATES).order_by("discovered_at")


def add_event(incident, actor, what, at=None):
    return IncidentEvent.objects.create(incident=incident, what=what, by=actor, at=at or timezone.now())


def clean_data_items(items):
    unknown = set(items or ()) - set(PERSONAL_FIELDS)
    if unknown:
        raise ValidationError({"data_items": _("不明な項目です: %(items)s") % {"items": ", ".join(sorted(unknown))}})
    return [name for name in PERSONAL_FIELDS if name in set(items or ())]


@transaction.atomic
def open_incident(actor, *, title, category, description, discovered_at=None, data_items=(), **fields):
    """Register an incident (state 対応中 when a person opens it). Raises ValidationError on bad input."""
    errors = {}
    if not (title or "").strip():
        errors["title"] = _("件名を入力してください。")
    if category not in Incident.Category.values:
        errors["category"] = _("種類を選んでください。")
    if not (description or "").strip():
        errors["description"] = _("概要を入力してください。")
    if discovered_at and discovered_at > timezone.now():
        errors["discovered_at"] = _("発覚日時に未来の日時は指定できません。")
    if errors:
        raise ValidationError(errors)
    fields.setdefault("state", Incident.State.OPEN)
    incident = Incident.objects.create(
        title=title.strip(), category=category, description=description.strip(), data_items=clean_data_items(data_items),
        discovered_at=discovered_at or timezone.now(), discovered_by=fields.pop("discovered_by", actor),
        reported_by=fields.pop("reported_by", actor), **fields)
    add_event(incident, actor, _("事故を登録しました。"))
    record(actor, IncidentAction.OPEN, incident=incident.pk, category=category)
    return incident


def members_viewed_by(staff, start, end):
    """The members whose personal data ``staff`` viewed between ``start`` and ``end`` (audit trail)."""
    ids = (AuditEntry.objects.filter(actor=staff, action=MemberAction.REVEAL, created_at__gte=start,
                                     created_at__lte=end, subject__isnull=False)
           .values_list("subject_id", flat=True).distinct())
    return User.objects.filter(pk__in=list(ids))


@transaction.atomic
def set_affected(incident, actor, members, note=""):
    """Record the affected members (and their number, at least as many as named)."""
    members = list(members)
    incident.affected_members.add(*members)
    incident.affected_count = max(incident.affected_count, incident.affected_members.count())
    incident.save(update_fields=["affected_count"])
    add_event(incident, actor, _("対象の会員を %(count)d 人記録しました。%(note)s") % {"count": len(members), "note": note})
    record(actor, IncidentAction.UPDATE, incident=incident.pk, affected=incident.affected_count)


@transaction.atomic
def mark_report_sent(incident, actor, key, at=None):
    """Record that the report of clock ``key`` (ward / preliminary / final) went. Raises ValidationError."""
    if key not in CLOCK_FIELDS:
        raise ValidationError({"clock": _("不明な報告です。")})
    if getattr(incident, CLOCK_FIELDS[key]):
        raise ValidationError({"clock": _("この報告はすでに送付済みとして記録されています。")})
    at = at or timezone.now()
    if at > timezone.now() or at < incident.discovered_at:
        raise ValidationError({"clock": _("送付日時は発覚日時から現在までの間にしてください。")})
    setattr(incident, CLOCK_FIELDS[key], at)
    if incident.state == Incident.State.DRAFT:
        incident.state = Incident.State.OPEN
    incident.save(update_fields=[CLOCK_FIELDS[key], "state"])
    add_event(incident, actor, _("%(report)sを送付しました。") % {"report": CLOCK_LABELS[key]}, at=at)
    record(actor, IncidentAction.REPORT_SENT, incident=incident.pk, report=key)


def close_refusal(incident):
    """Why ``incident`` cannot be closed yet (a message), or None."""
    if incident.state not in ACTIVE_STATES:
        return _("この事故はすでに完了または取り下げ済みです。")
    if not (incident.cause.strip() and incident.prevention.strip() and incident.measures.strip()):
        return _("原因・実施した措置・再発防止のための措置を記入してから完了にしてください。")
    pending = [clock.label for clock in clocks(incident) if clock.required and clock.done_at is None]
    if pending:
        return _("未送付の報告があります: %(reports)s") % {"reports": "、".join(pending)}
    return None


@transaction.atomic
def close_incident(incident, actor, state=Incident.State.CLOSED, reason=""):
    """Close (完了) or dismiss (取り下げ: with a reason) an incident. Raises ValidationError."""
    if state == Incident.State.DISMISSED:
        if incident.state not in ACTIVE_STATES or len((reason or "").strip()) < 5:
            raise ValidationError({"reason": _("取り下げる理由を5文字以上で入力してください。")})
    elif (refusal := close_refusal(incident)) is not None:
        raise ValidationError({"state": refusal})
    incident.state, incident.closed_at = state, timezone.now()
    incident.save(update_fields=["state", "closed_at"])
    add_event(incident, actor, reason or _("対応を完了しました。"))
    record(actor, IncidentAction.CLOSE, reason=reason, incident=incident.pk, state=state)


# The member's personal-data fields in words, for the report, the notices and the form (in this
# app's catalogue, so a notice reads right in the member's language).
DATA_ITEM_LABELS = {
    "last_name": gettext_lazy("姓"), "first_name": gettext_lazy("名"), "last_name_kana": gettext_lazy("姓（よみがな）"),
    "first_name_kana": gettext_lazy("名（よみがな）"), "date_of_birth": gettext_lazy("生年月日"),
    "gender": gettext_lazy("性別"), "email": gettext_lazy("メールアドレス"), "postal_code": gettext_lazy("郵便番号"),
    "prefecture": gettext_lazy("都道府県"), "municipality": gettext_lazy("市区町村"),
    "street": gettext_lazy("町名・番地"), "building": gettext_lazy("建物名・部屋番号"),
}


def data_item_label(name):
    return DATA_ITEM_LABELS.get(name) or User._meta.get_field(name).verbose_name


def data_item_labels(incident):
    """The affected data items in words."""
    return [data_item_label(name) for name in incident.data_items if name in PERSONAL_FIELDS]


LIST_SEPARATOR = gettext_lazy("、")  # between the items of a list, in the reader's language


def joined_lazy(items):
    """``items`` joined by the list separator, translated when shown (in a mail: the recipient's language)."""
    parts = []
    for item in items:
        parts += [LIST_SEPARATOR, item] if parts else [item]
    return format_lazy("{}" * len(parts), *parts)


def _notice_context(incident, member):
    return {"incident": incident, "member": member, "items": joined_lazy(data_item_labels(incident)),
            "discovered": timezone.localtime(incident.discovered_at).strftime("%Y-%m-%d")}


def reachable(member):
    """Whether a notice can reach ``member``: an address, and not withdrawn."""
    return bool(member.email) and member.withdrawn_at is None


def notify_affected(incident, actor):
    """
    Mail the notice to every affected member who can be reached and has not had it; each member
    gets it once (a unique row per incident and member). Returns (notified, unreachable).
    """
    notified, unreachable = 0, 0
    already = set(incident.notifications.values_list("member_id", flat=True))
    for member in incident.affected_members.exclude(pk__in=already).order_by("pk"):
        if not reachable(member):
            unreachable += 1
            continue
        try:
            with transaction.atomic():
                IncidentNotification.objects.create(incident=incident, member=member, sent_by=actor)
                send_templated_mail(member, "compliance/email/incident_notice", _notice_context(incident, member))
        except IntegrityError:  # another request notified them a moment ago
            continue
        notified += 1
    if notified or unreachable:
        add_event(incident, actor, _("本人への通知: %(notified)d 人に送信、連絡できない本人 %(unreachable)d 人。")
                  % {"notified": notified, "unreachable": unreachable})
        record(actor, IncidentAction.NOTIFY, incident=incident.pk, notified=notified, unreachable=unreachable)
    return notified, unreachable


@transaction.atomic
def update_incident(incident, actor, form):
    """Save the admin's edit of an incident (a valid ``IncidentForm``) with a timeline line."""
    changed = list(form.changed_data)
    incident = form.save(commit=False)
    incident.data_items = clean_data_items(incident.data_items)
    incident.save()
    if changed:
        add_event(incident, actor, _("更新: %(fields)s") % {
            "fields": "、".join(str(form.fields[name].label) for name in changed)})
        record(actor, IncidentAction.UPDATE, incident=incident.pk, fields_changed=changed)
    return incident
