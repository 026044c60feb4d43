#!/bin/sh
# Entrypoint of the portal image. It only runs the command it is given:
#
#   (default CMD)                         gunicorn -c site/gunicorn.conf.py portal.wsgi:application
#   python manage.py run_worker           the task worker (rides out database restarts)
#   python manage.py run_scheduler        the periodic-job scheduler (run exactly one)
#   python manage.py migrate --noinput    the one-off migration (the compose `migrate` service)
#   healthcheck                           the image's HEALTHCHECK: GET /healthz on this container
#
# It does not wait for the database and does not migrate: site/compose.yaml orders start-up
# with healthchecks and a `migrate` service that web, worker and scheduler wait for.
set -eu

# Uploaded media must stay readable by nginx (another user, read-only mount).
umask 0022

if [ "${1:-}" = "healthcheck" ]; then
    # Liveness probe, python's urllib (the slim image has no curl). Django rejects a Host that
    # is not in ALLOWED_HOSTS, so the probe sends the first ALLOWED_HOSTS entry ("*" or none:
    # localhost; a leading-dot wildcard loses its dot).
    exec python - <<'EOF'
import os
import sys
import urllib.request

hosts = [h.strip() for h in os.environ.get("ALLOWED_HOSTS", "").split(",") if h.strip()]
host = hosts[0].lstrip(".") if hosts else "localhost"
if host in ("", "*"):
    host = "localhost"
url = "http://127.0.0.1:%s/healthz" % os.environ.get("PORT", "8000")
request = urllib.request.Request(url, headers={"Host": host, "User-Agent": "portal-healthcheck"})
try:
    with urllib.request.urlopen(request, timeout=4) as response:  # noqa: S310 - fixed local URL
        sys.exit(0 if response.status == 200 else 1)
except Exception as exc:  # noqa: BLE001 - any failure is "unhealthy"
    print("healthcheck failed: %s" % exc, file=sys.stderr)
    sys.exit(1)
EOF
fi

if [ "$#" -eq 0 ]; then
    set -- gunicorn -c site/gunicorn.conf.py portal.wsgi:application
fi

exec "$@"
