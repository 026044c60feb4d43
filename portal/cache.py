"""
The shared cache (Redis, ``REDIS_URL``) as something the site can do without.

Everything the portal keeps in the cache can be computed again (Wagtail's page URLs and routes,
rendered fragments, the ads' selection) or is counted elsewhere too, so a Redis that is stopped,
unreachable or hanging must cost a little speed, never an answer. ``ResilientRedisCache`` is
Django's ``RedisCache`` whose every operation turns a connection failure or a timeout into a
miss: ``get`` returns the default, ``add`` and ``touch`` answer False, ``incr`` raises ValueError
as for a missing key, writes and deletes do nothing. Short socket timeouts (``CACHE_TIMEOUT``
seconds, for connecting and for each answer) bound what a hanging server costs; after a failure
the server is not asked again for ``RETRY_SECONDS`` (per process), so one request meets at most
one timeout. The failure is logged once per ``LOG_SECONDS``, and its recovery once.

``/readyz`` asks the server itself (``check_health``), so the outage is still named there.
"""

import logging
import threading
import time

from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.redis import RedisCache
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

logger = logging.getLogger(__name__)

FAILURES = (RedisConnectionError, RedisTimeoutError, OSError)
RETRY_SECONDS = 5.0
LOG_SECONDS = 60.0


class _Outage:
    """What this process knows about one server's outage (shared by the cache objects of every thread)."""

    def __init__(self):
        self.lock = threading.Lock()
        self.down_until = 0.0  # time.monotonic() before which the server is not asked
        self.logged_at = None  # when the outage was last logged (None: not in an outage)

    def failed(self, server, exc):
        now = time.monotonic()
        with self.lock:
            self.down_until = now + RETRY_SECONDS
            if self.logged_at is None or now - self.logged_at >= LOG_SECONDS:
                self.logged_at = now
                logger.warning("cache %s unavailable (%s: %s): serving without it", server, type(exc).__name__, exc)

    def recovered(self, server):
        with self.lock:
            if self.logged_at is not None:
                self.logged_at = None
                logger.warning("cache %s available again", server)


_OUTAGES = {}
_OUTAGES_LOCK = threading.Lock()


def _outage_of(server):
    with _OUTAGES_LOCK:
        return _OUTAGES.setdefault(server, _Outage())


class ResilientRedisCache(RedisCache):
    """Django's Redis cache, behaving as an empty cache while Redis fails (see the module's docstring)."""

    def __init__(self, server, params):
        params = dict(params)
        options = dict(params.get("OPTIONS") or {})
        timeout = float(options.pop("CACHE_TIMEOUT", 0.5))
        options.setdefault("socket_connect_timeout", timeout)
        options.setdefault("socket_timeout", timeout)
        params["OPTIONS"] = options
        super().__init__(server, params)
        self._outage = _outage_of(str(server))

    def _guarded(self, fallback, operation, *args, **kwargs):
        """``operation(*args, **kwargs)``, or ``fallback()`` while the server fails."""
        if time.monotonic() < self._outage.down_until:
            return fallback()
        try:
            result = operation(*args, **kwargs)
        except FAILURES as exc:
            self._outage.failed(self._servers[0], exc)
            return fallback()
        self._outage.recovered(self._servers[0])
        return result

    def check_health(self):
        """Ask the server itself (for /readyz): raises while it fails, whatever the last outage said."""
        self._cache.get_client(write=True).ping()
        self._outage.recovered(self._servers[0])

    def add(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        return self._guarded(lambda: False, super().add, key, value, timeout, version=version)

    def get(self, key, default=None, version=None):
        return self._guarded(lambda: default, super().get, key, default, version=version)

    def set(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        return self._guarded(lambda: None, super().set, key, value, timeout, version=version)

    def touch(self, key, timeout=DEFAULT_TIMEOUT, version=None):
        return self._guarded(lambda: False, super().touch, key, timeout, version=version)

    def delete(self, key, version=None):
        return self._guarded(lambda: False, super().delete, key, version=version)

    def get_many(self, keys, version=None):
        return self._guarded(dict, super().get_many, keys, version=version)

    def has_key(self, key, version=None):
        return self._guarded(lambda: False, super().has_key, key, version=version)

    def incr(self, key, delta=1, version=None):
        def missing():
            raise ValueError(f"Key '{key}' not found (the cache is unavailable).")

        return self._guarded(missing, super().incr, key, delta, version=version)

    def set_many(self, data, timeout=DEFAULT_TIMEOUT, version=None):
        return self._guarded(lambda: list(data), super().set_many, data, timeout, version=version)

    def delete_many(self, keys, version=None):
        return self._guarded(lambda: None, super().delete_many, keys, version=version)

    def clear(self):
        return self._guarded(lambda: False, super().clear)

