#!/usr/bin/env bash
# Debian packages the test suite needs beyond the machine's own tools: Chromium for the browser
# tests. (PostgreSQL is installed by postgres.sh, Elasticsearch fetched by elasticsearch.sh.)
set -euo pipefail
missing=()
command -v chromium >/dev/null 2>&1 || missing+=(chromium)
if [ ${#missing[@]} -gt 0 ]; then
  echo "install-test-tools: installing ${missing[*]} from Debian"
  export DEBIAN_FRONTEND=noninteractive
  apt-get install -y -qq "${missing[@]}" >/dev/null 2>&1 || { apt-get update -qq && apt-get install -y -qq "${missing[@]}" >/dev/null; }
fi
echo "install-test-tools: $(chromium --version 2>/dev/null || echo 'chromium missing')"
