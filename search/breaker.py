"""
The circuit breaker in front of the search engine, shared by every client of it in this process:
the portal's own index (``search.engine``), Wagtail's backend (``search.wagtail_backend``) and
the readiness probe, because all of them talk through the transport defined here.

Closed: calls go through. ``FAILURES`` failures (no connection, timeout, 5xx) within ``WINDOW``
seconds open it: for ``COOLDOWN`` seconds every call fails at once (``ConnectionError``, ~0 s),
so a hanging engine cannot hold every web worker. Then one call is let through as a probe: if it
answers, the breaker closes; if not, it stays open for another cool-down. Per process, in memory:
it must keep working when the cache is down too.

The clients also get short timeouts and no retries (``client_options``): a connect timeout and a
read timeout of a fraction of a second for searches, counts, single documents and checks; the
requests that change indexes (create, mappings, aliases, bulk, refresh), which run in the worker
or a command, get ``WRITE_TIMEOUT`` from the transport (``is_maintenance``).
"""

import logging
import threading
import time

logger = logging.getLogger(__name__)


class CircuitBreaker:
    def __init__(self, failures=3, window=30.0, cooldown=15.0, clock=time.monotonic):
        self.failures, self.window, self.cooldown, self.clock = failures, window, cooldown, clock
        self._lock = threading.Lock()
        self.reset()

    def configure(self, failures=None, window=None, cooldown=None):
        self.failures = int(failures or self.failures)
        self.window = float(window or self.window)
        self.cooldown = float(cooldown or self.cooldown)

    def reset(self):
        with self._lock:
            self._recent = []  # times of the failures within the window
            self._opened_at = None
            self._probe_since = None

    @property
    def state(self):
        if self._opened_at is None:
            return "closed"
        return "open" if self.clock() - self._opened_at < self.cooldown else "half-open"

    def is_open(self):
        """True while calls are refused outright (the cool-down has not passed)."""
        return self.state == "open"

    def allows(self):
        """May a call go to the engine now? After the cool-down, one caller at a time (the probe)."""
        with self._lock:
            if self._opened_at is None:
                return True
            now = self.clock()
            if now - self._opened_at < self.cooldown:
                return False
            if self._probe_since is not None and now - self._probe_since < self.cooldown:
                return False  # another caller is probing
            self._probe_since = now
            return True

    def success(self):
        with self._lock:
            if self._opened_at is not None:
                logger.warning("search engine: answering again, circuit closed")
            self._recent, self._opened_at, self._probe_since = [], None, None

    def failure(self):
        with self._lock:
            now = self.clock()
            if self._opened_at is not None:  # the probe failed: another cool-down
                self._opened_at, self._probe_since = now, None
                return
            self._recent = [t for t in self._recent if now - t < self.window] + [now]
            if len(self._recent) >= self.failures:
                self._opened_at, self._recent = now, []
                logger.warning("search engine: %d failures within %.0f s, circuit open for %.0f s",
                               self.failures, self.window, self.cooldown)


BREAKER = CircuitBreaker()


# Requests that change indexes (create, delete, mappings, aliases, bulk, refresh) get the longer
# write timeout; searches, counts, single documents and checks keep the short one.
_QUICK = ("/_search", "/_count", "/_doc/", "/_create/", "/_update/", "/_msearch")
WRITE_TIMEOUT = {"connect": 0.2, "read": 30.0}
READ_TIMEOUT = {"connect": 0.2, "read": 0.4}  # the clients' default, kept here for explicit quick calls


def is_maintenance(method, path):
    return method.upper() not in ("GET", "HEAD") and not any(part in path for part in _QUICK)


def _guarded(transport_base, transport_error, refused, lengthen):
    """A subclass of a client's transport that asks the breaker before each request and reports to it."""

    class BreakerTransport(transport_base):
        def perform_request(self, method, url, *args, **kwargs):
            if not BREAKER.allows():
                raise refused()
            if is_maintenance(method, url):
                lengthen(kwargs)
            try:
                answer = super().perform_request(method, url, *args, **kwargs)
            except transport_error as error:
                # An HTTP answer below 500 means the engine is there; anything else (refused, reset,
                # timed out, 5xx) counts against it.
                status = getattr(error, "status_code", None)
                (BREAKER.success if isinstance(status, int) and status < 500 else BREAKER.failure)()
                raise
            BREAKER.success()
            return answer

    return BreakerTransport


def _opensearch_transport():
    from opensearchpy import Transport
    from opensearchpy.exceptions import ConnectionError, TransportError

    def refused():
        return ConnectionError("N/A", "search engine circuit open", None)

    def lengthen(kwargs):
        params = kwargs.get("params") or {}
        if not kwargs.get("timeout") and "request_timeout" not in params:
            kwargs["timeout"] = timeout(WRITE_TIMEOUT["connect"], WRITE_TIMEOUT["read"])

    return _guarded(Transport, TransportError, refused, lengthen)


def _elasticsearch_transport():
    from elastic_transport import ConnectionError, Transport, TransportError
    from elastic_transport.client_utils import DEFAULT

    def refused():
        return ConnectionError("search engine circuit open")

    def lengthen(kwargs):
        if kwargs.get("request_timeout", DEFAULT) is DEFAULT:
            kwargs["request_timeout"] = WRITE_TIMEOUT["read"]

    return _guarded(Transport, TransportError, refused, lengthen)


_transports = {}


def transport_class(flavour):
    """The breaker-guarded transport for "opensearch" (opensearch-py) or "elasticsearch" (elastic-transport)."""
    if flavour not in _transports:
        _transports[flavour] = _opensearch_transport() if flavour == "opensearch" else _elasticsearch_transport()
    return _transports[flavour]


def client_options(flavour, options, connect_timeout, read_timeout):
    """
    The client's options with the guarded transport, no retries and short timeouts, and the value
    for the backend's ``TIMEOUT`` (opensearch-py takes urllib3's connect/read pair).
    """
    options = dict(options or {})
    options.setdefault("transport_class", transport_class(flavour))
    options.setdefault("max_retries", 0)
    options.setdefault("retry_on_timeout", False)
    if flavour == "opensearch":
        return options, timeout(connect_timeout, read_timeout)
    return options, float(read_timeout)


def quick_timeout(flavour):
    """The short timeout, for a write small enough to be quick (one change pushed after it was made)."""
    if flavour == "opensearch":
        return timeout(READ_TIMEOUT["connect"], READ_TIMEOUT["read"])
    return READ_TIMEOUT["read"]


def timeout(connect_timeout, read_timeout):
    import urllib3

    return urllib3.Timeout(connect=float(connect_timeout), read=float(read_timeout))


def engine_errors():
    """The exceptions that mean "the engine did not answer as it should" (for both clients)."""
    errors = []
    try:
        from opensearchpy.exceptions import OpenSearchException

        errors.append(OpenSearchException)
    except ImportError:  # pragma: no cover - the client is a requirement
        pass
    try:
        from elastic_transport import TransportError
        from elasticsearch import ApiError

        errors += [TransportError, ApiError]
    except ImportError:  # pragma: no cover
        pass
    return tuple(errors)
