#!/usr/bin/env bash
# Debian packages the test suite needs beyond the machine's own tools: Chromium for the browser
# tests, nginx and wrk for the micro-cache test and make bench-web, age for the handover archive,
# redis-server for the cache tests (tests/integration/test_readyz.py starts its own; the
# package's service is not used), and moto_server (PyPI) as the tests' S3 media store. (PostgreSQL is installed by postgres.sh, Elasticsearch fetched
# by elasticsearch.sh.)
set -euo pipefail
missing=()
command -v chromium >/dev/null 2>&1 || missing+=(chromium)
command -v redis-server >/dev/null 2>&1 || missing+=(redis-server)  # the cache-outage tests start and stop one
command -v nginx >/dev/null 2>&1 || [ -x /usr/sbin/nginx ] || missing+=(nginx)  # the micro-cache test and make bench-web
command -v wrk >/dev/null 2>&1 || missing+=(wrk)  # the load tool of make bench-web
command -v age >/dev/null 2>&1 || missing+=(age)  # decrypts the handover archive as the ward would (tests/compliance)
if [ ${#missing[@]} -gt 0 ]; then
  echo "install-test-tools: installing ${missing[*]} from Debian"
  export DEBIAN_FRONTEND=noninteractive
  apt-get install -y -qq "${missing[@]}" >/dev/null 2>&1 || { apt-get update -qq && apt-get install -y -qq "${missing[@]}" >/dev/null; }
fi
echo "install-test-tools: $(chromium --version 2>/dev/null || echo 'chromium missing')"
echo "install-test-tools: $(redis-server --version 2>/dev/null | cut -d' ' -f1-3 || echo 'redis-server missing')"

# An S3-compatible HTTP server for the media-store tests (tests/integration/test_two_web_processes.py
# starts its own): moto's moto_server, from PyPI, in a virtualenv of its own under .cache/ (its
# dependencies stay out of the project's). Reinstalled only when the pinned version is missing.
MOTO_VERSION="5.2.5"
S3_SERVER="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)/.cache/s3-server"
if [ "$("$S3_SERVER/bin/python" -c 'import importlib.metadata as m; print(m.version("moto"))' 2>/dev/null)" != "$MOTO_VERSION" ]; then
  echo "install-test-tools: installing moto[server]==$MOTO_VERSION into $S3_SERVER"
  python3 -m venv "$S3_SERVER"
  "$S3_SERVER/bin/pip" install -q "moto[server]==$MOTO_VERSION"
fi
echo "install-test-tools: moto_server $("$S3_SERVER/bin/python" -c 'import importlib.metadata as m; print(m.version("moto"))')"
