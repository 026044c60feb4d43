"""Security headers the public site sends on every response; limits on what a request may send."""

from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent, TooManyFilesSent
from django.http import HttpResponse, HttpResponseNotModified
from django.http.multipartparser import MultiPartParserError
from django.shortcuts import render
from django.utils.translation import gettext as _

from apikit import problem
from members import ratelimit

from . import page_cache


class SecurityHeadersMiddleware:
    """
    A Content-Security-Policy that allows nothing from other origins: the site loads no
    third-party scripts, fonts, trackers or CDNs, and resident-written text can never run
    script. The Wagtail admin needs inline scripts and styles, so it gets a looser policy.

    No public page may be framed (``frame-ancestors 'none'``, ``X-Frame-Options: DENY``), with
    one exception: a page rendered as a preview for the admin's side panel, which is an iframe
    of the admin's own origin. Wagtail renders that preview through a request of its own (marked
    ``is_preview``, never set from anything a client sends) that passes through this middleware
    with the page's public path, so it is recognised by that mark, not by its path.
    """

    PUBLIC_POLICY = (
        "default-src 'self'; img-src 'self' data:; script-src 'self'; style-src 'self'; frame-src 'none'; "
        "object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'"
    )
    # The public policy, framed by the admin only (its side-panel preview).
    PREVIEW_POLICY = PUBLIC_POLICY.replace("frame-ancestors 'none'", "frame-ancestors 'self'")
    # The API's interactive docs (Swagger UI, served from our own static files).
    DOCS_POLICY = (
        "default-src 'self'; img-src 'self' data:; script-src 'self'; style-src 'self' 'unsafe-inline'; "
        "object-src 'none'; base-uri 'self'; frame-ancestors 'none'"
    )
    ADMIN_POLICY = "object-src 'none'; base-uri 'self'; frame-ancestors 'self'"

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if getattr(request, "is_preview", False):
            response["Content-Security-Policy"] = self.preview_policy()
            response["X-Frame-Options"] = "SAMEORIGIN"  # before XFrameOptionsMiddleware sets DENY
        elif "Content-Security-Policy" not in response:
            if request.path.startswith("/admin/"):
                policy = self.ADMIN_POLICY
            elif request.path.startswith("/api/v3/docs"):
                policy = self.DOCS_POLICY
            else:
                policy = self.PUBLIC_POLICY
            response["Content-Security-Policy"] = policy
        response.setdefault("Permissions-Policy", "geolocation=(), camera=(), microphone=(), interest-cohort=()")
        return response

    def preview_policy(self):
        """
        With a headless front end (``HEADLESS_PREVIEW_URL``), the preview is a small page that
        frames the front end's preview route (with an inline style): that origin may be framed.
        """
        front_end = settings.HEADLESS_PREVIEW_URL
        if not front_end:
            return self.PREVIEW_POLICY
        origin = "{0.scheme}://{0.netloc}".format(urlsplit(front_end))
        return (
            self.PREVIEW_POLICY.replace("frame-src 'none'", f"frame-src {origin}")
            .replace("style-src 'self'", "style-src 'self' 'unsafe-inline'")
        )


class RequestLimitsMiddleware:
    """
    Bodies too large, or that cannot be read, refused before a view (or its form) reads them.

    - A declared length (``Content-Length``) over the limit is refused at once with 413, before a
      byte of the body is read: multipart uploads up to ``REQUEST_MAX_UPLOAD_BYTES`` (the board's
      four images and their text), every other body (JSON, forms) up to Django's
      ``DATA_UPLOAD_MAX_MEMORY_SIZE``. Django reads no more than the declared length, so that check
      caps the stream too; a body without a declared length (``Transfer-Encoding: chunked``) would be
      read as empty under WSGI, so it is refused with 411 rather than silently lost (nginx, in front,
      buffers chunked bodies and passes them on with their length).
    - A form is parsed here, once, so that what Django's parser refuses is answered clearly instead of
      with a bare 400 (web) or a 500 (API): a text field over the limit (413 ``payload_too_large``),
      too many fields or files (413 ``too_many_fields``), a part whose headers exceed Django's 1 KiB
      (a very long file name, 422 ``filename_too_long``), a broken body (400 ``bad_request``). Uploads
      Django had spooled to temporary files are closed (and so deleted) by its parser on failure.

    Under /api/ the answer is a problem document (apikit), elsewhere a Japanese error page.

    And a 429 that a rate limit (``members.ratelimit``) refused gets its ``Retry-After`` here, on the
    web and the API alike, when the view did not set one: the seconds until the limit's window ends.
    """

    BODY_METHODS = {"POST", "PUT", "PATCH", "DELETE"}
    FORMS = {"multipart/form-data", "application/x-www-form-urlencoded"}

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        refusal = self.refusal(request) if request.method in self.BODY_METHODS else None
        if refusal is not None:
            return self.refuse(request, *refusal)
        ratelimit.start_request()
        response = self.get_response(request)
        retry_after = ratelimit.retry_after_of_request()
        if response.status_code == 429 and retry_after is not None and "Retry-After" not in response:
            response["Retry-After"] = str(retry_after)  # a rate limit (members.ratelimit) refused this request
        return response

    @staticmethod
    def limit_for(request):
        """The largest body accepted for this request's content type (None: no limit)."""
        if request.content_type == "multipart/form-data":
            return settings.REQUEST_MAX_UPLOAD_BYTES
        return settings.DATA_UPLOAD_MAX_MEMORY_SIZE

    def refusal(self, request):
        """``(status, code, message)`` when the body is refused, else None."""
        declared = request.META.get("CONTENT_LENGTH")
        if not declared:
            if request.META.get("HTTP_TRANSFER_ENCODING"):
                return 411, "length_required", _("本文の長さ（Content-Length）を示して送ってください。")
            return None
        if not declared.isdigit():
            return 400, "bad_request", _("送信された内容を読み取れませんでした。もう一度お試しください。")
        limit = self.limit_for(request)
        if limit is not None and int(declared) > limit:
            return self.too_large(limit)
        if request.method == "POST" and request.content_type in self.FORMS:
            return self.parse_form(request)
        return None

    def parse_form(self, request):
        try:
            request.POST, request.FILES  # noqa: B018 - parsed now, so that a failure is answered here
        except RequestDataTooBig:
            return self.too_large(settings.DATA_UPLOAD_MAX_MEMORY_SIZE)
        except (TooManyFieldsSent, TooManyFilesSent):
            return 413, "too_many_fields", _("送信された項目やファイルの数が多すぎます。")
        except MultiPartParserError as exc:
            if "header size" in str(exc):  # Django's 1 KiB for one part's headers: the file name
                return 422, "filename_too_long", _("ファイル名が長すぎます。ファイル名を短くしてから、もう一度送ってください。")
            return 400, "bad_request", _("送信された内容を読み取れませんでした。もう一度お試しください。")
        return None

    @staticmethod
    def too_large(limit):
        megabytes = f"{limit / (1024 * 1024):.1f}".removesuffix(".0")
        return 413, "payload_too_large", _("送信された内容が大きすぎます（%(size)sMB まで）。") % {"size": megabytes}

    @staticmethod
    def refuse(request, status, code, message):
        if request.path.startswith("/api/"):
            return problem(status, message, code=code)
        return render(request, "request_refused.html", {"status": status, "message": message}, status=status)


class AnonymousPageCacheMiddleware:
    """
    Anonymous GETs of public pages, feeds and read-only API listings answered from the page cache
    (``portal.page_cache``: who, what, keys, headers; ``portal.cache_invalidation``: when entries
    retire). ``X-Page-Cache: hit|miss`` says which (``bypass``: not for the cache).

    It sits outside the session, locale, CSRF and authentication middleware, so that a hit costs
    none of them; the counting of page views (reports) sits outside it, so cached views are counted.
    On the way out it drops ``Vary: Accept-Language`` from every response: the URL alone fixes the
    language (see the module's docstring).
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        section = page_cache.section_for_request(request)
        key = page_cache.key_for(request, section) if section else None
        if key is not None:
            entry = page_cache.cache().get(key)
            if entry is not None:
                return self.from_entry(request, entry)
        response = self.get_response(request)
        page_cache.drop_vary(response, "accept-language")
        if key is None:
            response.setdefault("X-Page-Cache", "bypass")
            return response
        if not page_cache.storable(request, response):
            response["X-Page-Cache"] = "bypass"
            return response
        page_cache.make_shareable(response)
        page_cache.cache().set(key, page_cache.entry_of(response), page_cache.seconds_to_keep())
        response["X-Page-Cache"] = "miss"
        return self.not_modified(request, response) or response

    def from_entry(self, request, entry):
        response = HttpResponse(entry["content"])
        for name, value in entry["headers"]:
            response[name] = value
        response["X-Page-Cache"] = "hit"
        return self.not_modified(request, response) or response

    @staticmethod
    def not_modified(request, response):
        """304 for a client that already holds this answer (``If-None-Match``)."""
        etag = response.get("ETag")
        if not etag or not page_cache.matches_etag(request, etag):
            return None
        answer = HttpResponseNotModified()
        for name in ("ETag", "Cache-Control", "Vary", "X-Accel-Expires", "X-Page-Cache", "Content-Location"):
            if response.has_header(name):
                answer[name] = response[name]
        return answer
