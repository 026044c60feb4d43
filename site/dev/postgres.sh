#!/usr/bin/env bash
# Throw-away PostgreSQL cluster for the test suite.
#
#   site/dev/postgres.sh install   apt-get install postgresql if Debian's initdb/pg_ctl are missing
#   site/dev/postgres.sh start     initdb (once) .cache/pgdata, start on 127.0.0.1:$PG_PORT (default 54329),
#                                  ensure role/database portal; prints DATABASE_URL
#   site/dev/postgres.sh stop      pg_ctl stop -m fast
#   site/dev/postgres.sh status    exit 0 if it is running and accepting connections
#
# env: PG_PORT (54329), PG_WIPE=1 (re-create the cluster on start)
#
# Data: <repo>/.cache/pgdata (owned by the 'postgres' system user), socket and
# log: <repo>/.cache/pgrun. Durability is switched off (fsync, synchronous_commit,
# full_page_writes) -- it is a test database, never put real data in it.
set -euo pipefail

PG_PORT="${PG_PORT:-54329}"
PG_USER_OS="postgres"                 # system user that runs the server
DB_ROLE="portal"; DB_PASSWORD="portal"; DB_NAME="portal"

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
CACHE="$ROOT/.cache"
PGDATA_DIR="$CACHE/pgdata"
RUN_DIR="$CACHE/pgrun"                # unix socket + server log
LOG_FILE="$RUN_DIR/postgres.log"
DATABASE_URL="postgres://$DB_ROLE:$DB_PASSWORD@127.0.0.1:$PG_PORT/$DB_NAME"
cd /   # initdb/pg_ctl/psql run as 'postgres' and fail if they cannot enter the caller's cwd (e.g. /root)

log() { echo "[postgres] $*"; }
die() { echo "[postgres] ERROR: $*" >&2; exit 1; }
# shellcheck source=site/dev/lib.sh
. "$ROOT/site/dev/lib.sh"
need_root() { [ "$(id -u)" -eq 0 ] || die "must run as root (it runs the server as '$PG_USER_OS' via runuser)"; }

find_pgbin() {  # newest /usr/lib/postgresql/<ver>/bin having initdb and pg_ctl
  local d best="" best_v=0 v
  for d in /usr/lib/postgresql/*/bin; do
    if [ ! -x "$d/initdb" ] || [ ! -x "$d/pg_ctl" ]; then continue; fi
    v="$(basename "$(dirname "$d")")"; v="${v%%.*}"
    [[ "$v" =~ ^[0-9]+$ ]] || continue
    if [ "$v" -gt "$best_v" ]; then best="$d"; best_v="$v"; fi
  done
  echo "$best"
}

as_pg() { runuser -u "$PG_USER_OS" -- "$@"; }

cmd_install() {
  if [ -n "$(find_pgbin)" ] && id -u "$PG_USER_OS" >/dev/null 2>&1; then
    log "PostgreSQL is installed ($(find_pgbin))"; return 0
  fi
  need_root
  log "installing postgresql with apt-get"
  # Keep the package's postinst from starting Debian's own 'main' cluster on
  # :5432 (we run our own cluster) -- the usual policy-rc.d switch, only if
  # there is none already, removed right after.
  local policy=/usr/sbin/policy-rc.d made_policy=0
  if [ ! -e "$policy" ]; then
    printf '#!/bin/sh\nexit 101\n' > "$policy"; chmod 755 "$policy"; made_policy=1
    trap 'rm -f /usr/sbin/policy-rc.d' EXIT
  fi
  export DEBIAN_FRONTEND=noninteractive
  if ! apt-get install -y -q postgresql >/tmp/portal-pg-apt.log 2>&1; then
    log "apt-get install failed; running apt-get update and retrying"
    apt-get update -q >>/tmp/portal-pg-apt.log 2>&1 || true
    apt-get install -y -q postgresql >>/tmp/portal-pg-apt.log 2>&1 \
      || { tail -n 30 /tmp/portal-pg-apt.log >&2; die "apt-get install postgresql failed (log: /tmp/portal-pg-apt.log)"; }
  fi
  if [ "$made_policy" = 1 ]; then rm -f "$policy"; trap - EXIT; fi
  [ -n "$(find_pgbin)" ] || die "postgresql installed but no /usr/lib/postgresql/*/bin/initdb found"
  log "installed $(find_pgbin)"
}


running() { [ -n "${PGBIN:-}" ] && [ -f "$PGDATA_DIR/postmaster.pid" ] && as_pg "$PGBIN/pg_ctl" -D "$PGDATA_DIR" status >/dev/null 2>&1; }

ready() { "$PGBIN/pg_isready" -q -h 127.0.0.1 -p "$PG_PORT" -d postgres -t 2 >/dev/null 2>&1; }

init_cluster() {
  local locale_opt=(--no-locale)
  if locale -a 2>/dev/null | grep -qiE '^c\.utf-?8$'; then locale_opt=(--locale=C.UTF-8); fi
  rm -rf "$PGDATA_DIR"
  mkdir -p "$PGDATA_DIR"; chown "$PG_USER_OS:" "$PGDATA_DIR"; chmod 700 "$PGDATA_DIR"
  log "initdb $PGDATA_DIR ($("$PGBIN/postgres" --version))"
  as_pg "$PGBIN/initdb" -D "$PGDATA_DIR" -U postgres --encoding=UTF8 "${locale_opt[@]}" \
        --auth-local=trust --auth-host=trust > "$RUN_DIR/initdb.log" 2>&1 \
    || { cat "$RUN_DIR/initdb.log" >&2; die "initdb failed"; }
  cat >> "$PGDATA_DIR/postgresql.conf" <<EOF

# ---- site/dev/postgres.sh: throw-away test cluster, durability off ----
listen_addresses = '127.0.0.1'
fsync = off
synchronous_commit = off
full_page_writes = off
max_connections = 100
EOF
  # trust on loopback only (initdb --auth-host=trust wrote 127.0.0.1/32 and ::1/128 lines)
  sed -i -E '/^host\s+(all|replication)\s+all\s+(0\.0\.0\.0\/0|::\/0)/d' "$PGDATA_DIR/pg_hba.conf"
}

pg_start() {
  as_pg "$PGBIN/pg_ctl" -D "$PGDATA_DIR" -l "$LOG_FILE" -w -t 60 \
        -o "-p $PG_PORT -k $RUN_DIR -c listen_addresses=127.0.0.1" start >/dev/null
}

cmd_start() {
  need_root
  [ -n "$(find_pgbin)" ] || cmd_install
  PGBIN="$(find_pgbin)"
  if running && ready; then
    log "already running on 127.0.0.1:$PG_PORT (data ${PGDATA_DIR#"$ROOT"/})"
  else
    if running; then
      log "a server runs on ${PGDATA_DIR#"$ROOT"/} but not on port $PG_PORT; restarting it"; cmd_stop
    fi
    if ready; then die "port $PG_PORT is taken by another PostgreSQL (not ${PGDATA_DIR#"$ROOT"/}); stop it or set PG_PORT"; fi
    mkdir -p "$CACHE" "$RUN_DIR"; chmod 755 "$CACHE"
    chown "$PG_USER_OS:" "$RUN_DIR"; chmod 755 "$RUN_DIR"
    check_traversable "$PG_USER_OS" "$RUN_DIR"
    local fresh=0 t0; t0=$(date +%s.%N)
    if [ "${PG_WIPE:-0}" = 1 ] || [ ! -s "$PGDATA_DIR/PG_VERSION" ] \
       || [ "$(cat "$PGDATA_DIR/PG_VERSION")" != "$(basename "$(dirname "$PGBIN")")" ]; then
      init_cluster; fresh=1
    fi
    if ! pg_start; then
      tail -n 20 "$LOG_FILE" >&2 || true
      [ "$fresh" = 0 ] || die "could not start PostgreSQL (log: $LOG_FILE)"
      log "existing cluster did not start; re-creating it"
      init_cluster; pg_start || { tail -n 20 "$LOG_FILE" >&2; die "could not start PostgreSQL (log: $LOG_FILE)"; }
    fi
    log "started PostgreSQL $(basename "$(dirname "$PGBIN")") on 127.0.0.1:$PG_PORT in $(awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN{printf "%.1f", b-a}')s (pid $(head -n1 "$PGDATA_DIR/postmaster.pid"))"
  fi
  # role + database (idempotent)
  as_pg "$PGBIN/psql" -X -q -h "$RUN_DIR" -p "$PG_PORT" -U postgres -d postgres -v ON_ERROR_STOP=1 <<SQL >/dev/null
DO \$\$ BEGIN
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '$DB_ROLE') THEN
    CREATE ROLE $DB_ROLE LOGIN SUPERUSER CREATEDB PASSWORD '$DB_PASSWORD';
  ELSE
    ALTER ROLE $DB_ROLE LOGIN SUPERUSER CREATEDB PASSWORD '$DB_PASSWORD';
  END IF;
END \$\$;
SELECT 'CREATE DATABASE $DB_NAME OWNER $DB_ROLE ENCODING ''UTF8'' TEMPLATE template0'
 WHERE NOT EXISTS (SELECT FROM pg_database WHERE datname = '$DB_NAME')\gexec
SQL
  PGPASSWORD="$DB_PASSWORD" "$PGBIN/psql" -X -q -At "$DATABASE_URL" -c 'select 1' >/dev/null \
    || die "cannot connect with $DATABASE_URL"
  log "DATABASE_URL=$DATABASE_URL"
}

cmd_stop() {
  PGBIN="$(find_pgbin)"
  if [ -z "$PGBIN" ] || ! running; then log "not running"; return 0; fi
  as_pg "$PGBIN/pg_ctl" -D "$PGDATA_DIR" -m fast -w -t 60 stop >/dev/null
  log "stopped"
}

cmd_status() {
  PGBIN="$(find_pgbin)"
  [ -n "$PGBIN" ] || { log "PostgreSQL is not installed"; return 1; }
  if running && ready; then log "running on 127.0.0.1:$PG_PORT ($DATABASE_URL)"; return 0; fi
  log "not running"; return 1
}

case "${1:-}" in
  install) cmd_install ;;
  start)   cmd_start ;;
  stop)    cmd_stop ;;
  status)  cmd_status ;;
  *) echo "usage: $0 {install|start|stop|status}   (env: PG_PORT=54329 PG_WIPE=1)" >&2; exit 2 ;;
esac
