"""
Liveness (/healthz) and readiness (/readyz) probes for the load balancer and the container.

Readiness asks each part the site needs with a short timeout of its own, so that a part that hangs
makes the probe answer 503 naming it within a few seconds, never hang with it: the database
(``DATABASE_CONNECT_TIMEOUT``), the cache (``portal.cache``'s socket timeouts, asking Redis itself:
the cache is bypassed while it fails, but the outage is named here), the search engine (the
cluster's own wait as a query parameter, ``SEARCH_WAIT``, and the client's ``request_timeout``).
"""

import logging

from django.core.cache import cache
from django.db import connection
from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET
from wagtail.models import Page
from wagtail.search.backends import get_search_backend

logger = logging.getLogger(__name__)

SEARCH_WAIT = "1s"  # how long the cluster may take to answer its health (query parameter ``timeout``)
SEARCH_REQUEST_TIMEOUT = 2  # seconds the client waits for that answer


@never_cache
@require_GET
def healthz(request):
    """The process is up and answers. Touches nothing else."""
    return JsonResponse({"status": "ok"})


def _check_database():
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()


def _check_cache():
    check_health = getattr(cache, "check_health", None)
    if check_health is not None:  # portal.cache: ask the server, not the cache that bypasses it
        check_health()
        return
    cache.set("readyz", "1", 5)
    if cache.get("readyz") != "1":
        raise RuntimeError("cache did not return the value just stored")


def search_cluster_health(client):
    """
    The engine's cluster health, answered within ``SEARCH_REQUEST_TIMEOUT`` seconds. opensearch-py
    takes a ``timeout`` argument alone for the request's timeout (and fails: "Timeout value connect
    was 1s"); with ``request_timeout`` beside it, ``timeout`` goes to the cluster as its wait.
    elasticsearch-py 8/9 sets the request's timeout through ``options()``.
    """
    if hasattr(client, "options"):
        return client.options(request_timeout=SEARCH_REQUEST_TIMEOUT).cluster.health(timeout=SEARCH_WAIT)
    return client.cluster.health(timeout=SEARCH_WAIT, request_timeout=SEARCH_REQUEST_TIMEOUT)


def _check_search():
    backend = get_search_backend()
    client = getattr(backend, "es", None)
    if client is not None:  # the engine: the cluster must answer and not be red.
        health = search_cluster_health(client)
        if health["status"] == "red":
            raise RuntimeError("search cluster status is red")
    else:  # Database search lives in the database checked above.
        backend.search("healthcheck", Page)[:1].count()


CHECKS = {"database": _check_database, "cache": _check_cache, "search": _check_search}


def _heartbeat_checks():
    """With the database task backend jobs wait for the worker and the scheduler: their heartbeats."""
    from django.conf import settings

    from portal import heartbeats

    if settings.TASKS_BACKEND != "database":
        return {}
    return {name: (lambda name=name: heartbeats.check(name)) for name in ("worker", "scheduler")}


CHECKS.update(_heartbeat_checks())


@never_cache
@require_GET
def readyz(request):
    """Database, cache and search reachable: 200. Otherwise 503, naming the failing parts."""
    results, failing = {}, []
    for name, check in CHECKS.items():
        try:
            check()
            results[name] = "ok"
        except Exception as exc:  # noqa: BLE001 - any failure makes the instance not ready
            logger.warning("readyz: %s failed: %s", name, exc)
            results[name] = "error"
            failing.append(name)
    status = 503 if failing else 200
    return JsonResponse({"status": "error" if failing else "ok", "checks": results, "failing": failing}, status=status)
