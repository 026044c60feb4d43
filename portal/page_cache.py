"""
Anonymous pages from a cache that is never stale and never personal.

Who is served from it: a GET with no credentials at all — no session cookie, no messages cookie
(a flash message waiting for the next page), no ``Authorization`` header — for a URL of the public
site, a feed, or a read-only API listing (``CACHEABLE_API``). Everybody else (a member, an editor, a
visitor with a message waiting) passes by the cache both ways: never served from it, never stored
into it. nginx in front makes the same decision from the same cookies (site/nginx.conf).

What is stored: a 200 answer that set no cookie, used no CSRF token (no form that posts), was not
marked private or uncacheable by its view, and is not a preview. Its headers and body are kept, with
an ``ETag`` (a hash of the body): a client's ``If-None-Match`` is answered with 304.

Never stale — versioned keys. Every URL belongs to one section of the site (``section_of``: the
ward's notices and feeds, the board and residents' information, the API, the pages); a key holds the
site-wide generation, its section's generation and today's date. A change writes a new generation
for the sections it affects (portal.cache_invalidation), so the next GET builds a new key and renders
afresh; old entries are never read again and expire by themselves (``PAGE_CACHE_SECONDS``, never past
the next midnight). The generations live where every process sees them (Redis, or files on the
embedded default), the entries in Redis or each process's memory. Ads: any change to a booking,
creative, advertiser or the stop-all switch retires the pages (they carry ad slots); a booking runs by
whole days, so it starts and ends at midnight, when every key changes with the date.

Headers for clients and shared caches: ``Cache-Control: public, no-cache`` (anyone may keep a copy,
but must revalidate it — with the ETag, a cheap 304 — before each use: a copy can never be stale);
``X-Accel-Expires: 1`` lets nginx's micro-cache keep the answer one second (nginx hides this header
from clients). A stored answer does not vary on ``Cookie``: it is only ever stored for, and served
to, requests without credentials, and those with credentials are routed around the cache (here and
in nginx). It never varies on ``Accept-Language`` either: with ``prefix_default_language=False`` the
language is the URL's alone (no prefix: Japanese), Django's LocaleMiddleware never reads the header
to choose it nor redirects by it, so that ``Vary`` it adds is dropped from every response.
"""

import hashlib
import time
import uuid
from datetime import datetime, timedelta
from urllib.parse import parse_qsl, urlencode

from django.conf import settings
from django.core.cache import caches
from django.utils import timezone
from django.utils.cache import patch_vary_headers

SECTIONS = ("pages", "notices", "board", "api")
SITE = "site"  # every key holds the site-wide generation too
LANGUAGE_PREFIXES = tuple(f"/{code.lower()}/" for code, _name in settings.LANGUAGES if code != settings.LANGUAGE_CODE)

# Read-only API answers that do not depend on who asks (without credentials nobody is anyone). Not
# the search (each query is counted for analytics), ads (a weighted draw, counted), forms (capacity
# and one's own answers), members, newsletter, previews.
CACHEABLE_API = (
    "/api/v3/content/", "/api/v3/pages/", "/api/v3/ward-notices/", "/api/v3/board/boards/",
    "/api/v3/board/threads/", "/api/v3/locales/", "/api/v3/sites/", "/api/v3/images/",
    "/api/v3/openapi.json",
)
# Public-site paths (after the language prefix) never stored: members' pages and forms, the search
# (counted), the newsletter and surveys' own views, a member's own posts and contributions.
NEVER = ("members/", "search/", "newsletter/", "forms/", "board/mine/", "submissions/new/", "board/images/")
NEVER_OUTSIDE_LANGUAGES = ("/admin/", "/documents/", "/media/", "/static/", "/ads/", "/healthz", "/readyz", "/api/")
PERSONAL_QUERY = ("preview", "token", "content_type")
MAX_BODY = 2 * 1024 * 1024


def cache():
    return caches[settings.PAGE_CACHE_ALIAS]


def strip_language(path):
    for prefix in LANGUAGE_PREFIXES:
        if path.startswith(prefix):
            return path[len(prefix) - 1:]
    return path


def section_of(path):
    """The section a URL belongs to (which changes retire it), or None when it is never cached."""
    if path.startswith("/api/"):
        return "api" if path.startswith(CACHEABLE_API) else None
    if path.startswith(NEVER_OUTSIDE_LANGUAGES):
        return None
    inner = strip_language(path)[1:]
    if inner.startswith(NEVER) or inner.endswith(("/edit/", "/delete/", "/flag/", "/new/")):
        return None
    if inner.startswith(("ward-notices/", "feeds/")):
        return "notices"
    if inner.startswith(("board/", "submissions/", "local-info/")):
        return "board"
    return "pages"


def has_credentials(request):
    """A session, a waiting message or an Authorization header: the request may be someone's."""
    cookies = request.COOKIES
    return bool(settings.SESSION_COOKIE_NAME in cookies or getattr(settings, "MESSAGES_COOKIE_NAME", "messages") in cookies
                or request.META.get("HTTP_AUTHORIZATION"))


def section_for_request(request):
    """The section of a request the cache may answer, or None."""
    if request.method != "GET" or not settings.PAGE_CACHE_SECONDS or has_credentials(request):
        return None
    if any(name in request.GET for name in PERSONAL_QUERY):
        return None
    if "search" in request.GET and request.path.startswith("/api/"):
        return None  # Wagtail's ?search= is the portal's search: synonyms and the engine change it unseen
    return section_of(request.path)


def versions():
    return caches[settings.PAGE_CACHE_VERSIONS_ALIAS]


def generations(section):
    """
    (site-wide, section) generations, or None when the store cannot give them (nothing is cached then).
    A generation missing from the store (never bumped, or a flushed Redis) is set afresh, never read
    as a default: pages.caching, which keeps menus and sidebars under the same generations while a
    page renders, does the same, so a key made before the render is the one that is current after it.
    """
    from pages.caching import fetch_generations  # noqa: PLC0415 - pages is imported after settings

    found = fetch_generations((SITE, section), versions())
    return None if found is None else (found[SITE], found[section])


def bump(*sections):
    """
    Retire every cached answer of these sections (``SITE``: all of them). Each bump writes a new
    unique value rather than adding one, so two processes bumping at once never lose a bump.
    """
    versions().set_many({f"gen:{section}": uuid.uuid4().hex for section in sections}, None)


def key_for(request, section):
    try:
        host = request.get_host()
    except Exception:  # noqa: BLE001 - a disallowed host: Django answers it, uncached
        return None
    current = generations(section)
    if current is None:
        return None
    site, own = current
    query = urlencode(sorted(parse_qsl(request.META.get("QUERY_STRING", ""), keep_blank_values=True)))
    raw = f"{request.scheme}://{host}{request.path}?{query}|{site}.{own}|{timezone.localdate().isoformat()}"
    return "page:" + hashlib.sha256(raw.encode()).hexdigest()


def seconds_to_keep():
    """``PAGE_CACHE_SECONDS``, but never past the next local midnight (when ad bookings change)."""
    now = timezone.localtime()
    midnight = timezone.make_aware(datetime.combine(now.date() + timedelta(days=1), datetime.min.time()))
    return max(1, min(settings.PAGE_CACHE_SECONDS, int((midnight - now).total_seconds())))


def storable(request, response):
    """Whether an answer to an anonymous request may be kept and shared."""
    if response.status_code != 200 or response.streaming or response.cookies or getattr(request, "is_preview", False):
        return False
    control = response.get("Cache-Control", "").lower()
    if any(word in control for word in ("private", "no-store", "no-cache", "max-age=0")):
        return False
    if response.has_header("Set-Cookie") or request.META.get("CSRF_COOKIE_NEEDS_UPDATE"):
        return False
    user = getattr(request, "user", None)
    if user is not None and getattr(user, "is_authenticated", False):
        return False
    return len(response.content) <= MAX_BODY and b"csrfmiddlewaretoken" not in response.content


def etag_of(content):
    return '"' + hashlib.blake2b(content, digest_size=16).hexdigest() + '"'


def make_shareable(response):
    """The headers of an answer that anyone may be served: see the module's docstring."""
    drop_vary(response, "cookie")
    response["Cache-Control"] = "public, no-cache"
    response["ETag"] = etag_of(response.content)
    response["X-Accel-Expires"] = "1"


def drop_vary(response, *names):
    if not response.has_header("Vary"):
        return
    kept = [value.strip() for value in response["Vary"].split(",") if value.strip() and value.strip().lower() not in names]
    del response["Vary"]
    if kept:
        patch_vary_headers(response, kept)


def entry_of(response):
    headers = [(name, value) for name, value in response.items() if name.lower() not in ("date", "x-page-cache")]
    return {"headers": headers, "content": response.content, "stored": time.time()}


def matches_etag(request, etag):
    wanted = request.META.get("HTTP_IF_NONE_MATCH", "")
    return bool(wanted) and (wanted.strip() == "*" or etag in [tag.strip().removeprefix("W/") for tag in wanted.split(",")])
