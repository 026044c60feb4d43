"""
Every rule of the mail magazine that changes state, once: subscribing with double opt-in,
confirming, unsubscribing, a member's own choices, staff suspending an address, bounces and
complaints, and sending (mailings, their recipients, the worker's run). Views, the API, the admin,
the commands and the jobs call these; audit entries and consent records are written here.
"""

import logging
import uuid

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from members import audit, ratelimit
from members.crypto import normalize_email
from members.mail import send_templated_mail

from . import rendering, selectors, sending, tokens
from .audit import NewsletterAction
from .models import Bounce, ConsentRecord, Delivery, Mailing, Status, Subscriber

logger = logging.getLogger(__name__)

LANGUAGE_CODES = [code for code, _name in settings.LANGUAGES]
# Throwaway-mail services: an address there cannot give lasting consent (NEWSLETTER_BLOCKED_DOMAINS adds more).
DISPOSABLE_DOMAINS = {
    "mailinator.com", "guerrillamail.com", "guerrillamail.net", "sharklasers.com", "grr.la", "10minutemail.com",
    "10minutemail.net", "tempmail.com", "temp-mail.org", "tempmailo.com", "yopmail.com", "yopmail.fr",
    "trashmail.com", "getnada.com", "dispostable.com", "maildrop.cc", "throwawaymail.com", "fakeinbox.com",
    "mailnesia.com", "mintemail.com", "mohmal.com", "emailondeck.com", "tempail.com", "discard.email",
    "spamgourmet.com", "mailcatch.com", "moakt.com", "tempr.email", "burnermail.io", "33mail.com",
}


class SubscriptionError(ValidationError):
    """Bad input, with a stable ``code`` for the API and the field it concerns."""

    def __init__(self, code, message, field=None, values=None):
        super().__init__(message, code=code)
        self.field, self.values = field, values or []


# --- the request: address and choices ---------------------------------------------------------

def clean_email(email):
    address = normalize_email(email)
    try:
        validate_email(address)
    except ValidationError as exc:
        raise SubscriptionError("invalid_email", _("メールアドレスの形式が正しくありません。"), "email") from exc
    domain = address.rpartition("@")[2]
    blocked = DISPOSABLE_DOMAINS | {d.lower() for d in settings.NEWSLETTER_BLOCKED_DOMAINS}
    if any(domain == d or domain.endswith("." + d) for d in blocked):
        raise SubscriptionError("disposable_email", _("使い捨てのメールアドレスでは申し込めません。ふだんお使いのアドレスを入力してください。"),
                                "email")
    return address


def clean_choices(districts=(), themes=(), language="ja", issues=True, digest=True):
    """The choices as stored: Japanese district and theme pages by slug; unknown slugs are an error."""
    found_districts, unknown = selectors.terms_by_slug("district", districts)
    if unknown:
        raise SubscriptionError("unknown_district", _("地域「%(slugs)s」は見つかりません。") % {"slugs": "、".join(unknown)},
                                "districts", unknown)
    found_themes, unknown = selectors.terms_by_slug("theme", themes)
    if unknown:
        raise SubscriptionError("unknown_theme", _("テーマ「%(slugs)s」は見つかりません。") % {"slugs": "、".join(unknown)},
                                "themes", unknown)
    if language not in LANGUAGE_CODES:
        raise SubscriptionError("unknown_language", _("言語「%(code)s」には対応していません。") % {"code": language},
                                "language")
    if not (issues or digest):
        raise SubscriptionError("nothing_chosen", _("受け取るもの（編集部の号・週刊ダイジェスト）を1つ以上選んでください。"),
                                "digest")
    return {"districts": [p.slug for p in found_districts], "themes": [p.slug for p in found_themes],
            "language": language, "issues": bool(issues), "digest": bool(digest)}


def client_address(request):
    """The client's address as the web server saw it (the proxy in front sets REMOTE_ADDR)."""
    return request.META.get("REMOTE_ADDR", "")


def allow_request(client_address):
    """
    Subscription requests from one client address: at most NEWSLETTER_RATE_ADDRESS (count/seconds),
    counted in the database (members.ratelimit: shared by every process, whatever the cache; the
    refusal's 429 gets its Retry-After from portal.middleware).
    """
    count, seconds = settings.NEWSLETTER_RATE_ADDRESS
    return ratelimit.hit("newsletter:address", client_address, count, seconds).allowed


def _record(subscriber, event, source, choices=None):
    ConsentRecord.objects.create(subscriber=subscriber, event=event, source=source, choices=choices or {},
                                 text_version=settings.NEWSLETTER_CONSENT_VERSION)


def _apply(subscriber, choices):
    districts, _unknown = selectors.terms_by_slug("district", choices.get("districts", []))
    themes, _unknown = selectors.terms_by_slug("theme", choices.get("themes", []))
    subscriber.language = choices.get("language", "ja")
    subscriber.issues, subscriber.digest = choices.get("issues", True), choices.get("digest", True)
    subscriber.save()
    subscriber.districts.set(districts)
    subscriber.themes.set(themes)


# --- double opt-in ----------------------------------------------------------------------------

def request_subscription(email, choices, source):
    """
    Someone asks for ``choices`` at ``email`` (already cleaned). A confirmation link is mailed;
    nothing applies until it is followed. The caller answers the same whatever happened here (no
    enumeration): an address suspended (bounces, complaints, staff) gets nothing, and an address
    mailed a moment ago (NEWSLETTER_RESEND_MINUTES) gets nothing more. Returns True when mailed.
    """
    with transaction.atomic():
        subscriber = selectors.subscriber_by_email(email)
        if subscriber is None:
            # A member's address is linked to the account, so the member's export and withdrawal find it.
            member = get_user_model().objects.by_email(email).filter(email_verified_at__isnull=False).first()
            subscriber = Subscriber(email=email, user=member, language=choices["language"], status=Status.PENDING)
            try:
                with transaction.atomic():
                    subscriber.save()
            except IntegrityError:  # the same address, a moment ago, from another request
                return False
        if subscriber.status == Status.SUSPENDED or _mailed_recently(subscriber):
            return False
        nonce = uuid.uuid4().hex[:16]
        subscriber.pending = {**choices, "nonce": nonce, "source": source}
        subscriber.confirmation_sent_at = timezone.now()
        subscriber.save(update_fields=["pending", "confirmation_sent_at", "updated_at"])
        _record(subscriber, ConsentRecord.Event.REQUESTED, source, choices)
    try:
        send_confirmation(subscriber, nonce, choices)
    except Exception:
        # Not sent (the mail server is down): the next request may try again at once.
        Subscriber.objects.filter(pk=subscriber.pk).update(confirmation_sent_at=None)
        raise
    return True


def _mailed_recently(subscriber):
    if not subscriber.confirmation_sent_at:
        return False
    return timezone.now() - subscriber.confirmation_sent_at < timezone.timedelta(
        minutes=settings.NEWSLETTER_RESEND_MINUTES)


def send_confirmation(subscriber, nonce, choices):
    language = choices["language"]
    token = tokens.make_confirm_token(subscriber, nonce)
    districts, _unknown = selectors.terms_by_slug("district", choices["districts"])
    themes, _unknown = selectors.terms_by_slug("theme", choices["themes"])
    context = {"link": rendering.localized_url("newsletter:confirm", language, token),
               "hours": settings.NEWSLETTER_CONFIRM_HOURS, "change": subscriber.status == Status.ACTIVE,
               "districts": [p.title for p in districts], "themes": [p.title for p in themes],
               "issues": choices["issues"], "digest": choices["digest"], **rendering.footer_context(language)}
    send_templated_mail(subscriber.email, "newsletter/email/confirm", context, language=language)


@transaction.atomic
def confirm(token):
    """
    Follow a confirmation link (a POST from the page it opens): the choices it was sent for apply
    and the address receives mail from now on. A link followed twice answers the same.
    Raises ``tokens.TokenError`` for an altered, expired or superseded link.
    """
    subscriber_id, nonce = tokens.read_confirm_token(token)
    subscriber = Subscriber.objects.select_for_update().filter(pk=subscriber_id).first()
    if subscriber is None or subscriber.status == Status.SUSPENDED:
        raise tokens.TokenError("invalid_token")
    pending = subscriber.pending or {}
    if pending.get("nonce") != nonce:
        if subscriber.status == Status.ACTIVE and nonce == pending.get("confirmed_nonce"):
            return subscriber
        raise tokens.TokenError("invalid_token")
    choices = {key: pending[key] for key in ("districts", "themes", "language", "issues", "digest")}
    event = ConsentRecord.Event.CHANGED if subscriber.status == Status.ACTIVE else ConsentRecord.Event.CONFIRMED
    subscriber.status, subscriber.confirmed_at, subscriber.unsubscribed_at = Status.ACTIVE, timezone.now(), None
    subscriber.pending = {"confirmed_nonce": nonce}
    _apply(subscriber, choices)
    _record(subscriber, event, pending.get("source", ConsentRecord.Source.WEB), {**choices, "via": "link"})
    return subscriber


# --- leaving ------------------------------------------------------------------------------------

@transaction.atomic
def unsubscribe(token, source=ConsentRecord.Source.LINK):
    """
    Stop all mail to the address a link names, at once (the sending worker checks the state before
    each message). Idempotent: a second request changes nothing and answers the same. The delivery
    the link came with is marked, for the mailing's figures. A signed link to an address erased since
    answers the same (nothing is sent there). Raises ``tokens.TokenError`` for an altered link.
    """
    subscriber_id, delivery_id = tokens.read_unsubscribe_token(token)
    subscriber = Subscriber.objects.select_for_update().filter(pk=subscriber_id).first()
    if subscriber is None:  # erased since (withdrawal, an unconfirmed request purged): nothing is sent there
        return None
    if subscriber.status in (Status.ACTIVE, Status.PENDING):
        subscriber.status, subscriber.unsubscribed_at, subscriber.pending = Status.UNSUBSCRIBED, timezone.now(), {}
        subscriber.save(update_fields=["status", "unsubscribed_at", "pending", "updated_at"])
        _record(subscriber, ConsentRecord.Event.UNSUBSCRIBED, source)
        if delivery_id:
            Delivery.objects.filter(pk=delivery_id, subscriber=subscriber, unsubscribed_at__isnull=True).update(
                unsubscribed_at=timezone.now())
    return subscriber


# --- members: their own choices, from the profile and the API -------------------------------------

def member_subscription(user):
    """(subscribed, choices) of a signed-in member, for the profile and ``GET /newsletter/me``."""
    subscriber = selectors.subscriber_of_member(user)
    if subscriber is None or subscriber.status != Status.ACTIVE:
        return False, {"districts": [], "themes": [], "language": "ja", "issues": True, "digest": True}
    return True, selectors.choices_of(subscriber)


@transaction.atomic
def set_member_subscription(user, subscribed, choices, source=ConsentRecord.Source.PROFILE):
    """
    A signed-in member subscribes, changes their choices or stops, at their account's address. The
    address is theirs (they log in with it), so no confirmation mail is needed. An address staff
    suspended, or that bounced, stays suspended: a ``ValidationError`` says so.
    """
    subscriber = selectors.subscriber_of_member(user)
    if subscriber is not None and subscriber.status == Status.SUSPENDED:
        raise SubscriptionError("suspended", _("このアドレスへの配信は停止されています。運営者にお問い合わせください。"))
    if not subscribed:
        if subscriber is not None and subscriber.status in (Status.ACTIVE, Status.PENDING):
            subscriber.status, subscriber.unsubscribed_at, subscriber.pending = Status.UNSUBSCRIBED, timezone.now(), {}
            subscriber.save(update_fields=["status", "unsubscribed_at", "pending", "updated_at"])
            _record(subscriber, ConsentRecord.Event.UNSUBSCRIBED, source)
        return subscriber
    subscriber = subscriber or Subscriber(email=user.email)
    event = ConsentRecord.Event.CHANGED if subscriber.status == Status.ACTIVE else ConsentRecord.Event.CONFIRMED
    subscriber.user, subscriber.email, subscriber.pending = user, user.email, {}
    subscriber.status, subscriber.unsubscribed_at = Status.ACTIVE, None
    subscriber.confirmed_at = subscriber.confirmed_at or timezone.now()
    _apply(subscriber, choices)
    _record(subscriber, event, source, choices)
    return subscriber


# --- staff: suspending and reactivating an address ---------------------------------------------------

SUBSCRIBER_PERMISSION = "newsletter.change_subscriber"


def _check_staff(actor, reason):
    if not actor.has_perm(SUBSCRIBER_PERMISSION):
        raise ValidationError(_("この操作をする権限がありません。"))
    if not (reason or "").strip():
        raise ValidationError({"reason": _("理由を入力してください。")})


@transaction.atomic
def suspend(actor, subscriber, reason):
    _check_staff(actor, reason)
    if subscriber.status == Status.SUSPENDED:
        raise ValidationError(_("この配信先はすでに停止中です。"))
    _suspend(subscriber, reason.strip(), ConsentRecord.Source.STAFF)
    audit.record(actor, NewsletterAction.SUSPEND, subject=subscriber.user, reason=reason,
                 target=f"subscriber:{subscriber.pk}")


@transaction.atomic
def reactivate(actor, subscriber, reason):
    """Lift a suspension: the address receives mail again only if it had confirmed before."""
    _check_staff(actor, reason)
    if subscriber.status != Status.SUSPENDED:
        raise ValidationError(_("この配信先は停止されていません。"))
    subscriber.status = Status.ACTIVE if subscriber.confirmed_at else Status.PENDING
    subscriber.suspended_at, subscriber.suspended_reason = None, ""
    subscriber.save(update_fields=["status", "suspended_at", "suspended_reason", "updated_at"])
    _record(subscriber, ConsentRecord.Event.REACTIVATED, ConsentRecord.Source.STAFF)
    audit.record(actor, NewsletterAction.REACTIVATE, subject=subscriber.user, reason=reason,
                 target=f"subscriber:{subscriber.pk}")


def _suspend(subscriber, reason, source):
    subscriber.status, subscriber.suspended_at, subscriber.suspended_reason = Status.SUSPENDED, timezone.now(), reason
    subscriber.pending = {}
    subscriber.save(update_fields=["status", "suspended_at", "suspended_reason", "pending", "updated_at"])
    _record(subscriber, ConsentRecord.Event.SUSPENDED, source, {"reason": reason})


# --- bounces and complaints ---------------------------------------------------------------------

@transaction.atomic
def register_report(subscriber, delivery, kind, report_key, status="", diagnostic=""):
    """
    One bounce or complaint about ``subscriber`` (once per report: ``report_key``). A complaint
    stops mail to the address at once; NEWSLETTER_HARD_BOUNCE_LIMIT hard bounces suspend it.
    Returns False when the report was already processed.
    """
    try:
        with transaction.atomic():
            Bounce.objects.create(subscriber=subscriber, delivery=delivery, kind=kind, report_key=report_key,
                                  status=status[:20], diagnostic=diagnostic[:300])
    except IntegrityError:
        return False
    if delivery is not None:
        field = "complained_at" if kind == Bounce.Kind.COMPLAINT else "bounced_at"
        if kind != Bounce.Kind.SOFT:
            Delivery.objects.filter(pk=delivery.pk, **{f"{field}__isnull": True}).update(**{field: timezone.now()})
    if subscriber.status == Status.SUSPENDED:
        return True
    if kind == Bounce.Kind.COMPLAINT:
        _suspend(subscriber, _("苦情（迷惑メール報告）"), ConsentRecord.Source.COMPLAINT)
    elif kind == Bounce.Kind.HARD and subscriber.bounces.filter(kind=Bounce.Kind.HARD).count() >= \
            settings.NEWSLETTER_HARD_BOUNCE_LIMIT:
        _suspend(subscriber, _("不達が続いたため"), ConsentRecord.Source.BOUNCE)
    return True


# --- sending ------------------------------------------------------------------------------------------

def issue_mailing(issue, actor=None, via="schedule"):
    """The one mailing of an approved issue (created once; asking again gives the same one)."""
    if not issue.live:
        raise ValidationError(_("承認（公開）されていない号は送信できません。"))
    mailing, created = Mailing.objects.get_or_create(
        key=f"issue:{issue.pk}", defaults={"kind": Mailing.Kind.ISSUE, "issue": issue, "title": issue.title,
                                           "revision_id": issue.live_revision_id})
    if created:
        audit.record(actor, NewsletterAction.SEND_ISSUE, reason="", target=f"issue:{issue.pk}", title=issue.title,
                     via=via)
    return mailing


def digest_mailing(now=None, extra=False):
    """
    This week's digest (once per ISO week: asking again gives the same mailing), or with ``extra``
    a digest of its own right now. Either covers the seven days before it was created.
    """
    now = now or timezone.now()
    local = timezone.localtime(now)
    year, week, _day = local.isocalendar()
    key = f"digest:{local:%Y%m%dT%H%M%S%f}" if extra else f"digest:{year}-W{week:02d}"
    title = _("週刊ダイジェスト %(start)s〜%(end)s") % {
        "start": f"{timezone.localtime(now - timezone.timedelta(days=7)):%Y-%m-%d}", "end": f"{local:%Y-%m-%d}"}
    mailing, _created = Mailing.objects.get_or_create(key=key, defaults={
        "kind": Mailing.Kind.DIGEST, "title": title, "period_start": now - timezone.timedelta(days=7),
        "period_end": now})
    return mailing


CHUNK = 5000


def prepare(mailing, composer):
    """
    One pending ``Delivery`` per recipient (idempotent: the unique constraint keeps one row per
    subscriber, so a preparation cut short is simply done again). A digest gets rows only for
    subscribers with something new in their districts and themes.
    """
    recipients = selectors.issue_recipients(composer.issue) if mailing.kind == Mailing.Kind.ISSUE \
        else selectors.digest_recipients()
    after = 0
    while True:
        chunk = list(recipients.filter(pk__gt=after).order_by("pk").only("pk", "language")
                     .prefetch_related(*(("districts", "themes") if mailing.kind == Mailing.Kind.DIGEST else ()))
                     [:CHUNK])
        if not chunk:
            break
        if mailing.kind == Mailing.Kind.DIGEST:
            chunk_ids = [s.pk for s in chunk if composer.content(s) is not None]
        else:
            chunk_ids = [s.pk for s in chunk]
        Delivery.objects.bulk_create([Delivery(mailing=mailing, subscriber_id=pk) for pk in chunk_ids],
                                     ignore_conflicts=True, batch_size=1000)
        after = chunk[-1].pk
    Mailing.objects.filter(pk=mailing.pk).update(state=Mailing.State.SENDING, started_at=timezone.now())
    mailing.state = Mailing.State.SENDING


def run_mailing(mailing, report=None):
    """
    Send ``mailing`` to everyone still waiting for it: prepare the recipients if not yet done,
    deliver, and close it when nobody is left (rows waiting for a retry keep it open for the next
    run). Only one worker at a time; returns the counts by state, or None when another worker holds it.
    """
    owner = sending._owner()
    if not sending.take_lease(mailing.pk, owner):
        logger.info("newsletter: mailing %s is being sent by another worker", mailing.pk)
        return None
    try:
        mailing.refresh_from_db()
        composer = rendering.composer_for(mailing)
        if mailing.state == Mailing.State.PREPARING:
            prepare(mailing, composer)
        counts = sending.deliver(mailing, composer, owner, report)
        if not Delivery.objects.filter(mailing=mailing, state=Delivery.State.PENDING).exists():
            Mailing.objects.filter(pk=mailing.pk).update(state=Mailing.State.DONE, finished_at=timezone.now())
        return counts
    finally:
        sending.release_lease(mailing.pk, owner)


def send_due(now=None):
    """The scheduler's every-minute job: approved issues whose time has come, and any unfinished mailing."""
    for issue in selectors.due_issues(now):
        issue_mailing(issue)
    for mailing in selectors.unfinished_mailings():
        try:
            run_mailing(mailing)
        except Exception:  # one broken mailing (say, the SMTP server is down) does not stop the others
            logger.exception("newsletter: mailing %s stopped; it is resumed on the next run", mailing.pk)


def send_test(actor, issue, address=None):
    """An issue's latest version, marked as a test, to the staff member's own address."""
    if not actor.has_perm("newsletter.change_issue"):
        raise ValidationError(_("この操作をする権限がありません。"))
    latest = issue.get_latest_revision_as_object()
    message = rendering.test_message(latest, address or actor.email, latest.language or "ja")
    message.send()
    audit.record(actor, NewsletterAction.TEST_SEND, target=f"issue:{issue.pk}", title=latest.title)
    return message


def purge_unconfirmed(now=None):
    """Requests never confirmed within NEWSLETTER_PENDING_DAYS: the address and the request go."""
    cutoff = (now or timezone.now()) - timezone.timedelta(days=settings.NEWSLETTER_PENDING_DAYS)
    stale = Subscriber.objects.filter(status=Status.PENDING, confirmed_at__isnull=True, created_at__lt=cutoff)
    return stale.delete()[0]

