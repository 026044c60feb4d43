"""
Rate limits that hold across processes, restarts and cache failures: counters in the database.

A limit is "at most ``limit`` attempts per fixed window of ``window`` seconds" for one ``scope``
(``moderation:member``, ``moderation:address``, ...) and one ``who`` (a member's id, an address),
stored only as a keyed hash. Each attempt is counted by one atomic statement (``INSERT … ON CONFLICT DO UPDATE SET
count = count + 1 RETURNING count``, on PostgreSQL and SQLite alike), so gunicorn's workers, the
worker recycling them and several web containers all count into the same row; the local-memory
cache of the embedded default (one per process) and a Redis that is down or restarted no longer
reset anything. The first attempt of a new window deletes the rows of windows that have ended.

A refusal knows when its window ends (``retry_after``, whole seconds), which every 429 sends as
``Retry-After``; ``portal.middleware.RequestLimitsMiddleware`` adds the header to a 429 answer of
the current request that was refused here and carries none of its own.
"""

import contextvars
import datetime
import hashlib
import hmac
import math
import time
from dataclasses import dataclass

from django.conf import settings
from django.db import connection

from .models import RateCounter

_RETRY_AFTER = contextvars.ContextVar("members_ratelimit_retry_after", default=None)


@dataclass(frozen=True)
class Hit:
    allowed: bool  # within the limit (this attempt included)
    count: int  # attempts counted in this window, this one included
    retry_after: int  # seconds until the window ends


def _increment(key, expires_at):
    """Count one attempt for ``key``; the count after it (one statement, atomic)."""
    table = connection.ops.quote_name(RateCounter._meta.db_table)
    key_column, count_column, expires_column = (connection.ops.quote_name(name)
                                                for name in ("key", "count", "expires_at"))
    sql = (f"INSERT INTO {table} ({key_column}, {count_column}, {expires_column}) VALUES (%s, 1, %s) "  # noqa: S608
           f"ON CONFLICT ({key_column}) DO UPDATE SET {count_column} = {table}.{count_column} + 1 "
           f"RETURNING {count_column}")
    with connection.cursor() as cursor:
        cursor.execute(sql, [key, connection.ops.adapt_datetimefield_value(expires_at)])
        return cursor.fetchone()[0]


def _digest(scope, who):
    """``who`` as a keyed hash: the table never holds an address or an id in the clear, and keys stay short."""
    return hmac.new(settings.FIELD_HASH_KEY.encode(), f"ratelimit:{scope}:{who}".encode(), hashlib.sha256).hexdigest()


def hit(scope, who, limit, window, now=None):
    """Count one attempt of ``who`` in ``scope``; a ``Hit`` saying whether it is within ``limit`` per ``window`` s."""
    now = time.time() if now is None else now
    number = int(now // window)
    ends = (number + 1) * window
    count = _increment(f"{scope}:{_digest(scope, who)}:{window}:{number}",
                       datetime.datetime.fromtimestamp(ends, datetime.UTC))
    if count == 1:  # a new window: the ended ones go
        RateCounter.objects.filter(expires_at__lte=datetime.datetime.fromtimestamp(now, datetime.UTC)).delete()
    result = Hit(allowed=count <= limit, count=count, retry_after=max(1, math.ceil(ends - now)))
    if not result.allowed:
        refused(result.retry_after)
    return result


def refused(retry_after):
    """Note, for this request's answer, that it was refused for ``retry_after`` seconds (the longest wins)."""
    current = _RETRY_AFTER.get()
    _RETRY_AFTER.set(retry_after if current is None else max(current, retry_after))


def retry_after_of_request():
    """Seconds the current request was told to wait by a refusal here (None: not refused)."""
    return _RETRY_AFTER.get()


def start_request():
    """Forget any refusal noted before this request (the middleware calls it first)."""
    _RETRY_AFTER.set(None)
