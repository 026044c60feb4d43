# syntax=docker/dockerfile:1
#
# Production image of the Shinjuku regional portal (Wagtail 8 / Django 5.2).
#
#   docker build -t shinjuku-portal .            (or: cd site && docker compose build)
#
# One image, several processes (see site/compose.yaml):
#   web        gunicorn -c site/gunicorn.conf.py portal.wsgi:application   (default CMD)
#   worker     python manage.py run_worker
#   scheduler  python manage.py run_scheduler
#   migrate    python manage.py migrate --noinput                           (one-off)
#   backup     python manage.py backup                                      (one-off, from cron)
#
# All configuration comes from the environment at run time (site/env.example).
# Nothing secret is baked in: the SECRET_KEY below exists only inside the collectstatic step.

ARG PYTHON_IMAGE=python:3.11-slim-bookworm

# ---- builder: the virtualenv with every pinned dependency ---------------------------------
FROM ${PYTHON_IMAGE} AS builder

ENV PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1

# All of requirements.txt ships manylinux wheels (psycopg[binary], Pillow with its own
# libjpeg/zlib, ...), so no compiler and no -dev package is needed here.
RUN python -m venv /opt/venv
ENV PATH=/opt/venv/bin:$PATH
COPY requirements.txt /tmp/requirements.txt
RUN pip install --no-cache-dir -r /tmp/requirements.txt

# ---- runtime ------------------------------------------------------------------------------
FROM ${PYTHON_IMAGE} AS runtime

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PATH=/opt/venv/bin:$PATH \
    DJANGO_SETTINGS_MODULE=portal.settings \
    DATA_DIR=/data \
    MEDIA_ROOT=/data/media \
    STATIC_ROOT=/app/staticfiles \
    PORT=8000

# pg_dump and pg_restore for `manage.py backup` / `restore` (README "Backups"). pg_dump refuses a
# server newer than itself and bookworm ships 15 while site/compose.yaml runs postgres:16, so the
# client comes from the PostgreSQL project's apt repository (its signing key ships in Debian's
# postgresql-common). Keep PG_MAJOR equal to the db service's major version.
ARG PG_MAJOR=16
RUN apt-get update \
    && apt-get install -y --no-install-recommends ca-certificates postgresql-common \
    && /usr/share/postgresql-common/pgdg/apt.postgresql.org.sh -y \
    && apt-get install -y --no-install-recommends "postgresql-client-${PG_MAJOR}" \
    && rm -rf /var/lib/apt/lists/*

# Unprivileged user. /data/media (and /backups, the backup service's volume) is created here, owned
# by it, so that a fresh named volume mounted there starts out with that ownership (Docker copies it
# up on first mount).
RUN groupadd --system --gid 10001 portal \
    && useradd --system --uid 10001 --gid portal --no-create-home --home-dir /nonexistent \
        --shell /usr/sbin/nologin portal \
    && mkdir -p /data/media /backups \
    && chown -R portal:portal /data /backups

WORKDIR /app

COPY --from=builder /opt/venv /opt/venv
# The code stays owned by root: the portal user can read it, not change it.
COPY . /app

# collectstatic at build time into STATIC_ROOT (/app/staticfiles); WhiteNoise serves it.
# DEBUG is off, so settings demand a SECRET_KEY: a throw-away one, for this step only
# (it is not an ENV, so it is not in the image's configuration).
RUN chmod 0755 /app/site/docker-entrypoint.sh \
    && SECRET_KEY=build-only python manage.py collectstatic --noinput --verbosity 1

USER 10001:10001

EXPOSE 8000

# Liveness only (/healthz touches neither the database nor search). Readiness (/readyz)
# is for the load balancer, through nginx. The check itself is in the entrypoint, which
# sends a Host header that ALLOWED_HOSTS accepts.
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
    CMD ["/app/site/docker-entrypoint.sh", "healthcheck"]

ENTRYPOINT ["/app/site/docker-entrypoint.sh"]
CMD ["gunicorn", "-c", "site/gunicorn.conf.py", "portal.wsgi:application"]
