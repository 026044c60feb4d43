"""
Reads of the members app. The account states live here, once: the admin's list and filter, the
log-in backend, posting, mail and the retention job all ask these.

A member who registered on the site logs in only once the e-mail is verified; accounts created
by staff have no verification step. A withdrawn member keeps no personal data and never logs in.
"""

from django.db.models import Q

from .models import User


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


def can_log_in(member):
    return account_state(member) == AccountState.ACTIVE


def password_resettable(queryset):
    """Who may be sent a password-reset link: active accounts, verified or not (the link proves the address)."""
    return queryset.filter(STATE_QUERIES[AccountState.ACTIVE] | STATE_QUERIES[AccountState.UNVERIFIED])


def can_contribute(member):
    """Posting and submitting: an active account whose address is verified (staff need no verification)."""
    return (getattr(member, "is_authenticated", False) and can_log_in(member)
            and (member.email_verified_at is not None or member.is_staff))


def can_receive_mail(member):
    """Mail about their account and contributions: anyone not withdrawn who has an address."""
    return member.withdrawn_at is None and bool(member.email)


def stale_registrations(older_than):
    """Registrations on the site never verified, made before ``older_than``."""
    return User.objects.filter(self_registered=True, email_verified_at=None, date_joined__lt=older_than)
