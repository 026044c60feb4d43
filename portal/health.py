"""Liveness (/healthz) and readiness (/readyz) probes for the load balancer and the container."""

import logging

from django.core.cache import cache
from django.db import connection
from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET
from wagtail.models import Page
from wagtail.search.backends import get_search_backend

logger = logging.getLogger(__name__)


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
    cache.set("readyz", "1", 5)
    if cache.get("readyz") != "1":
        raise RuntimeError("cache did not return the value just stored")


def _check_search():
    backend = get_search_backend()
    client = getattr(backend, "es", None) or getattr(backend, "client", None)
    if client is not None:  # Elasticsearch: the cluster must answer and not be red.
        health = client.cluster.health(timeout="2s")
        if health["status"] == "red":
            raise RuntimeError("search cluster status is red")
    else:  # Database search lives in the database checked above.
        backend.search("healthcheck", Page)[:1].count()


CHECKS = {"database": _check_database, "cache": _check_cache, "search": _check_search}


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
