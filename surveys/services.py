"""
Every rule of surveys and calls, once: the web pages, the API and the admin call these.

- ``answer_survey``: one answer per person (members: a database constraint; anonymous: one per
  device per day, by ``device_hash``), within the window and the 「N件で締め切る」 limit. A member's
  free-text answers go to the one screening pipeline (``moderation.services.receive``) as a
  ``Comment``; anonymous free text is never published (nobody answers for it), only counted and
  read by staff.
- ``apply``: an application to a call: first come (until the capacity, then the waiting list or
  ``full``), lottery or selection (received, decided later). ``cancel`` promotes the waiting list.
- ``draw_lottery``: ``random.Random(seed)`` over the applicants sorted by id: the seed and the
  SHA-256 of the list go to the audit trail, and ``lottery_winners`` re-runs it.
- ``delete_expired_answers`` / ``delete_expired_applications``: the scheduled deletions, recorded.

Errors are ``FormError`` with a stable code, a Japanese message and the HTTP status the API
answers with; nothing is stored when one is raised.
"""

import hashlib
import hmac
import json
import logging
import random
import secrets

from django.conf import settings
from django.core.cache import cache
from django.db import IntegrityError, transaction
from django.http import QueryDict
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from members.audit import record
from members.crypto import email_digest
from members.mail import send_templated_mail
from moderation.services import ContributionError, receive
from pages.terms import visible_districts

from .audit import SurveysAction
from .fieldtypes import FREE_TEXT, stored
from .forms import ApplicantForm
from .models import (
    Application,
    ApplicationState,
    Comment,
    DailySalt,
    LotteryDraw,
    RecruitmentPage,
    Response,
    SurveyPage,
)
from .selectors import form_status, selected_count

logger = logging.getLogger(__name__)

DISTRICT_FIELD = "district"
APPLICANT_FIELDS = ("name", "email", "phone", "address", "eligible")


class FormError(Exception):
    def __init__(self, status, code, message, errors=None):
        super().__init__(message)
        self.status, self.code, self.message, self.errors = status, code, message, errors


# --- who answers ---------------------------------------------------------------------------------

def daily_salt(today=None):
    """Today's secret salt: random, stored with its day; earlier days' salts are destroyed."""
    today = today or timezone.localdate()
    salt = DailySalt.objects.filter(day=today).values_list("salt", flat=True).first()
    if salt:
        return salt
    DailySalt.objects.filter(day__lt=today).delete()
    try:
        with transaction.atomic():
            return DailySalt.objects.create(day=today, salt=secrets.token_hex(32)).salt
    except IntegrityError:  # another request made it first
        return DailySalt.objects.get(day=today).salt


def device_hash(address, user_agent, today=None):
    """One device on one day: HMAC of address and browser with the day's salt. The address is not kept."""
    message = f"{address or ''}\n{user_agent or ''}".encode()
    return hmac.new(daily_salt(today).encode(), message, hashlib.sha256).hexdigest()


def _allow_address(address):
    """The portal's per-address limit on contributions (MODERATION_RATE_LIMITS), for anonymous answers."""
    limit, window = settings.MODERATION_RATE_LIMITS["address"]
    key = f"surveys:rate:{hashlib.sha256(str(address).encode()).hexdigest()}:{int(timezone.now().timestamp()) // window}"
    cache.add(key, 0, timeout=window)
    try:
        return cache.incr(key) <= limit
    except ValueError:
        cache.set(key, 1, timeout=window)
        return True


# --- answers -------------------------------------------------------------------------------------

def _as_querydict(answers):
    data = QueryDict(mutable=True)
    for name, value in answers.items():
        if isinstance(value, list | tuple):
            data.setlist(name, [str(v) for v in value])
        elif isinstance(value, bool):
            if value:
                data[name] = "on"
        elif value is not None:
            data[name] = str(value)
    return data


def district_choices(page):
    return {district.slug: district for district in visible_districts(page.locale)} if getattr(
        page, "ask_district", False) else {}


def expected_names(page, member=None):
    names = [field.clean_name for field in page.get_form_fields()]
    if district_choices(page):
        names.append(DISTRICT_FIELD)
    if isinstance(page, RecruitmentPage):
        names += list(ApplicantForm(page=page, member=member).fields)
    return names


def _unknown(page, answers, member):
    known = set(expected_names(page, member))
    return [{"loc": ["body", "answers", name], "msg": _("この質問はありません。"), "type": "unknown_field"}
            for name in answers if name not in known]


def _form_errors(*forms):
    return [{"loc": ["body", "answers", name], "msg": str(message), "type": "invalid"}
            for form in forms for name, messages in form.errors.items() for message in messages]


def clean_answers(page, answers, member=None):
    """
    The answers checked against the page's questions (and a call's applicant items): a dict of
    stored values, or ``FormError`` 422 ``validation_error`` with one message per field.
    """
    if not isinstance(answers, dict):
        raise FormError(422, "validation_error", _("入力内容に誤りがあります。"),
                        [{"loc": ["body", "answers"], "msg": _("回答は {名前: 値} の形で送ってください。"), "type": "invalid"}])
    errors = _unknown(page, answers, member)
    data = _as_querydict(answers)
    form = page.get_form(data, page=page)
    forms = [form]
    applicant = None
    if isinstance(page, RecruitmentPage):
        applicant = ApplicantForm(data, page=page, member=member)
        forms.append(applicant)
    valid = all([f.is_valid() for f in forms])
    cleaned = {name: stored(value) for name, value in form.cleaned_data.items()} if valid else {}
    districts = district_choices(page)
    if districts:
        value = answers.get(DISTRICT_FIELD)
        if value not in (None, "") and value not in districts:
            errors.append({"loc": ["body", "answers", DISTRICT_FIELD], "msg": _("選択肢にない地域です。"),
                           "type": "invalid_choice"})
        cleaned[DISTRICT_FIELD] = districts.get(value)
    errors += _form_errors(*forms)
    if errors:
        raise FormError(422, "validation_error", _("入力内容に誤りがあります。"), errors)
    if applicant is not None:
        cleaned["_applicant"] = applicant.cleaned_data
    return cleaned


def _check_open(page, member):
    status = form_status(page)
    if status == "upcoming":
        raise FormError(409, "not_open", _("まだ受付を始めていません。"))
    if status == "closed":
        raise FormError(410, "closed", _("受付は終了しました。"))
    if page.members_only and member is None:
        raise FormError(401, "authentication_required", _("会員の方のみ回答できます。ログインしてください。"))
    return status


def _member(user):
    return user if user is not None and user.is_authenticated else None


def _free_text(page, cleaned):
    fields = {field.clean_name: field.label for field in page.get_form_fields() if field.field_type in FREE_TEXT}
    return "\n\n".join(f"【{fields[name]}】\n{cleaned[name]}" for name in fields if cleaned.get(name))


def _screen_comment(response, text, address):
    """A member's free text to the one screening pipeline; if it cannot run, held for a moderator."""
    comment = Comment(response=response, page=response.page, author=response.member, body=text)
    try:
        with transaction.atomic():
            receive(comment, address=address)
    except ContributionError as error:
        if error.item is None:  # nothing stored (rate limit, sanction, unverified address): hold it
            comment = Comment(response=response, page=response.page, author=response.member, body=text,
                              status="held", queued_at=timezone.now(),
                              screening=[{"code": error.code, "message": error.message}])
            comment.save()
    return comment


def check_before_answer(page, user=None, address="", user_agent=""):
    """The window, the audience and the one-answer rule, before anything is read of the answers."""
    member = _member(user)
    _check_open(page, member)
    device = "" if member else device_hash(address, user_agent)
    already = Response.objects.filter(page=page, **({"member": member} if member else {"device_hash": device}))
    if already.exists():
        raise FormError(409, "already_answered", _("このアンケートにはすでに回答しています。"))
    return member, device


def answer_survey(page, answers, user=None, address="", user_agent=""):
    """Store one answer to ``page``; returns the ``Response``. ``FormError`` and nothing stored otherwise."""
    member, device = check_before_answer(page, user, address, user_agent)
    cleaned = clean_answers(page, answers)
    if member is None and not _allow_address(address):
        raise FormError(429, "rate_limited", _("短い時間に続けて送信されています。しばらく待ってからお試しください。"))
    district = cleaned.pop(DISTRICT_FIELD, None)
    try:
        with transaction.atomic():
            locked = SurveyPage.objects.select_for_update().get(pk=page.pk)
            if locked.max_responses and locked.responses.count() >= locked.max_responses:
                raise FormError(410, "closed", _("予定の回答数に達したため、受付は終了しました。"))
            response = Response.objects.create(page=page, member=member, device_hash=device, district=district,
                                               answers=cleaned)
            text = _free_text(page, cleaned)
            if member is not None and text:
                _screen_comment(response, text, address)
    except IntegrityError as error:
        raise FormError(409, "already_answered", _("このアンケートにはすでに回答しています。")) from error
    return response


# --- applications --------------------------------------------------------------------------------

def _notify(application, template="application_state"):
    recipient = application.member.email if application.member_id else application.email
    if not recipient:
        return
    try:
        send_templated_mail(recipient, f"surveys/email/{template}", {"application": application,
                                                                     "page": application.page})
    except Exception:  # the state is stored; a mail failure must not undo it
        logger.exception("Could not mail application %s about its state", application.pk)


def _first_state(page, locked_page):
    if page.mode != RecruitmentPage.Mode.FIRST_COME:
        return ApplicationState.RECEIVED
    if selected_count(locked_page) < page.capacity:
        return ApplicationState.SELECTED
    if page.waiting_list:
        return ApplicationState.WAITING
    raise FormError(409, "full", _("定員に達したため、受付は終了しました。"))


def _next_position(page):
    last = page.applications.filter(state=ApplicationState.WAITING).order_by("-waiting_position").first()
    return (last.waiting_position or 0) + 1 if last else 1


def check_before_apply(page, user=None):
    """The window, the audience, one application per member, and a full first-come call without a waiting list."""
    member = _member(user)
    status = _check_open(page, member)
    if member is not None and page.applications.filter(member=member).exclude(
            state=ApplicationState.CANCELLED).exists():
        raise FormError(409, "already_answered", _("この募集にはすでに応募しています。"))
    if status == "full" and not page.waiting_list:
        raise FormError(409, "full", _("定員に達したため、受付は終了しました。"))
    return member


STATE_MESSAGES = {
    ApplicationState.RECEIVED: gettext_lazy("応募を受け付けました。結果はメールと「応募の状況」でお知らせします。"),
    ApplicationState.SELECTED: gettext_lazy("応募を受け付けました。参加が決まりました（当選・採用）。"),
    ApplicationState.WAITING: gettext_lazy("定員に達しているため、補欠（キャンセル待ち）として受け付けました。順番が来たらお知らせします。"),
}


def state_message(application):
    return str(STATE_MESSAGES.get(application.state) or _("応募を受け付けました。"))


def apply(page, answers, user=None, address=""):
    """An application to ``page``; returns it (``state`` says 当選・採用, 補欠 or 受付)."""
    member = check_before_apply(page, user)
    cleaned = clean_answers(page, answers, member)
    if member is None and address and not _allow_address(address):
        raise FormError(429, "rate_limited", _("短い時間に続けて送信されています。しばらく待ってからお試しください。"))
    applicant = cleaned.pop("_applicant")
    address_hash = email_digest(applicant["email"]) if member is None else ""
    if address_hash and page.applications.filter(email_hash=address_hash).exclude(
            state=ApplicationState.CANCELLED).exists():
        raise FormError(409, "already_answered", _("このメールアドレスで、すでにこの募集に応募しています。"))
    try:
        with transaction.atomic():
            locked = RecruitmentPage.objects.select_for_update().get(pk=page.pk)
            state = _first_state(page, locked)
            application = Application.objects.create(
                page=page, member=member, state=state, answers=json.dumps(cleaned, ensure_ascii=False),
                email_hash=address_hash,
                waiting_position=_next_position(page) if state == ApplicationState.WAITING else None,
                **{name: applicant.get(name, "") for name in ("name", "email", "phone", "address")})
    except IntegrityError as error:
        raise FormError(409, "already_answered", _("この募集にはすでに応募しています。")) from error
    _notify(application, "application_received")
    return application


def _promote(page):
    """The first on the waiting list takes a freed place (first come, or after a lottery)."""
    if selected_count(page) >= page.capacity:
        return None
    nxt = page.applications.filter(state=ApplicationState.WAITING).order_by("waiting_position", "pk").first()
    if nxt is None:
        return None
    nxt.state, nxt.waiting_position = ApplicationState.SELECTED, None
    nxt.save(update_fields=["state", "waiting_position", "updated_at"])
    return nxt


def cancel(application, user):
    """The applicant cancels (取消); a freed place goes to the waiting list. Returns the promoted one, if any."""
    if application.member_id is None or application.member_id != user.pk:
        raise FormError(403, "permission_denied", _("この応募は取り消せません。"))
    if application.state in (ApplicationState.CANCELLED, ApplicationState.REJECTED):
        raise FormError(409, "already_decided", _("この応募はすでに取り消されているか、結果が出ています。"))
    with transaction.atomic():
        RecruitmentPage.objects.select_for_update().get(pk=application.page_id)
        was_selected = application.state == ApplicationState.SELECTED
        application.state, application.waiting_position = ApplicationState.CANCELLED, None
        application.save(update_fields=["state", "waiting_position", "updated_at"])
        promoted = _promote(application.page) if was_selected else None
    _notify(application)
    if promoted is not None:
        _notify(promoted)
    return promoted


def decide(application, state, staff):
    """Staff decide one application of a selection (or move it by hand); audited and mailed."""
    if not staff.has_perm("surveys.decide_application"):
        raise FormError(403, "permission_denied", _("応募の結果を決める権限がありません。"))
    if state not in ApplicationState.values or state == ApplicationState.CANCELLED:
        raise FormError(422, "validation_error", _("その状態にはできません。"))
    before = application.state
    with transaction.atomic():
        application.state = state
        application.waiting_position = _next_position(application.page) if state == ApplicationState.WAITING else None
        application.save(update_fields=["state", "waiting_position", "updated_at"])
        record(staff, SurveysAction.DECIDE, subject=application.member, target=f"application:{application.pk}",
               page=application.page_id, before=before, after=state)
    _notify(application)
    return application


# --- the lottery ---------------------------------------------------------------------------------

def applicants_digest(ids):
    return hashlib.sha256(",".join(str(i) for i in ids).encode()).hexdigest()


def lottery_winners(ids, seed, capacity):
    """Winners then the waiting order: ``random.Random(seed)`` shuffles the ids sorted ascending."""
    order = sorted(ids)
    random.Random(seed).shuffle(order)
    return order[:capacity], order[capacity:]


def draw_lottery(page, staff, seed=None):
    """Draw the lottery of a closed call once; the seed and the list's hash go to the audit trail."""
    if not staff.has_perm("surveys.decide_application"):
        raise FormError(403, "permission_denied", _("抽選を行う権限がありません。"))
    if page.mode != RecruitmentPage.Mode.LOTTERY:
        raise FormError(409, "not_lottery", _("この募集は抽選ではありません。"))
    if form_status(page) != "closed":
        raise FormError(409, "still_open", _("抽選は締切の後に行います。"))
    if page.draws.exists():
        raise FormError(409, "already_drawn", _("この募集の抽選はすでに行いました。"))
    seed = seed or secrets.token_hex(16)
    with transaction.atomic():
        ids = sorted(page.applications.filter(state=ApplicationState.RECEIVED).values_list("pk", flat=True))
        winners, rest = lottery_winners(ids, seed, page.capacity)
        waiting = rest if page.waiting_list else []
        draw = LotteryDraw.objects.create(page=page, seed=seed, applicants_sha256=applicants_digest(ids),
                                          applicant_ids=ids, winner_ids=winners, waiting_ids=waiting, drawn_by=staff)
        page.applications.filter(pk__in=winners).update(state=ApplicationState.SELECTED, updated_at=timezone.now())
        for position, pk in enumerate(waiting, start=1):
            page.applications.filter(pk=pk).update(state=ApplicationState.WAITING, waiting_position=position,
                                                   updated_at=timezone.now())
        page.applications.filter(pk__in=rest[len(waiting):] if waiting else rest).update(
            state=ApplicationState.REJECTED, updated_at=timezone.now())
        record(staff, SurveysAction.LOTTERY, target=f"recruitment:{page.pk}", seed=seed,
               applicants_sha256=draw.applicants_sha256, applicants=len(ids), winners=winners)
    for application in page.applications.filter(pk__in=ids):
        _notify(application)
    return draw


# --- deletion ------------------------------------------------------------------------------------

def delete_expired_answers(today=None):
    """Surveys past their 回答の削除日 lose their answers; each deletion is recorded. Returns the count."""
    today = today or timezone.localdate()
    deleted = 0
    for page in SurveyPage.objects.filter(answers_delete_on__lte=today, responses__isnull=False).distinct():
        count = page.responses.count()
        page.responses.all().delete()
        deleted += count
        record(None, SurveysAction.DELETE_ANSWERS, target=f"survey:{page.pk}", title=page.title, rows=count)
    DailySalt.objects.filter(day__lt=today).delete()
    return deleted


def delete_expired_applications(now=None):
    """Calls closed more than ``retention_days`` ago lose their applicants' data; recorded. Returns the count."""
    now = now or timezone.now()
    deleted = 0
    for page in RecruitmentPage.objects.filter(closes_at__lt=now, applications__isnull=False).distinct():
        if page.closes_at + timezone.timedelta(days=page.retention_days) > now:
            continue
        count = page.applications.count()
        page.applications.all().delete()
        deleted += count
        record(None, SurveysAction.DELETE_APPLICATIONS, target=f"recruitment:{page.pk}", title=page.title,
               rows=count)
    return deleted


