"""
The one JSON API of the portal: Wagtail 8's API v3 (django-ninja) with our routers added, so
``/api/v3/openapi.json`` describes every JSON endpoint.

Errors: every error is an RFC 7807 problem document (``application/problem+json``), the shape
Wagtail's API already uses, with one member added: ``code``, a stable machine-readable name::

    {"type": "about:blank", "title": "Not Found", "status": 404,
     "code": "not_found", "detail": "…", "errors": [ … only for validation … ]}

Codes: ``bad_request`` (400), ``authentication_required`` (401), ``permission_denied`` (403),
``not_found`` (404), ``method_not_allowed`` (405), ``validation_error`` (422),
``rate_limited`` (429, with ``Retry-After``), ``server_error`` (500), ``database_unavailable``
(503, with ``Retry-After``: the database is away, ``portal.errors``). Bodies: ``invalid_json``
(400), a lone surrogate in any JSON string is a ``validation_error`` naming the field
(``apikit.JsonParser``); ``payload_too_large`` (413), ``length_required`` (411),
``filename_too_long`` (422) before any endpoint reads the body (``portal.middleware``). An app with a code of its own raises a subclass
of ``ninja.errors.HttpError`` with a ``code`` attribute (and ``errors`` if it has details):
``apikit.ApiError``. The document itself and the status-to-code table are ``apikit.problem`` and
``apikit.CODES``; this module only wires them onto Wagtail's ``api`` object.
"""

import logging

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import InterfaceError, OperationalError
from django.http import Http404
from ninja.errors import HttpError
from ninja.errors import ValidationError as NinjaValidationError
from pydantic import ValidationError as PydanticValidationError
from wagtail.api.rich_text import RichTextFormatError
from wagtail.api.v3.urls import api
from wagtail.locales.api.v3 import router as locales_router

from ads.api import router as ads_router
from apikit import JsonParser, parse_error, problem
from members.api import router as members_router
from moderation.api import board_router, flags_router, submissions_router
from newsletter.api import router as newsletter_router
from pages.api import content_router, preview_router
from search.api import router as search_router
from search.fallback import say_fallback
from surveys.api import router as surveys_router
from wardinfo.api import router as ward_notices_router

from .errors import database_unavailable_problem

logger = logging.getLogger(__name__)


@api.exception_handler(PydanticValidationError)
@api.exception_handler(NinjaValidationError)
@api.exception_handler(DjangoValidationError)
def _validation_error(request, exc):
    if isinstance(exc, NinjaValidationError):
        errors = exc.errors
    elif isinstance(exc, PydanticValidationError):
        errors = [{k: v for k, v in error.items() if k not in ("input", "url")} for error in exc.errors()]
    elif hasattr(exc, "loc_errors"):  # Wagtail's FormValidationError
        errors = [{"type": code, "loc": list(path), "msg": message}
                  for path, coded in exc.loc_errors for message, code in coded]
    else:
        errors = [{"msg": message} for message in exc.messages]
    errors = [{k: (str(v) if k == "ctx" else v) for k, v in error.items()} for error in errors]
    return problem(422, "入力内容に誤りがあります。", errors=errors)


@api.exception_handler(PermissionDenied)
def _permission_denied(request, exc):
    if not request.user.is_authenticated:
        return problem(401, "認証が必要です。")
    return problem(403, str(exc) or "この操作は許可されていません。")


@api.exception_handler(Http404)
def _not_found(request, exc):
    return problem(404, str(exc) or "見つかりません。")


@api.exception_handler(HttpError)
def _http_error(request, exc):
    exc = parse_error(exc)  # the JSON parser's own refusal, which ninja wraps in a plain 400
    return problem(exc.status_code, str(exc), code=getattr(exc, "code", None), errors=getattr(exc, "errors", None),
                   retry_after=getattr(exc, "retry_after", None))


@api.exception_handler(RichTextFormatError)
def _rich_text_format(request, exc):
    return problem(400, str(exc))


@api.exception_handler(OperationalError)
@api.exception_handler(InterfaceError)
def _database_unavailable(request, exc):
    logger.warning("API: database unavailable at %s: %s", request.path, exc)
    return database_unavailable_problem()


@api.exception_handler(Exception)
def _unhandled(request, exc):
    logger.error("API error at %s", request.path, exc_info=exc)
    return problem(500, str(exc) if settings.DEBUG else "サーバーでエラーが発生しました。")


def not_found_view(request, *args, **kwargs):
    """Any other path under /api/v3/ answers with the same problem document, not an HTML page."""
    return problem(404, "この API はありません。")


# JSON bodies that are not JSON (400) or hold text nothing can store (422), refused for every endpoint.
api.parser = JsonParser()

# wagtail_localize.locales replaces wagtail.locales, whose ready() would mount this router.
api.add_router("/locales/", locales_router)
api.add_router("/content/", content_router)
api.add_router("/preview/", preview_router)
api.add_router("/members/", members_router)
api.add_router("/ward-notices/", ward_notices_router)
api.add_router("/board/", board_router)
api.add_router("/submissions/", submissions_router)
api.add_router("/flags/", flags_router)
api.add_router("/search/", search_router)
# Any ?search= answered by the database because the engine was not there says so (X-Search-Fallback).
api.add_decorator(say_fallback, mode="view")
api.add_router("/ads/", ads_router)
api.add_router("/newsletter/", newsletter_router)
api.add_router("/forms/", surveys_router)

__all__ = ["api", "problem", "not_found_view"]
