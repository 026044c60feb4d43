"""
Functions that change members' state or reveal their data. Views, API endpoints and admin
actions call these; each writes its audit entry here, once.
"""

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation

from . import personal_data
from .audit import MemberAction, record
from .crypto import email_digest
from .mail import send_rendered_mail, send_templated_mail
from .models import PERSONAL_FIELDS, Consent, User
from .tokens import make_verification_token, read_verification_token

PERSONAL_DATA_PERMISSION = "members.view_personal_data"


def reveal_personal_data(actor, member, reason, fields=PERSONAL_FIELDS):
    """A member's personal data for a staff member with the permission and a stated reason."""
    if not actor.has_perm(PERSONAL_DATA_PERMISSION):
        raise PermissionDenied("個人情報を閲覧する権限がありません。")
    reason = (reason or "").strip()
    if len(reason) < 5:
        raise ValidationError({"reason": "閲覧する理由を5文字以上で入力してください。"})
    unknown = set(fields) - set(PERSONAL_FIELDS)
    if unknown:
        raise ValidationError({"fields": f"不明な項目です: {', '.join(sorted(unknown))}"})
    record(actor, MemberAction.REVEAL, member, reason, fields)
    return {name: getattr(member, name) for name in fields}


ACTION_PERMISSIONS = {"suspend": "members.change_user", "reactivate": "members.change_user",
                      "delete": "members.delete_user"}


def action_refusal(actor, member, action):
    """Why ``actor`` may not take ``action`` on ``member`` (Japanese), or None when they may."""
    if not actor.has_perm(ACTION_PERMISSIONS[action]):
        return "この操作をする権限がありません。"
    if action in ("suspend", "delete"):
        if member.pk == actor.pk:
            return "自分自身のアカウントは利用停止・削除できません。"
        if member.is_superuser:
            return "スーパーユーザーのアカウントは利用停止・削除できません。"
    if action == "suspend" and not member.is_active:
        return "この会員はすでに利用停止中です。"
    if action == "reactivate":
        if member.withdrawn_at is not None:
            return "退会した会員は利用再開できません。"
        if member.is_active:
            return "この会員は利用停止されていません。"
    return None


def _check_action(actor, member, action, reason):
    refusal = action_refusal(actor, member, action)
    if refusal:
        raise ValidationError(refusal)
    if not (reason or "").strip():
        raise ValidationError({"reason": "理由を入力してください。"})


@transaction.atomic
def _set_active(actor, member, reason, active):
    _check_action(actor, member, "reactivate" if active else "suspend", reason)
    member.is_active = active
    member.save(update_fields=["is_active"])
    record(actor, MemberAction.REACTIVATE if active else MemberAction.SUSPEND, member, reason)


def suspend_member(actor, member, reason):
    _set_active(actor, member, reason, active=False)


def reactivate_member(actor, member, reason):
    _set_active(actor, member, reason, active=True)


@transaction.atomic
def delete_member(actor, member, reason):
    _check_action(actor, member, "delete", reason)
    record(actor, MemberAction.DELETE, member, reason, subject_id=member.pk)
    member.delete()




# --- residents: registration, verification, self-service ------------------------------------

def site_base_url(request):
    """The address links in members' e-mails start with: scheme and host of this request."""
    return request.build_absolute_uri("/").rstrip("/")


def send_member_mail(user_or_email, template, context):
    """An e-mail of the members app's own (templates/members/email/<template>_{subject,body}.txt)."""
    send_templated_mail(user_or_email, f"members/email/{template}", context)


@transaction.atomic
def register_member(data, password, base_url):
    """
    Create a resident account that logs in once the e-mail is verified, record the consents,
    and send the verification link. An address already registered gets a notice by e-mail
    instead, and the caller answers the same either way (no account enumeration). Both paths do
    the same slow work — hash the password, queue one mail — so the time taken tells nothing either.
    Returns the new user, or None when the address was taken.
    """
    existing = User.objects.by_email(data["email"]).first()
    if existing is not None:
        make_password(password)  # as long as creating the account takes; the hash is thrown away
        send_member_mail(data["email"], "already_registered", {"login_url": base_url + reverse("members:login")})
        return None
    fields = {name: data.get(name) for name in PERSONAL_FIELDS if name != "email"}
    user = User.objects.create_user(email=data["email"], password=password, nickname=data["nickname"],
                                    self_registered=True, language=translation.get_language() or settings.LANGUAGE_CODE,
                                    **{k: v for k, v in fields.items() if v is not None})
    Consent.objects.bulk_create([
        Consent(user=user, document=Consent.Document.TERMS, version=settings.TERMS_VERSION),
        Consent(user=user, document=Consent.Document.PRIVACY, version=settings.PRIVACY_POLICY_VERSION),
    ])
    send_verification(user, base_url)
    return user


def send_verification(user, base_url):
    link = base_url + reverse("members:verify", args=(make_verification_token(user),))
    send_member_mail(user, "verify", {"user": user, "link": link, "hours": 48})


def verify_email(token):
    """
    Follow a verification link: a new registration's address, or a changed address (which then
    replaces the old one). Returns the user, or None for a bad or expired link.
    """
    found = read_verification_token(token)
    if not found:
        return None
    user_id, hash_prefix = found
    user = User.objects.filter(pk=user_id, withdrawn_at=None).first()
    if user is None or not hash_prefix:
        return None
    if user.pending_email and email_digest(user.pending_email).startswith(hash_prefix):
        if User.objects.by_email(user.pending_email).exclude(pk=user.pk).exists():
            return None  # taken meanwhile
        user.email, user.pending_email = user.pending_email, ""
        user.email_verified_at = timezone.now()
        user.save()
        return user
    if not user.email_hash.startswith(hash_prefix):
        return None
    if user.email_verified_at is None:
        user.email_verified_at = timezone.now()
        user.save(update_fields=["email_verified_at"])
    return user


def request_email_change(user, new_email, base_url):
    """
    A member asks to change the address: the new one is kept aside (encrypted) until its owner
    follows the link sent there; the old one stays in use meanwhile. An address already
    registered gets a notice instead, and the caller answers the same either way.
    """
    if User.objects.by_email(new_email).exclude(pk=user.pk).exists():
        send_member_mail(new_email, "already_registered", {"login_url": base_url + reverse("members:login")})
        return
    user.pending_email = new_email
    user.save(update_fields=["pending_email"])
    link = base_url + reverse("members:verify", args=(make_verification_token(user, email_digest(new_email)),))
    send_member_mail(new_email, "verify", {"user": user, "link": link, "hours": 48})


def send_form_mail(subject_template, body_template, context, to_email):
    """A mail of one of Django's or Wagtail's forms (password reset), through the outbox like every other."""
    subject = "".join(render_to_string(subject_template, context).splitlines())
    body = render_to_string(body_template, context)
    send_rendered_mail([to_email], subject, body, template=body_template.removesuffix(".txt").removesuffix("_body"))


def send_password_reset_notice(email, base_url):
    """
    A password reset asked for an address with no account: tell its owner so (the page answers the
    same either way), which is also the same work as sending a reset link.
    """
    send_member_mail(email, "password_reset_unknown", {"register_url": base_url + reverse("members:register"),
                                                       "reset_url": base_url + reverse("members:password_reset")})


def export_member_data(user):
    """Everything the portal holds about a member (開示), as JSON-ready data."""
    data = {
        "account": {"id": user.pk, "nickname": user.nickname, "date_joined": user.date_joined.isoformat(),
                    "email_verified_at": user.email_verified_at.isoformat() if user.email_verified_at else None},
        "personal_data": {name: (value.isoformat() if hasattr(value, "isoformat") else value)
                          for name in PERSONAL_FIELDS for value in [getattr(user, name)]},
        "consents": [
            {"document": c.document, "version": c.version, "agreed_at": c.agreed_at.isoformat()}
            for c in Consent.objects.filter(user=user).order_by("agreed_at")
        ],
    }
    data.update(personal_data.export_sections(user))  # each app's part (members.personal_data)
    return data


def confirm_password(user, password):
    """The member's current password, asked before withdrawal and e-mail changes."""
    if not user.check_password(password or ""):
        raise ValidationError("パスワードが正しくありません。", code="wrong_password")


@transaction.atomic
def withdraw_member(user, keep_posts, password):
    """
    退会: personal data erased at once; the account can never log in again. Posts stay under
    「退会したユーザー」 (keep_posts) or are deleted, as the member chose. The member confirms
    with their password (``ValidationError`` with code ``wrong_password`` otherwise).
    """
    confirm_password(user, password)
    for name in PERSONAL_FIELDS:
        setattr(user, name, None if name == "date_of_birth" else "")
    user.pending_email = ""
    user.email = f"withdrawn-{user.pk}-{timezone.now().timestamp()}@invalid"  # keeps email_hash unique
    user.nickname = ""
    user.is_active = False
    user.withdrawn_at = timezone.now()
    user.set_unusable_password()
    user.save()
    user.consents.all().delete()
    personal_data.erase_everywhere(user, keep_posts)
    return user

