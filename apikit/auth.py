"""
Browser authentication for the API: the session cookie, with the CSRF token (header
``X-CSRFToken``) on every state-changing call.

``session`` guards endpoints that need a signed-in member; ``require_csrf`` is for the ones that
are open to anyone but still change state (registration, log-in, posting), where ninja's auth
does not run and so does not check CSRF.
"""

from ninja.security import SessionAuth
from ninja.utils import check_csrf

from .errors import ApiError

session = SessionAuth(csrf=True)


def require_csrf(request):
    """Refuse a state-changing call without a valid CSRF token, with the stable code ``csrf_failed``."""
    if check_csrf(request) is not None:
        raise ApiError(403, "csrf_failed", "CSRF トークンが正しくありません。ページを読み込み直してください。")
