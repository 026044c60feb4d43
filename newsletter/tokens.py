"""
Signed links (nothing stored): the confirmation of a subscription or change (expires), the
unsubscribe link of every mail (never expires: RFC 8058 asks that it keep working), and the
Message-ID that ties a bounce back to its delivery.
"""

import re

from django.conf import settings
from django.core import signing
from django.utils.crypto import constant_time_compare, salted_hmac

CONFIRM_SALT = "newsletter.confirm"
UNSUBSCRIBE_SALT = "newsletter.unsubscribe"
MESSAGE_ID_SALT = "newsletter.message-id"


class TokenError(Exception):
    def __init__(self, code):
        super().__init__(code)
        self.code = code  # "invalid_token" or "token_expired"


def make_confirm_token(subscriber, nonce):
    return signing.dumps({"s": subscriber.pk, "n": nonce}, salt=CONFIRM_SALT)


def read_confirm_token(token):
    """(subscriber id, nonce); ``TokenError`` for an altered, damaged or expired link."""
    try:
        data = signing.loads(token or "", salt=CONFIRM_SALT, max_age=settings.NEWSLETTER_CONFIRM_HOURS * 3600)
    except signing.SignatureExpired as exc:
        raise TokenError("token_expired") from exc
    except signing.BadSignature as exc:
        raise TokenError("invalid_token") from exc
    if not isinstance(data, dict) or not isinstance(data.get("s"), int):
        raise TokenError("invalid_token")
    return data["s"], str(data.get("n", ""))


def _unsubscribe_signer():
    return signing.Signer(salt=UNSUBSCRIBE_SALT)


def make_unsubscribe_token(subscriber_id, delivery_id=0):
    """Short and URL-safe: ``<subscriber>.<delivery>:<signature>``."""
    return _unsubscribe_signer().sign(f"{subscriber_id}.{delivery_id}")


def read_unsubscribe_token(token):
    """(subscriber id, delivery id or 0); ``TokenError`` for an altered or damaged link."""
    try:
        value = _unsubscribe_signer().unsign(token or "")
    except signing.BadSignature as exc:
        raise TokenError("invalid_token") from exc
    subscriber, _, delivery = value.partition(".")
    if not (subscriber.isdecimal() and delivery.isdecimal()):
        raise TokenError("invalid_token")
    return int(subscriber), int(delivery)


def _message_signature(mailing_id, delivery_id):
    return salted_hmac(MESSAGE_ID_SALT, f"{mailing_id}.{delivery_id}").hexdigest()[:12]


def message_id(mailing_id, delivery_id, domain):
    return f"<nl.{mailing_id}.{delivery_id}.{_message_signature(mailing_id, delivery_id)}@{domain}>"


_MESSAGE_ID = re.compile(r"<?nl\.(\d+)\.(\d+)\.([0-9a-f]{12})@[^>]+>?")


def read_message_id(value):
    """The delivery id a Message-ID of ours names (its signature checked), or None."""
    found = _MESSAGE_ID.search(value or "")
    if not found:
        return None
    mailing_id, delivery_id, signature = found.groups()
    if not constant_time_compare(signature, _message_signature(mailing_id, delivery_id)):
        return None
    return int(delivery_id)
