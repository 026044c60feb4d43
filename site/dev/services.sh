#!/usr/bin/env bash
# Start/stop every service the tests need (PostgreSQL + search engine).
#
#   eval "$(site/dev/services.sh start)"   # starts both; stdout = export lines only
#   site/dev/services.sh stop
#   site/dev/services.sh status
#
# Progress messages go to stderr, so that only the `export ...` lines reach
# eval. Ports: PG_PORT (54329), ES_PORT (9201).
set -euo pipefail

DEV="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
PG_PORT="${PG_PORT:-54329}"
ES_PORT="${ES_PORT:-9201}"
export PG_PORT ES_PORT

case "${1:-}" in
  start)
    bash "$DEV/postgres.sh" start >&2
    bash "$DEV/search-engine.sh" start >&2
    echo "export DATABASE_URL=postgres://portal:portal@127.0.0.1:$PG_PORT/portal"
    echo "export SEARCH_URL=http://127.0.0.1:$ES_PORT"
    ;;
  stop)
    rc=0
    bash "$DEV/search-engine.sh" stop >&2 || rc=1
    bash "$DEV/postgres.sh" stop >&2 || rc=1
    exit "$rc"
    ;;
  status)
    rc=0
    bash "$DEV/postgres.sh" status >&2 || rc=1
    bash "$DEV/search-engine.sh" status >&2 || rc=1
    exit "$rc"
    ;;
  *) echo "usage: $0 {start|stop|status}" >&2; exit 2 ;;
esac
