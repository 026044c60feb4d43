"""
Page views counted on the server: no cookie, no script, no row per view, nobody tracked.

``PageViewMiddleware`` sits right after WhiteNoise, outside any page cache, so a page served from a
cache is counted too. After the response it counts a successful (200) HTML GET of a public page
(not the admin, the API, static or media files, health checks, the ads' endpoints, members' own
pages), unless the browser says it is a robot (``BOT_MARKERS``: the one list) or the visitor is
logged-in staff. What is counted: the day (Asia/Tokyo), the path and Wagtail page, the language,
the referrer's domain when it is another site (the domain only), and the device class
(``device_class``: a few rules on the browser string).

Unique visitors of a day are *estimated*: HMAC-SHA256 of (address, browser string) under a random
salt of the day (``secrets.token_bytes``, never derived from the date) is added to the day's set in
the ``reports`` cache with a lifetime that ends with the day; only a new hash adds one to the day's
total. The salt lives in the same cache until local midnight, then a new one is drawn: yesterday's
hashes cannot be recomputed by anyone. On the embedded default that cache is the process's memory
(one process: exact; several processes without a shared cache would each count a visitor once, so
the estimate over-counts); with REDIS_URL it is the shared cache, so every process uses the same
salt and set (exact up to the cache's own evictions; people behind one address with the same
browser count once, one person with two browsers or a changing mobile address counts twice). No
address, browser string or hash is ever written to the database or a log.

Counts are added up in the cache (one counter per day x page x language x referrer x device, found
again through a per-day register, as ``ads.counting`` does) and moved into ``PageViewDay`` and
``VisitorDay`` rows by ``flush``: the scheduled job every minute, and — where no scheduler can see
this process's memory (REPORTS_FLUSH_IN_PROCESS, on by default without REDIS_URL) — a timer thread
of the process, REPORTS_FLUSH_SECONDS after the first view counted since the last flush (never in
the request itself).
"""

import atexit
import hashlib
import hmac
import json
import logging
import secrets
import threading
from collections import defaultdict
from datetime import datetime, time, timedelta
from urllib.parse import urlsplit

from django.conf import settings
from django.core.cache import caches
from django.core.exceptions import PermissionDenied
from django.db import connection, transaction
from django.db.models import F
from django.http import Http404, HttpRequest
from django.utils import timezone, translation
from wagtail.models import Site

from members.lockout import client_ip

from .models import PageViewDay, VisitorDay

logger = logging.getLogger(__name__)

# Browsers that say they are robots, crawlers, previews or scripts (lower-case substrings of the User-Agent).
# The one list; substring tests in C are several times faster than one regular expression of alternatives.
BOT_MARKERS = (
    "bot", "crawl", "spider", "slurp", "scrap", "headless", "phantomjs", "lighthouse", "pagespeed",
    "facebookexternalhit", "embedly", "preview", "monitor", "uptime", "pingdom", "curl/", "wget/", "python-",
    "httpx", "aiohttp", "go-http-client", "java/", "okhttp", "libwww", "feedfetcher", "feed", "rss",
    "archive.org", "ia_archiver", "yandex", "baidu", "duckduckgo", "petalbot", "semrush", "ahrefs",
    "mj12", "bytespider", "claude", "perplexity", "ccbot",
)
# Not public pages (checked after a language prefix such as /en/ is taken off).
EXCLUDED_PREFIXES = ("/admin/", "/django-admin/", "/api/", "/static/", "/media/", "/documents/", "/ads/",
                     "/members/", "/healthz", "/readyz", "/metrics", "/__")
_LANGUAGE_PREFIXES = tuple(f"/{code}/" for code, _ in settings.LANGUAGES if code != settings.LANGUAGE_CODE)

_KEEP = int(timedelta(days=3).total_seconds())  # unflushed counters are kept this long
_DAYS_LOOKED_AT = 3
_LOCK, _LAST = "reports:flush-lock", "reports:flush-last"


class _ReportsCache:
    """The ``reports`` cache (portal/settings.py: never culled), looked up per thread as Django wants."""

    def __getattr__(self, name):
        return getattr(caches["reports"], name)


cache = _ReportsCache()


def is_bot(user_agent):
    if not user_agent:
        return True
    lowered = user_agent.lower()
    return any(marker in lowered for marker in BOT_MARKERS)


def device_class(user_agent):
    """mobile, tablet or desktop, from the browser string (tablets first: an Android tablet says no "Mobile")."""
    ua = user_agent.lower()
    if "ipad" in ua or "tablet" in ua or "kindle" in ua or "silk/" in ua or ("android" in ua and "mobile" not in ua):
        return PageViewDay.Device.TABLET
    if "mobi" in ua or "iphone" in ua or "ipod" in ua or "android" in ua or "windows phone" in ua:
        return PageViewDay.Device.MOBILE
    return PageViewDay.Device.DESKTOP


def referrer_domain(request):
    """The referring site's domain when it is another site; "" for none, our own site or anything unreadable."""
    referrer = request.META.get("HTTP_REFERER", "")
    if not referrer:
        return ""
    try:
        host = (urlsplit(referrer).hostname or "").lower().rstrip(".")
    except ValueError:
        return ""
    own = {request.get_host().rsplit(":", 1)[0].lower(), urlsplit(settings.WAGTAILADMIN_BASE_URL).hostname or ""}
    if not host or host in own or host in settings.ALLOWED_HOSTS:
        return ""
    return host[:253]


def _public_path(path):
    for prefix in _LANGUAGE_PREFIXES:
        if path.startswith(prefix):
            return path[len(prefix) - 1:]
    return path


def countable(request, response):
    """A successful HTML page view by a person who is not staff, of a public page."""
    if request.method != "GET" or response.status_code != 200 or getattr(response, "streaming", False):
        return False
    if not response.get("Content-Type", "").startswith("text/html") or getattr(request, "is_preview", False):
        return False
    if _public_path(request.path).startswith(EXCLUDED_PREFIXES):
        return False
    if is_bot(request.META.get("HTTP_USER_AGENT", "")):
        return False
    if settings.SESSION_COOKIE_NAME not in request.COOKIES:  # nobody logged in: no need to load a session
        return True
    user = getattr(request, "user", None)
    return not (user is not None and user.is_authenticated and _is_staff(user))


def _is_staff(user):
    """A staff account as members.staff_users defines it: superuser, is_staff, or a member of any staff group."""
    return user.is_superuser or user.is_staff or user.groups.exists()


class PageViewMiddleware:
    """Counts page views after the response is made (see the module's docstring); never breaks a response."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        try:
            if countable(request, response):
                count(request)
        except Exception:  # counting must never cost a visitor their page
            logger.exception("reports: counting a page view failed")
        return response


def _page_id(request):
    route = getattr(request, "_wagtail_route_for_request", None)
    return route[0].pk if route else 0


def _language(request):
    """The language the page was shown in: LocaleMiddleware's, or (a page served from a cache before it) the path's."""
    if getattr(request, "LANGUAGE_CODE", ""):
        return request.LANGUAGE_CODE
    return next((prefix.strip("/") for prefix in _LANGUAGE_PREFIXES if request.path.startswith(prefix)),
                settings.LANGUAGE_CODE)


def count(request, now=None):
    """Count one view of ``request``'s page: the counters and the day's visitor set, in the cache."""
    day = timezone.localdate(now or timezone.now())
    user_agent = request.META.get("HTTP_USER_AGENT", "")
    dims = [request.path[:500], _page_id(request), _language(request), referrer_domain(request),
            device_class(user_agent)]
    bump(day, dims)
    visit(day, f"{client_ip(request) or ''}\n{user_agent}")
    schedule_flush()


# --- The cache's counters ---------------------------------------------------------------------------

def _incr(key, delta=1, ttl=_KEEP):
    """Atomic increment, creating the counter at 0 first when missing; True when this call created it."""
    try:
        cache.incr(key, delta)  # the usual case: one cache operation
        return False
    except ValueError:
        pass
    created = cache.add(key, 0, ttl)
    try:
        cache.incr(key, delta)
    except ValueError:  # expired between add and incr: start again
        cache.add(key, 0, ttl)
        cache.incr(key, delta)
    return created


def bump(day, dims, delta=1):
    """Add ``delta`` views of ``dims`` ([path, page id, language, referrer domain, device]) on ``day``."""
    encoded = json.dumps(dims, ensure_ascii=False)
    key = f"reports:n:{day:%Y%m%d}:{hashlib.sha256(encoded.encode()).hexdigest()[:24]}"
    if _incr(key, delta):
        number = _incr_value(f"reports:r:{day:%Y%m%d}")
        cache.set(f"reports:r:{day:%Y%m%d}:{number}", [key, encoded], _KEEP)


def _incr_value(key):
    cache.add(key, 0, _KEEP)
    return cache.incr(key)


def _seconds_left(day):
    end = timezone.make_aware(datetime.combine(day + timedelta(days=1), time.min))
    return max(1, int((end - timezone.now()).total_seconds()))


_salt_of_day = (None, b"")
_salt_lock = threading.Lock()


def salt(day):
    """The day's random salt: drawn once (the first process to ask, on a shared cache), gone at midnight."""
    global _salt_of_day
    if _salt_of_day[0] == day:
        return _salt_of_day[1]
    with _salt_lock:
        key = f"reports:salt:{day:%Y%m%d}"
        cache.add(key, secrets.token_bytes(32), _seconds_left(day))
        value = cache.get(key) or secrets.token_bytes(32)
        _salt_of_day = (day, value)
        return value


def visit(day, visitor):
    """One visit of ``visitor`` (address and browser): a new keyed hash of the day adds one visitor."""
    digest = hmac.new(salt(day), visitor.encode("utf-8", "replace"), hashlib.sha256).hexdigest()[:32]
    if cache.add(f"reports:v:{day:%Y%m%d}:{digest}", 1, _seconds_left(day)):
        _incr(f"reports:u:{day:%Y%m%d}")


# --- Flush: counters into daily rows ---------------------------------------------------------------

def _take(day_key):
    """{(dims...): views} of one day, each value subtracted from its counter (the flush owns it now)."""
    size = cache.get(f"reports:r:{day_key}") or 0
    entries = cache.get_many([f"reports:r:{day_key}:{n}" for n in range(1, size + 1)]).values() if size else []
    dims_of = dict(entries)
    taken = {key: value for key, value in cache.get_many(list(dims_of)).items() if value}
    for key, value in taken.items():
        cache.decr(key, value)
    rows = defaultdict(int)
    for key, value in taken.items():
        rows[tuple(json.loads(dims_of[key]))] += value
    return taken, rows


def _take_visitors(day_key):
    value = cache.get(f"reports:u:{day_key}") or 0
    if value:
        cache.decr(f"reports:u:{day_key}", value)
    return value


_paths_seen = {}  # path -> Wagtail page id, for the views answered without Wagtail's routing (a page cache)


def page_for_path(path):
    """The id of the live page ``path`` names (0 for none), found once per path and process at flush time."""
    if path not in _paths_seen:
        if len(_paths_seen) > 10_000:
            _paths_seen.clear()
        _paths_seen[path] = _route(path)
    return _paths_seen[path]


def _route(path):
    language = next((prefix.strip("/") for prefix in _LANGUAGE_PREFIXES if path.startswith(prefix)), None)
    site = Site.objects.filter(is_default_site=True).select_related("root_page").first()
    if site is None:
        return 0
    components = [part for part in path[len(language) + 1 if language else 0:].split("/") if part]
    try:
        with translation.override(language or settings.LANGUAGE_CODE):
            return site.root_page.localized.specific.route(HttpRequest(), components)[0].pk
    except (Http404, PermissionDenied, LookupError, TypeError, ValueError):
        return 0


@transaction.atomic
def _write(day, rows, visitors):
    for (path, page_id, language, referrer, device), views in rows.items():
        page_id = page_id or page_for_path(path)
        updated = PageViewDay.objects.filter(day=day, path=path, page_id=page_id, language=language,
                                             referrer_domain=referrer, device=device).update(views=F("views") + views)
        if not updated:
            PageViewDay.objects.create(day=day, path=path, page_id=page_id, language=language,
                                       referrer_domain=referrer, device=device, views=views)
    if visitors:
        if not VisitorDay.objects.filter(day=day).update(visitors=F("visitors") + visitors):
            VisitorDay.objects.create(day=day, visitors=visitors)


def _give_back(day_key, taken, visitors):
    for key, value in taken.items():
        _incr(key, value)
    if visitors:
        _incr(f"reports:u:{day_key}", visitors)


def _flush_days(now):
    rows_written = views_moved = 0
    today = timezone.localdate(now)
    for day in (today - timedelta(days=n) for n in range(_DAYS_LOOKED_AT)):
        day_key = f"{day:%Y%m%d}"
        taken, rows = _take(day_key)
        visitors = _take_visitors(day_key)
        if not rows and not visitors:
            continue
        try:
            _write(day, rows, visitors)
        except Exception:
            _give_back(day_key, taken, visitors)
            raise
        rows_written, views_moved = rows_written + len(rows), views_moved + sum(rows.values())
    return rows_written, views_moved


def flush(now=None):
    """
    Move every view counted in the cache into daily rows; returns (rows written, views moved). One
    flush at a time (a lock in the cache); another caller returns (0, 0). Idempotent: what is moved is
    subtracted from the counters, so a second flush moves only what was counted meanwhile.
    """
    now = now or timezone.now()
    if not cache.add(_LOCK, 1, 300):
        return 0, 0
    try:
        return _flush_days(now)
    finally:
        cache.delete(_LOCK)
        cache.set(_LAST, now.timestamp(), None)


# --- The process's own flush (embedded default) -------------------------------------------------------

_timer = None
_timer_lock = threading.Lock()


def schedule_flush():
    """Where the scheduler cannot see this process's counters: a flush in a thread, a few seconds from now."""
    global _timer
    if not settings.REPORTS_FLUSH_IN_PROCESS or (_timer is not None and _timer.is_alive()):
        return
    with _timer_lock:
        if _timer is None or not _timer.is_alive():
            _timer = threading.Timer(settings.REPORTS_FLUSH_SECONDS, _flush_in_thread)
            _timer.daemon = True
            _timer.start()


def _flush_in_thread():
    try:
        flush()
    except Exception:
        logger.exception("reports: flushing page views failed; the counts stay in the cache")
    finally:
        connection.close()  # this thread's own database connection


@atexit.register
def _flush_at_exit():
    """A process stopping with a flush still pending writes its counts first."""
    if _timer is not None and _timer.is_alive():
        _timer.cancel()
        _flush_in_thread()
