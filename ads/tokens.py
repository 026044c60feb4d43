"""
Signed slot tokens: which creative was shown in which placement for which district, in the URL of
the counting image (``/ads/i/<token>``) and of the click redirect (``/ads/c/<token>``). Signed with
the secret key (``django.core.signing``), so a forged or altered token names nothing (404) and the
redirect goes only to a stored destination: never an open redirect. Nothing about the visitor is in
it, and it does not expire (cached pages keep working).
"""

import re

from django.core import signing

_IMPRESSION = signing.Signer(salt="ads.impression")
_CLICK = signing.Signer(salt="ads.click")
_VALUE = re.compile(r"(?P<creative>\d+)\.(?P<placement>[a-z-]+)\.(?P<district>[a-z0-9_-]*)")


def _signer(kind):
    return _CLICK if kind == "click" else _IMPRESSION


def make(kind, creative_id, placement, district=""):
    return _signer(kind).sign(f"{creative_id}.{placement}.{district or ''}")


def read(kind, token):
    """(creative id, placement, district) of a valid token; ``None`` for a forged or altered one."""
    try:
        value = _signer(kind).unsign(token)
    except signing.BadSignature:
        return None
    match = _VALUE.fullmatch(value)
    if match is None:
        return None
    return int(match["creative"]), match["placement"], match["district"]
