"""Signed, expiring links for e-mail verification (no token is stored)."""

from django.conf import settings
from django.core import signing

SALT = "members.verify-email"


def make_verification_token(user, address_hash=None):
    """
    A link for the address whose keyed hash is ``address_hash`` (default: the account's own).
    The hash prefix ties the link to that address: a later change of address voids it.
    """
    return signing.dumps({"u": user.pk, "e": (address_hash or user.email_hash)[:16]}, salt=SALT, compress=True)


def read_verification_token(token):
    """(user id, hash prefix) or None when the link is forged, damaged or expired."""
    try:
        data = signing.loads(token, salt=SALT, max_age=settings.MEMBER_VERIFICATION_MAX_AGE)
    except signing.BadSignature:
        return None
    return data.get("u"), data.get("e")
