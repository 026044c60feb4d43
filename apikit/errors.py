"""
The API's errors: one problem-document shape (RFC 7807, ``application/problem+json``) for every
router, with a stable machine-readable ``code`` added::

    {"type": "about:blank", "title": "Not Found", "status": 404,
     "code": "not_found", "detail": "…", "errors": [ … only for validation … ]}

Here, below every app, so that members, moderation, pages, search and wardinfo raise the same
``ApiError`` and the portal renders it with the same ``problem()``, without one app importing
another's API module for it.
"""

from http import HTTPStatus

from django.http import JsonResponse
from django.utils.translation import gettext_lazy as _
from ninja.errors import HttpError

PROBLEM_JSON = "application/problem+json"

# The code a problem carries when the raiser named none: one per status the API answers with.
CODES = {
    400: "bad_request",
    401: "authentication_required",
    403: "permission_denied",
    404: "not_found",
    405: "method_not_allowed",
    411: "length_required",
    413: "payload_too_large",
    422: "validation_error",
    429: "rate_limited",
    500: "server_error",
    503: "service_unavailable",
}


# What a problem says when the raiser gave no detail, in the active language (the API's paths carry
# no language prefix, so Japanese), so ``problem(404)`` is enough.
DETAILS = {
    400: _("リクエストの内容が正しくありません。"),
    401: _("認証が必要です。"),
    403: _("この操作は許可されていません。"),
    404: _("見つかりません。"),
    405: _("この方法でのリクエストは受け付けていません。"),
    411: _("本文の長さ（Content-Length）が示されていません。"),
    413: _("送信された内容が大きすぎます。"),
    422: _("入力内容に誤りがあります。"),
    429: _("短い時間に続けてリクエストされています。しばらく待ってからお試しください。"),
    500: _("サーバーでエラーが発生しました。"),
    503: _("ただいまご利用いただけません。しばらくしてからお試しください。"),
}
UNKNOWN_ENDPOINT = _("この API はありません。")


class ApiError(HttpError):
    """
    An error with a stable code (and details in ``errors``): clients branch on the code, not the text.
    ``retry_after`` (seconds) is sent as the ``Retry-After`` header: every 429 says when to try again.
    """

    def __init__(self, status, code, message, errors=None, retry_after=None):
        super().__init__(status, message)
        self.code, self.errors, self.retry_after = code, errors, retry_after


def problem(status, detail="", code=None, errors=None, retry_after=None):
    """
    The problem document for ``status``; ``code`` defaults to the status's entry in ``CODES``, an
    empty ``detail`` to the status's entry in ``DETAILS`` (lazy texts are rendered here).
    ``retry_after``: seconds until the client may try again (the ``Retry-After`` header, at least 1).
    """
    try:
        title = HTTPStatus(status).phrase
    except ValueError:
        title = "Error"
    body = {"type": "about:blank", "title": title, "status": status, "code": code or CODES.get(status, "error"),
            "detail": str(detail or DETAILS.get(status, ""))}
    if errors is not None:
        body["errors"] = errors
    response = JsonResponse(body, status=status, content_type=PROBLEM_JSON,
                            json_dumps_params={"ensure_ascii": False}, safe=False)
    if retry_after is not None:
        response["Retry-After"] = str(max(1, int(retry_after)))
    return response
