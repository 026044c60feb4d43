#!/usr/bin/env bash
# Throw-away search engine (Elasticsearch-API compatible) for the test suite.
#
#   site/dev/search-engine.sh fetch    download from Maven Central (mvn) + unzip into .cache/elasticsearch/
#   site/dev/search-engine.sh start    start on 127.0.0.1:$ES_PORT (default 9201) with empty data
#   site/dev/search-engine.sh stop     stop it (pid file) and wait for it to exit
#   site/dev/search-engine.sh status   exit 0 if it is running and healthy
#
# env: ES_PORT (9201), ES_HEAP (512m), ES_START_TIMEOUT (180), SEARCH_ENGINE (opensearch|elasticsearch),
#      ES_JAVA_HOME (a JDK to use instead of the detected /usr/lib/jvm/temurin-*)
#
# Everything lives under <repo>/.cache/ (git-ignored). Outside the repo it only
# uses ~/.m2 (Maven's cache) and a system user, portal-es, that runs the engine
# (Elasticsearch/OpenSearch refuse to run as root).
set -euo pipefail

# ---- choice of engine ---------------------------------------------------------
# Only the "integ-test-zip" distributions are on Maven Central.
#  * Elasticsearch: newest that resolves is 9.5.3 (9.3.x is 404; the artifact's
#    maven-metadata.xml is stale, it stops at 8.19.21). But the ES 8.x/9.x
#    integ-test-zips are MINIMAL: modules apm, transport-netty4, x-pack-core,
#    x-pack-security only. No analysis-common => no ngram/edge_ngram/asciifolding/
#    cjk/..., so Wagtail's (django-modelsearch's) index settings are rejected
#    ("Unknown tokenizer type [ngram]"), and Maven Central has no ES 9
#    analysis-kuromoji / analysis-icu plugin.
#  * OpenSearch 3.8.0's integ-test-zip ships the full module set (analysis-common,
#    lang-painless, mapper-extras, reindex, ...), and Maven Central has the
#    org.opensearch.plugin:analysis-kuromoji:3.8.0 jar, from which `fetch`
#    assembles and installs the kuromoji plugin offline. (OpenSearch 2.19.x's
#    integ-test-zip is minimal too: transport-netty4 only.)
# => default: OpenSearch 3.8.0 + analysis-kuromoji. Django side: it needs the
#    opensearch-py client and wagtail.search.backends.opensearch3 -- the
#    elasticsearch-py 8/9 client refuses any non-Elastic server
#    (UnsupportedProductError). SEARCH_ENGINE=elasticsearch runs ES 9.5.3
#    instead; Wagtail's elasticsearch9 backend then only creates its index if
#    INDEX_SETTINGS swaps the ngram/edge_ngram/asciifolding parts for built-ins
#    (autocomplete degrades, Japanese is one token per character).
ENGINE="${SEARCH_ENGINE:-opensearch}"
OPENSEARCH_VERSION="3.8.0"
ES_VERSION="9.5.3"
OPENSEARCH_PLUGINS="analysis-kuromoji"   # assembled from Maven Central jars by `fetch`

ES_PORT="${ES_PORT:-9201}"
ES_HEAP="${ES_HEAP:-512m}"
ES_USER="${ES_USER:-portal-es}"
START_TIMEOUT="${ES_START_TIMEOUT:-180}"   # seconds; 15-30 s on an idle box, up to ~80 s seen under load

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
CACHE="$ROOT/.cache"

case "$ENGINE" in
  opensearch)
    VERSION="$OPENSEARCH_VERSION"
    GROUP="org.opensearch.distribution.integ-test-zip"
    ARTIFACT="opensearch"
    if [ "${VERSION%%.*}" -ge 3 ]; then MIN_JAVA=21; else MIN_JAVA=11; fi
    ENV_PREFIX="OPENSEARCH"
    ;;
  elasticsearch)
    VERSION="$ES_VERSION"
    GROUP="org.elasticsearch.distribution.integ-test-zip"
    ARTIFACT="elasticsearch"
    if [ "${VERSION%%.*}" -ge 9 ]; then MIN_JAVA=21; else MIN_JAVA=17; fi
    ENV_PREFIX="ES"
    ;;
  *) echo "search-engine.sh: unknown SEARCH_ENGINE '$ENGINE' (opensearch|elasticsearch)" >&2; exit 2 ;;
esac

DIST_DIR="$CACHE/elasticsearch"                 # downloads + unzipped distributions (root-owned, read-only use)
HOME_DIR="$DIST_DIR/$ARTIFACT-$VERSION"
FETCH_MARK="$HOME_DIR/.portal-fetched"
STATE="$CACHE/elasticsearch-data"               # config/, data/, logs/, tmp/ -- owned by $ES_USER, wiped on start
CONF_DIR="$STATE/config"
PID_FILE="$STATE/search.pid"                    # written by the engine itself (-p)
LAUNCHER_PID_FILE="$STATE/launcher.pid"
CONSOLE_LOG="$STATE/console.log"
URL="http://127.0.0.1:$ES_PORT"

log() { echo "[search] $*"; }
die() { echo "[search] ERROR: $*" >&2; exit 1; }
# shellcheck source=site/dev/lib.sh
. "$ROOT/site/dev/lib.sh"

need_root() { [ "$(id -u)" -eq 0 ] || die "must run as root (it creates the '$ES_USER' user and chowns .cache dirs)"; }

mvn_q() {  # quiet mvn; its output is shown only on failure
  local out rc=0; out="$(mvn -B -q -Dstyle.color=never "$@" 2>&1)" || rc=$?
  if [ "$rc" -ne 0 ]; then printf '%s\n' "$out" | tail -n 30 >&2; fi
  return "$rc"
}

# ---- java ---------------------------------------------------------------------
java_major() {  # $1 = JDK home -> feature version (e.g. 25), or nothing
  local v=""
  [ -f "$1/release" ] && v="$(sed -n 's/^JAVA_VERSION="\([^"]*\)".*/\1/p' "$1/release")"
  if [ -z "$v" ] && [ -x "$1/bin/java" ]; then
    v="$("$1/bin/java" -version 2>&1 | sed -n 's/.*version "\([^"]*\)".*/\1/p' | head -n1)"
  fi
  v="${v#1.}"; echo "${v%%[.+-]*}"
}

find_java() {
  if [ -n "${ES_JAVA_HOME:-}" ]; then
    local m; m="$(java_major "$ES_JAVA_HOME")"
    if [ -n "$m" ] && [ "$m" -ge "$MIN_JAVA" ]; then echo "$ES_JAVA_HOME"; return; fi
    echo "[search] warning: ES_JAVA_HOME=$ES_JAVA_HOME is Java '${m:-?}' (< $MIN_JAVA); ignoring it" >&2
  fi
  local best="" best_m=0 d m
  for d in /usr/lib/jvm/temurin-*; do
    [ -x "$d/bin/java" ] || continue
    m="$(java_major "$d")"
    [ -n "$m" ] || continue
    if [ "$m" -ge "$MIN_JAVA" ] && [ "$m" -gt "$best_m" ]; then best="$d"; best_m="$m"; fi
  done
  [ -n "$best" ] || die "$ENGINE $VERSION needs Java $MIN_JAVA+, but no JDK /usr/lib/jvm/temurin-* of version >= $MIN_JAVA was found (install one, or set ES_JAVA_HOME)"
  echo "$best"
}

# ---- fetch --------------------------------------------------------------------
cmd_fetch() {
  if [ -f "$FETCH_MARK" ]; then
    log "$ENGINE $VERSION already fetched in ${HOME_DIR#"$ROOT"/}"
    return 0
  fi
  command -v mvn >/dev/null || die "mvn not found (Maven is needed to download $GROUP:$ARTIFACT:$VERSION)"
  if ! command -v unzip >/dev/null; then
    need_root; log "installing unzip (apt)"
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q unzip >/dev/null \
      || { apt-get update -q >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -q unzip >/dev/null; }
  fi
  local t0; t0=$(date +%s)
  mkdir -p "$DIST_DIR"; chmod 755 "$CACHE" "$DIST_DIR"
  local zip="$DIST_DIR/$ARTIFACT-$VERSION.zip"
  log "downloading $GROUP:$ARTIFACT:$VERSION:zip with mvn"
  # run in the cache dir so that no project pom.xml is picked up
  (cd "$DIST_DIR" && mvn_q dependency:copy "-Dartifact=$GROUP:$ARTIFACT:$VERSION:zip" "-DoutputDirectory=$DIST_DIR") \
    || die "mvn could not resolve $GROUP:$ARTIFACT:$VERSION:zip from Maven Central"
  [ -s "$zip" ] || die "mvn produced no $zip"
  log "unzipping $(basename "$zip")"
  rm -rf "$HOME_DIR" "$DIST_DIR/.unzip"
  mkdir -p "$DIST_DIR/.unzip"
  unzip -q "$zip" -d "$DIST_DIR/.unzip"
  [ -d "$DIST_DIR/.unzip/$ARTIFACT-$VERSION" ] || die "unexpected zip layout (no $ARTIFACT-$VERSION/ inside)"
  mv "$DIST_DIR/.unzip/$ARTIFACT-$VERSION" "$HOME_DIR"; rmdir "$DIST_DIR/.unzip"
  rm -f "$zip"   # a copy stays in ~/.m2
  if [ "$ENGINE" = opensearch ]; then
    local p; for p in $OPENSEARCH_PLUGINS; do install_opensearch_plugin "$p"; done
  fi
  chmod -R a+rX "$HOME_DIR"
  touch "$FETCH_MARK"
  log "fetched $ENGINE $VERSION in $(( $(date +%s) - t0 ))s -> ${HOME_DIR#"$ROOT"/}"
  log "modules: $(find "$HOME_DIR/modules" -mindepth 1 -maxdepth 1 -type d -printf '%f\n' | sort | tr '\n' ' ')"
  log "plugins: $(find "$HOME_DIR/plugins" -mindepth 1 -maxdepth 1 -type d -printf '%f ' 2>/dev/null)"
}

# OpenSearch publishes no plugin zip on Maven Central for 3.x, but it does
# publish the plugin jar (org.opensearch.plugin:NAME:VERSION) whose pom names
# its runtime jars (e.g. lucene-analysis-kuromoji). Assemble the plugin zip
# from those (same layout as the official one) and install it with the
# distribution's own opensearch-plugin tool, offline (file://).
install_opensearch_plugin() {
  local name="$1" work="$DIST_DIR/plugin-build/$1" java cls
  java="$(find_java)"
  rm -rf "$work"; mkdir -p "$work/jars"
  cat > "$work/pom.xml" <<EOF
<project xmlns="http://maven.apache.org/POM/4.0.0">
  <modelVersion>4.0.0</modelVersion>
  <groupId>local.portal</groupId><artifactId>fetch-$name</artifactId><version>0</version>
  <packaging>pom</packaging>
  <dependencies>
    <dependency><groupId>org.opensearch.plugin</groupId><artifactId>$name</artifactId><version>$VERSION</version></dependency>
  </dependencies>
</project>
EOF
  log "downloading plugin org.opensearch.plugin:$name:$VERSION (+ its runtime jars) with mvn"
  mvn_q -f "$work/pom.xml" dependency:copy-dependencies -DincludeScope=runtime "-DoutputDirectory=$work/jars" \
    || die "mvn could not resolve org.opensearch.plugin:$name:$VERSION"
  [ -s "$work/jars/$name-$VERSION.jar" ] || die "no $name-$VERSION.jar downloaded"
  # jars the distribution already has (lucene-core, ...) must not be duplicated (jar hell)
  local j; for j in "$work/jars"/*.jar; do
    if [ -e "$HOME_DIR/lib/$(basename "$j")" ]; then rm -f "$j"; fi
  done
  cls="$(unzip -Z1 "$work/jars/$name-$VERSION.jar" | grep -E '^org/opensearch/plugin/.*Plugin\.class$' | head -n1)"
  [ -n "$cls" ] || die "cannot find the plugin class in $name-$VERSION.jar"
  cls="${cls%.class}"; cls="${cls//\//.}"
  cat > "$work/jars/plugin-descriptor.properties" <<EOF
description=$name plugin, assembled from Maven Central jars by site/dev/search-engine.sh
version=$VERSION
name=$name
classname=$cls
java.version=$MIN_JAVA
opensearch.version=$VERSION
custom.foldername=
extended.plugins=
has.native.controller=false
EOF
  (cd "$work/jars" && "$java/bin/jar" -c -M -f "$work/$name-$VERSION.zip" .)
  OPENSEARCH_JAVA_HOME="$java" "$HOME_DIR/bin/opensearch-plugin" install --batch "file://$work/$name-$VERSION.zip" \
    > "$work/install.log" 2>&1 || { cat "$work/install.log" >&2; die "opensearch-plugin install $name failed"; }
  log "installed plugin $name ($cls)"
  rm -rf "$work"; rmdir "$DIST_DIR/plugin-build" 2>/dev/null || true
}

# ---- helpers ------------------------------------------------------------------
proc_up() {  # $1 = pid; true if the process exists and is not a zombie (PID 1 here may reap late)
  [ -n "$1" ] && kill -0 "$1" 2>/dev/null || return 1
  [ "$(awk '{print $3}' "/proc/$1/stat" 2>/dev/null)" != Z ]
}

pid_alive() {  # $1 = pid file; true if its pid is a live process started from this repo's .cache
  local pid
  [ -s "$1" ] || return 1
  pid="$(tr -dc '0-9' < "$1")"
  proc_up "$pid" || return 1
  tr '\0' ' ' < "/proc/$pid/cmdline" 2>/dev/null | grep -qF -- "$DIST_DIR/"
}

runs_this_version() {  # pid file's process runs $HOME_DIR (not another engine/version from .cache)
  pid_alive "$1" && tr '\0' ' ' < "/proc/$(tr -dc '0-9' < "$1")/cmdline" 2>/dev/null | grep -qF -- "$HOME_DIR/"
}

healthy() {
  curl -fsS -m 5 "$URL/_cluster/health?wait_for_status=yellow&timeout=3s" 2>/dev/null \
    | grep -Eq '"status" *: *"(green|yellow)"'
}

describe() {  # "opensearch 3.8.0" from the running node
  local v
  v="$(curl -fsS -m 5 "$URL/_nodes/_local?filter_path=nodes.*.version" 2>/dev/null \
       | grep -o '"version" *: *"[^"]*"' | head -n1 | sed 's/.*: *"\(.*\)"/\1/')" || true
  echo "$ENGINE ${v:-?}"
}


ensure_user() {
  if ! id -u "$ES_USER" >/dev/null 2>&1; then
    log "creating system user $ES_USER"
    useradd --system --user-group --no-create-home --home-dir /nonexistent --shell /usr/sbin/nologin "$ES_USER"
  fi
}

write_config() {
  local mods="$HOME_DIR/modules" plugs="$HOME_DIR/plugins" yml="$CONF_DIR/$ENGINE.yml"
  rm -rf "$CONF_DIR"; cp -r "$HOME_DIR/config" "$CONF_DIR"
  {
    echo "# generated by site/dev/search-engine.sh -- throw-away single-node test cluster"
    echo "cluster.name: portal-test"
    echo "node.name: portal-test-1"
    echo "network.host: 127.0.0.1"
    echo "http.port: $ES_PORT"
    echo "discovery.type: single-node"
    echo "path.data: $STATE/data"
    echo "path.logs: $STATE/logs"
    echo "cluster.routing.allocation.disk.threshold_enabled: false"
    echo "action.destructive_requires_name: false"
    # Only settings whose module/plugin is in this distribution: an unknown
    # setting makes the node refuse to start.
    if [ -d "$mods/x-pack-security" ]; then echo "xpack.security.enabled: false"; fi
    if [ -d "$mods/x-pack-ml" ]; then echo "xpack.ml.enabled: false"; fi
    if [ "$ENGINE" = elasticsearch ] && [ -d "$mods/ingest-geoip" ]; then echo "ingest.geoip.downloader.enabled: false"; fi
    if [ -d "$plugs/opensearch-security" ]; then echo "plugins.security.disabled: true"; fi
  } > "$yml"
  # jvm.options: paths relative to the distribution dir would be written into
  # the (read-only) distribution; point them at $STATE instead.
  sed -i -e "s#file=logs/gc.log#file=$STATE/logs/gc.log#" \
         -e "s#file=gc.log#file=$STATE/logs/gc.log#" \
         -e "s#ErrorFile=logs/hs_err#ErrorFile=$STATE/logs/hs_err#" \
         -e "s#ErrorFile=hs_err#ErrorFile=$STATE/logs/hs_err#" \
         -e "s#HeapDumpPath=data\$#HeapDumpPath=$STATE/logs#" "$CONF_DIR/jvm.options"
}

# ---- start / stop / status ----------------------------------------------------
cmd_status() {
  if runs_this_version "$PID_FILE" && healthy; then
    log "running and healthy on $URL ($(describe), pid $(cat "$PID_FILE"))"
    return 0
  fi
  if pid_alive "$PID_FILE" || pid_alive "$LAUNCHER_PID_FILE"; then
    log "running but not healthy, or not $ENGINE $VERSION, on $URL"; return 1
  fi
  log "not running"; return 1
}

cmd_start() {
  need_root
  if runs_this_version "$PID_FILE" && healthy; then
    log "already running and healthy on $URL ($(describe), pid $(cat "$PID_FILE"))"
    return 0
  fi
  if pid_alive "$PID_FILE" || pid_alive "$LAUNCHER_PID_FILE"; then
    log "a previous instance (unhealthy, or another engine/version) is running; restarting"
    cmd_stop
  fi
  if curl -s -m 2 -o /dev/null "$URL/" 2>/dev/null; then
    die "port $ES_PORT is in use by a process not started from $CACHE; stop it or set ES_PORT"
  fi
  [ -f "$FETCH_MARK" ] || cmd_fetch
  local java; java="$(find_java)"
  ensure_user

  # fresh state on every start: tests begin with an empty cluster
  rm -rf "$STATE"
  mkdir -p "$STATE/data" "$STATE/logs" "$STATE/tmp"
  chmod 755 "$CACHE"
  write_config
  chown -R "$ES_USER:" "$STATE"
  chmod 750 "$STATE"
  check_traversable "$ES_USER" "$HOME_DIR/bin"

  log "starting $ENGINE $VERSION on $URL (heap $ES_HEAP, Java $(java_major "$java") from $java)"
  local t0; t0=$(date +%s.%N)
  # setsid + nohup: the node outlives this script and its terminal/session
  ( cd "$STATE" && exec setsid nohup runuser -u "$ES_USER" -- \
      env -u JAVA_HOME -u JAVA_TOOL_OPTIONS -u _JAVA_OPTIONS HOME="$STATE" \
      "${ENV_PREFIX}_JAVA_HOME=$java" "${ENV_PREFIX}_PATH_CONF=$CONF_DIR" \
      "${ENV_PREFIX}_TMPDIR=$STATE/tmp" "${ENV_PREFIX}_JAVA_OPTS=-Xms$ES_HEAP -Xmx$ES_HEAP" \
      "$HOME_DIR/bin/$ARTIFACT" -p "$PID_FILE" > "$CONSOLE_LOG" 2>&1 < /dev/null ) &
  echo $! > "$LAUNCHER_PID_FILE"

  local deadline=$(( $(date +%s) + START_TIMEOUT ))
  until healthy; do
    if ! proc_up "$(cat "$LAUNCHER_PID_FILE")"; then
      echo "----- last lines of $CONSOLE_LOG -----" >&2; tail -n 40 "$CONSOLE_LOG" >&2 || true
      die "$ENGINE exited during start-up (logs: $CONSOLE_LOG, $STATE/logs/)"
    fi
    if [ "$(date +%s)" -ge "$deadline" ]; then
      echo "----- last lines of $CONSOLE_LOG -----" >&2; tail -n 40 "$CONSOLE_LOG" >&2 || true
      cmd_stop || true
      die "$ENGINE did not become healthy within ${START_TIMEOUT}s"
    fi
    sleep 0.5
  done
  # single node: no replicas, so indices the tests create turn green, not yellow
  curl -fsS -m 10 -XPUT "$URL/_index_template/portal-test-no-replicas" -H 'Content-Type: application/json' \
       -d '{"index_patterns":["*"],"priority":0,"template":{"settings":{"number_of_replicas":0}}}' >/dev/null \
    || log "warning: could not install the no-replicas index template"
  local secs; secs="$(awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN{printf "%.1f", b-a}')"
  log "up: $(describe) on $URL, healthy after ${secs}s (pid $(cat "$PID_FILE" 2>/dev/null || echo '?'))"
}

cmd_stop() {
  local f pid stopped=0
  for f in "$PID_FILE" "$LAUNCHER_PID_FILE"; do
    pid_alive "$f" || continue
    pid="$(tr -dc '0-9' < "$f")"
    log "stopping pid $pid"
    kill -TERM "$pid" 2>/dev/null || true
    for _ in $(seq 1 120); do proc_up "$pid" || break; sleep 0.5; done
    if proc_up "$pid"; then
      log "pid $pid still alive after 60s; killing it"; kill -KILL "$pid" 2>/dev/null || true; sleep 1
    fi
    stopped=1
  done
  # the launcher (runuser -> cli) exits by itself once the server is gone
  if [ -s "$LAUNCHER_PID_FILE" ]; then
    pid="$(tr -dc '0-9' < "$LAUNCHER_PID_FILE")"
    for _ in $(seq 1 20); do proc_up "$pid" || break; sleep 0.5; done
  fi
  rm -f "$PID_FILE" "$LAUNCHER_PID_FILE"
  if [ "$stopped" = 1 ]; then log "stopped"; else log "not running"; fi
}

case "${1:-}" in
  fetch)  cmd_fetch ;;
  start)  cmd_start ;;
  stop)   cmd_stop ;;
  status) cmd_status ;;
  *) echo "usage: $0 {fetch|start|stop|status}   (env: ES_PORT=9201 ES_HEAP=512m SEARCH_ENGINE=opensearch|elasticsearch)" >&2; exit 2 ;;
esac
