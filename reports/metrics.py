"""
``/metrics`` for Prometheus (text format 0.0.4), and the request counting behind it.

- **Access.** Only with ``Authorization: Bearer <METRICS_TOKEN>`` (compared in constant time).
  No ``METRICS_TOKEN`` configured: 404, as if there were no such page; a missing or wrong token: 401.
- **Per process** (``MetricsMiddleware``, near the top of ``MIDDLEWARE``): requests by method and
  status class (``portal_http_requests_total``), latency (``portal_http_request_duration_seconds``,
  a histogram), server errors (``portal_http_server_errors_total``). In memory, nothing else on the
  request path. With several gunicorn processes set ``PROMETHEUS_MULTIPROC_DIR`` (an empty folder,
  emptied before gunicorn starts): prometheus_client's multiprocess mode then adds up every
  process's counters; without it each scrape sees the one process that answered.
- **From the database, at each scrape** (``DatabaseCollector``, the same for every process): the
  queue (depth, the oldest's wait), job runs of the last 24 hours by outcome and each job's last
  outcome, open alerts, the age of the worker's and scheduler's heartbeats, today's 5xx count.
- **The daily 5xx count** (``ErrorCount``, for the 運用状況 page and the 8:00 digest): the middleware
  adds a 5xx to today's row when it answers one — the ordinary request costs nothing; a count the
  database could not take (the 5xx was the database being away) is kept in memory and added with
  the next one.
"""

import hmac
import logging
import os
import threading
import time
from datetime import timedelta

from django.conf import settings
from django.db import DatabaseError, IntegrityError, transaction
from django.db.models import Count, F
from django.http import Http404, HttpResponse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from prometheus_client import CONTENT_TYPE_PLAIN_0_0_4, REGISTRY, CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client.core import GaugeMetricFamily

logger = logging.getLogger(__name__)

METHODS = {"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"}
BUCKETS = (0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)

REQUESTS = Counter("portal_http_requests", "HTTP requests answered, by method and status class",
                   ["method", "status"])
LATENCY = Histogram("portal_http_request_duration_seconds", "Time to answer a request", buckets=BUCKETS)
SERVER_ERRORS = Counter("portal_http_server_errors", "HTTP 5xx answers")

_pending_errors = {}  # day -> 5xx not yet written (the database was away)
_pending_lock = threading.Lock()


def keep_server_error(day=None):
    """Count one 5xx in memory only (a 503: the database is probably away; stored with the next write)."""
    day = day or timezone.localdate()
    with _pending_lock:
        _pending_errors[day] = _pending_errors.get(day, 0) + 1


def count_server_error(day=None, add=1):
    """Add ``add`` 5xx (and any kept from before) to the day's ``ErrorCount`` row; keep them if that fails."""
    from .models import ErrorCount

    day = day or timezone.localdate()
    with _pending_lock:
        if add:
            _pending_errors[day] = _pending_errors.get(day, 0) + add
        pending = dict(_pending_errors)
        _pending_errors.clear()
    try:
        for when, number in pending.items():
            with transaction.atomic():
                if not ErrorCount.objects.filter(day=when).update(errors=F("errors") + number):
                    try:
                        with transaction.atomic():
                            ErrorCount.objects.create(day=when, errors=number)
                    except IntegrityError:
                        ErrorCount.objects.filter(day=when).update(errors=F("errors") + number)
            pending[when] = 0
    except (DatabaseError, OSError) as exc:
        logger.warning("metrics: the 5xx count could not be stored now: %s", exc)
        with _pending_lock:
            for when, number in pending.items():
                if number:
                    _pending_errors[when] = _pending_errors.get(when, 0) + number


class MetricsMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        started = time.perf_counter()
        response = self.get_response(request)
        LATENCY.observe(time.perf_counter() - started)
        method = request.method if request.method in METHODS else "other"
        REQUESTS.labels(method, f"{response.status_code // 100}xx").inc()
        if response.status_code >= 500:
            SERVER_ERRORS.inc()
            if response.status_code == 503:
                keep_server_error()  # no database write (and no connect timeout) while it is away
            else:
                count_server_error()  # with any kept before
        # A good answer writes nothing: a write after a stored post could hang on a database going
        # away and turn the post's 201 into a timeout. 503s kept in memory are stored with the next
        # other 5xx; /metrics counts them at once (portal_http_server_errors_total).
        return response


class DatabaseCollector:
    """What every process reads alike from the database, gathered at each scrape."""

    def collect(self):
        from . import monitoring
        from .models import Alert, ErrorCount, JobRun

        now = timezone.now()
        try:
            depth, oldest = monitoring.queue_state(now)
            yield _gauge("portal_task_queue_depth", "Jobs waiting to run", depth)
            yield _gauge("portal_task_queue_oldest_seconds", "How long the oldest waiting job has waited", oldest)
            runs = GaugeMetricFamily("portal_job_runs_24h", "Runs of each scheduled job in the last 24 hours",
                                     labels=["job", "outcome"])
            for row in (JobRun.objects.filter(finished_at__gte=now - timedelta(days=1))
                        .values("job", "outcome").annotate(n=Count("pk")).order_by("job", "outcome")):
                runs.add_metric([row["job"], row["outcome"]], row["n"])
            yield runs
            last = GaugeMetricFamily("portal_job_last_succeeded", "1 when the job's last run succeeded",
                                     labels=["job"])
            for job, run in sorted(monitoring.last_runs().items()):
                last.add_metric([job], 1 if run.outcome == JobRun.Outcome.SUCCEEDED else 0)
            yield last
            yield _gauge("portal_alerts_open", "Open alerts", Alert.objects.filter(state=Alert.State.OPEN).count())
            today = ErrorCount.objects.filter(day=timezone.localdate()).values_list("errors", flat=True).first()
            yield _gauge("portal_http_server_errors_today", "HTTP 5xx answered today (all processes)", today or 0)
            yield self._heartbeats(now)
        except DatabaseError as exc:
            logger.warning("metrics: the database could not be read: %s", exc)
            yield _gauge("portal_metrics_database_up", "1 when the database answered this scrape", 0)
            return
        yield _gauge("portal_metrics_database_up", "1 when the database answered this scrape", 1)

    @staticmethod
    def _heartbeats(now):
        from . import monitoring

        family = GaugeMetricFamily("portal_heartbeat_age_seconds", "Age of the newest heartbeat of each process kind",
                                   labels=["name"])
        newest = {}
        for name, _instance, beat_at in monitoring.heartbeats():
            newest[name] = max(newest.get(name, beat_at), beat_at)
        for name, beat_at in sorted(newest.items()):
            family.add_metric([name], (now - beat_at).total_seconds())
        return family


def _gauge(name, documentation, value):
    family = GaugeMetricFamily(name, documentation)
    family.add_metric([], value)
    return family


_database_registry = CollectorRegistry(auto_describe=False)
_database_registry.register(DatabaseCollector())


def process_registry():
    """Every process's counters in multiprocess mode (PROMETHEUS_MULTIPROC_DIR); else this process's."""
    if not os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        return REGISTRY
    from prometheus_client import multiprocess

    registry = CollectorRegistry()
    multiprocess.MultiProcessCollector(registry)
    return registry


def authorised(request):
    scheme, _space, token = request.headers.get("Authorization", "").partition(" ")
    expected = settings.METRICS_TOKEN.encode()
    return scheme.lower() == "bearer" and hmac.compare_digest(token.strip().encode(), expected)


@never_cache
def metrics_view(request):
    if not settings.METRICS_TOKEN:
        raise Http404
    if not authorised(request):
        return HttpResponse("401 Unauthorized\n", status=401, content_type="text/plain; charset=utf-8",
                            headers={"WWW-Authenticate": 'Bearer realm="metrics"'})
    body = generate_latest(process_registry()) + generate_latest(_database_registry)
    return HttpResponse(body, content_type=CONTENT_TYPE_PLAIN_0_0_4)
