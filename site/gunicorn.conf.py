"""
Gunicorn settings of the portal's web process (the image's default CMD):

    gunicorn -c site/gunicorn.conf.py portal.wsgi:application

Tuned by environment variables (documented in site/env.example):
    PORT                  listen port (8000)
    WEB_CONCURRENCY       worker processes (default: 2 x CPUs + 1, at most 8)
    GUNICORN_THREADS      threads per worker (2)
    GUNICORN_TIMEOUT      seconds a request may take before its worker is killed (30)
    GUNICORN_MAX_REQUESTS recycle a worker after this many requests, up to 1.5 x (20000; 0 = never)
    FORWARDED_ALLOW_IPS   proxies whose X-Forwarded-* headers are trusted (127.0.0.1,::1)
    LOG_LEVEL             shared with Django (INFO)
"""

import multiprocessing
import os


def _int(name, default, minimum=0):
    value = os.environ.get(name, "").strip()
    if not value:
        return default
    try:
        number = int(value)
    except ValueError as exc:
        raise RuntimeError(f"{name} must be an integer, not {value!r}") from exc
    if number < minimum:
        raise RuntimeError(f"{name} must be at least {minimum}, not {number}")
    return number


def _cpus():
    """CPUs this container may use: the cgroup v2 quota if there is one, else the affinity mask."""
    try:
        count = len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        count = multiprocessing.cpu_count()
    try:
        with open("/sys/fs/cgroup/cpu.max", encoding="ascii") as handle:
            quota, period = handle.read().split()[:2]
        if quota != "max":
            count = min(count, max(1, -(-int(quota) // int(period))))  # ceil(quota / period)
    except (OSError, ValueError):
        pass
    return max(1, count)


bind = f"0.0.0.0:{_int('PORT', 8000, minimum=1)}"

workers = _int("WEB_CONCURRENCY", min(2 * _cpus() + 1, 8), minimum=1)
threads = _int("GUNICORN_THREADS", 2, minimum=1)
worker_class = "gthread"

timeout = _int("GUNICORN_TIMEOUT", 30, minimum=1)
# SIGTERM (docker stop): finish the requests in flight. compose's stop_grace_period is longer.
graceful_timeout = 30
# nginx in front reuses connections only briefly; keep idle ones a little longer than 2 s.
keepalive = 5

# The application is imported once, in the master, before the workers are forked: a worker that is
# recycled or replaced is ready in milliseconds (a fork) instead of importing Django and Wagtail again
# (seconds of CPU; several workers booting at once on a busy machine left none answering for 10-40 s).
# The master opens no database or cache connection (nothing at import does); ``when_ready`` closes any
# that did, so that no worker inherits another's socket.
preload_app = True

# Recycle workers now and then (guards against slow leaks). Each worker's limit is drawn between
# GUNICORN_MAX_REQUESTS and 1.5 times that, so workers under the same even load are recycled one by one,
# never all at once (with 10% jitter, five workers at 1000 requests all restarted within the same second).
# Cached pages are answered at hundreds per second per worker: a limit of 1000 recycled each worker every
# few seconds (and, without REDIS_URL, emptied its memory page cache each time).
max_requests = _int("GUNICORN_MAX_REQUESTS", 20000)
max_requests_jitter = max(max_requests // 2, 0)

# Heartbeat files on tmpfs, not the container's (read-only) disk.
worker_tmp_dir = "/dev/shm"  # noqa: S108 - tmpfs in every Docker container
# No gunicornc control socket: it would be written under $HOME, which this user does not have.
control_socket_disable = True

# X-Forwarded-Proto/-For are honoured only from these addresses. In the compose stack the web
# port is reachable only from nginx on the internal network, so compose sets "*".
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1,::1")

# Logs on stdout/stderr, for `docker compose logs`. The client address is the one nginx saw.
accesslog = "-"
errorlog = "-"
loglevel = os.environ.get("LOG_LEVEL", "info").strip().lower() or "info"
if loglevel not in ("debug", "info", "warning", "error", "critical"):
    loglevel = "info"
access_log_format = '%({x-forwarded-for}i)s %(h)s "%(r)s" %(s)s %(b)s %(M)sms "%(f)s" "%(a)s"'
proc_name = "portal-web"


def when_ready(server):
    """
    The master, once the application is loaded: no connection of its own for the workers to inherit,
    and what the application loaded out of the garbage collector's walks (``portal.process``).
    """
    from django.core.cache import close_caches  # noqa: PLC0415 - Django is loaded by now (preload_app)
    from django.db import connections  # noqa: PLC0415

    from portal.process import freeze_loaded_objects  # noqa: PLC0415

    connections.close_all()
    close_caches()
    server.log.info("frozen %d objects of the loaded application", freeze_loaded_objects())


def post_fork(server, worker):
    """A new worker: freeze once more what its first requests load and keep (``portal.process``)."""
    from portal.process import freeze_after_requests  # noqa: PLC0415 - loaded by the master (preload_app)

    freeze_after_requests()
