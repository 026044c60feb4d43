# The two set-up commands: `make run` (serve the portal on the embedded default) and
# `make test` (the whole suite, starting PostgreSQL and Elasticsearch). See README.md.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PORT ?= 8000
HOST ?= 127.0.0.1
LOCAL := .local
ADMIN_EMAIL ?= admin@example.jp
# Pytest options for a developer's own runs, e.g. `make test PYTEST_ARGS="-k district -x"`.
PYTEST_ARGS ?=

.PHONY: run serve install install-dev test test-unit test-integration services-start services-stop bench bench-search lint lint-docker clean

$(VENV)/.installed: requirements.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet -r requirements.txt
	touch $@

$(VENV)/.installed-dev: $(VENV)/.installed requirements-dev.txt
	$(PY) -m pip install --quiet -r requirements-dev.txt
	touch $@

install: $(VENV)/.installed
install-dev: $(VENV)/.installed-dev

# Secrets of the local instance: generated once, kept in .local/ (git-ignored), never fixed.
$(LOCAL)/secret_key:
	mkdir -p $(LOCAL) && umask 077 && $(PYTHON) -c "import secrets; print(secrets.token_urlsafe(50))" > $@
$(LOCAL)/admin_password:
	mkdir -p $(LOCAL) && umask 077 && $(PYTHON) -c "import secrets; print(secrets.token_urlsafe(18))" > $@
$(LOCAL)/field_encryption_key:
	mkdir -p $(LOCAL) && umask 077 && $(PYTHON) -c "import base64, secrets; print(base64.urlsafe_b64encode(secrets.token_bytes(32)).decode())" > $@
$(LOCAL)/field_hash_key:
	mkdir -p $(LOCAL) && umask 077 && $(PYTHON) -c "import secrets; print(secrets.token_urlsafe(32))" > $@

run: $(VENV)/.installed $(LOCAL)/secret_key $(LOCAL)/admin_password $(LOCAL)/field_encryption_key $(LOCAL)/field_hash_key
	@export DEBUG=true SECRET_KEY="$$(cat $(LOCAL)/secret_key)" BASE_URL="$${BASE_URL:-http://$(HOST):$(PORT)}" \
	  FIELD_ENCRYPTION_KEYS="$${FIELD_ENCRYPTION_KEYS:-$$(cat $(LOCAL)/field_encryption_key)}" \
	  FIELD_HASH_KEY="$${FIELD_HASH_KEY:-$$(cat $(LOCAL)/field_hash_key)}"; \
	set -e; \
	$(PY) manage.py migrate --noinput -v 0; \
	$(PY) manage.py ensure_admin --email "$(ADMIN_EMAIL)" --password-file $(LOCAL)/admin_password; \
	$(PY) manage.py seed_demo; \
	$(PY) manage.py translate_demo; \
	$(PY) manage.py rebuild_search_index -v 0; \
	echo ""; \
	echo "新宿地域ポータル:   http://$(HOST):$(PORT)/"; \
	echo "管理画面 (admin):   http://$(HOST):$(PORT)/admin/"; \
	echo "  メールアドレス:   $(ADMIN_EMAIL)"; \
	echo "  パスワード:       $$(cat $(LOCAL)/admin_password)   (保存先: $(LOCAL)/admin_password)"; \
	echo "API:                http://$(HOST):$(PORT)/api/v3/docs/"; \
	echo ""; \
	exec $(PY) manage.py runserver "$(HOST):$(PORT)"

# The production configuration on this machine: gunicorn with site/gunicorn.conf.py (its worker count
# for the CPUs here), DEBUG off, static files collected and served by WhiteNoise, the anonymous page
# cache on; the same .local keys and demo as `make run`, on the embedded default unless DATABASE_URL,
# SEARCH_URL, REDIS_URL... are set. Plain http on HOST:PORT, so no https redirect, HSTS or Secure cookies.
# Without RECAPTCHA_* keys the forms use Google's test keys, which production's system checks refuse:
# the set-up commands here skip the checks (gunicorn runs none).
serve: $(VENV)/.installed $(LOCAL)/secret_key $(LOCAL)/admin_password $(LOCAL)/field_encryption_key $(LOCAL)/field_hash_key
	@export DEBUG=false SECRET_KEY="$${SECRET_KEY:-$$(cat $(LOCAL)/secret_key)}" BASE_URL="$${BASE_URL:-http://$(HOST):$(PORT)}" \
	  FIELD_ENCRYPTION_KEYS="$${FIELD_ENCRYPTION_KEYS:-$$(cat $(LOCAL)/field_encryption_key)}" \
	  FIELD_HASH_KEY="$${FIELD_HASH_KEY:-$$(cat $(LOCAL)/field_hash_key)}" \
	  ALLOWED_HOSTS="$${ALLOWED_HOSTS:-$(HOST),localhost,127.0.0.1}" SECURE_SSL_REDIRECT=false SECURE_COOKIES=false \
	  SECURE_HSTS_SECONDS=0 PORT=$(PORT); \
	set -e; \
	$(PY) manage.py migrate --noinput -v 0 --skip-checks; \
	$(PY) manage.py ensure_admin --email "$(ADMIN_EMAIL)" --password-file $(LOCAL)/admin_password --skip-checks; \
	$(PY) manage.py seed_demo --skip-checks; \
	$(PY) manage.py translate_demo --skip-checks; \
	$(PY) manage.py rebuild_search_index -v 0 --skip-checks; \
	$(PY) manage.py collectstatic --noinput -v 0 --skip-checks; \
	echo ""; \
	echo "新宿地域ポータル (production configuration): http://$(HOST):$(PORT)/   admin: $(ADMIN_EMAIL) / $(LOCAL)/admin_password"; \
	exec $(VENV)/bin/gunicorn -c site/gunicorn.conf.py --bind "$(HOST):$(PORT)" portal.wsgi:application

services-start:
	bash site/dev/services.sh start
services-stop:
	bash site/dev/services.sh stop

# The code's own checks: ruff (pyproject.toml) and the import contracts that encode the map's
# directions (ARCHITECTURE.md; [tool.importlinter] in pyproject.toml).
lint: $(VENV)/.installed-dev
	@echo "== lint: ruff, import contracts =="
	$(VENV)/bin/ruff check .
	$(VENV)/bin/lint-imports --no-cache

# Lint, unit tests on SQLite, then integration tests on PostgreSQL, the search engine, SMTP and a
# browser. The services are started here and stopped at the end, whatever the outcome.
test: $(VENV)/.installed-dev
	@set -o pipefail; \
	lint_status=0; $(MAKE) --no-print-directory lint || lint_status=$$?; \
	bash site/dev/install-test-tools.sh || exit 1; \
	trap 'bash site/dev/services.sh stop' EXIT; \
	exports=$$(bash site/dev/services.sh start) || { echo "services did not start" >&2; exit 1; }; \
	eval "$$exports"; \
	status=0; \
	echo "== unit tests (SQLite, database search) =="; \
	env -u DATABASE_URL -u SEARCH_URL $(PY) -m pytest tests --ignore=tests/integration --ignore=tests/bench $(PYTEST_ARGS) || status=$$?; \
	echo "== integration tests (PostgreSQL $$DATABASE_URL, search $$SEARCH_URL) =="; \
	$(PY) -m pytest tests/integration $(PYTEST_ARGS) || status=$$?; \
	if [ "$$lint_status" != 0 ]; then echo "lint failed (see the top of this output)" >&2; status=$$lint_status; fi; \
	exit $$status

test-unit: $(VENV)/.installed-dev
	env -u DATABASE_URL -u SEARCH_URL $(PY) -m pytest tests --ignore=tests/integration --ignore=tests/bench $(PYTEST_ARGS)

# Benchmarks: speed and memory goals (not part of `make test`). BENCH_SCALE=100 for a quick run.
bench: $(VENV)/.installed-dev
	BENCH=1 $(PY) -m pytest tests/bench -s $(PYTEST_ARGS)

# Search benchmark: recall@10 and MRR on tests/search/relevance.py, and latency (median, p95) at
# BENCH_SEARCH_DOCS indexed documents (100,000), per backend: SQLite (embedded default), then
# PostgreSQL and the search engine, started here (PG_PORT, ES_PORT) and stopped at the end.
bench-search: $(VENV)/.installed-dev
	@set -o pipefail; \
	trap 'bash site/dev/services.sh stop' EXIT; \
	exports=$$(bash site/dev/services.sh start) || { echo "services did not start" >&2; exit 1; }; \
	eval "$$exports"; \
	status=0; \
	echo "== search benchmark: SQLite (embedded default, database backend) =="; \
	env -u DATABASE_URL -u SEARCH_URL BENCH_SEARCH=1 LOG_LEVEL=WARNING $(PY) -m pytest tests/bench/test_search_bench.py -q -s -p no:logging $(PYTEST_ARGS) || status=$$?; \
	echo "== search benchmark: PostgreSQL (database backend) and the search engine =="; \
	BENCH_SEARCH=1 LOG_LEVEL=WARNING $(PY) -m pytest tests/bench/test_search_bench.py -q -s -p no:logging $(PYTEST_ARGS) || status=$$?; \
	exit $$status

# Web benchmark (tests/bench/test_web_bench.py; never in `make test`): requests/s of cached anonymous
# pages through gunicorn alone (site/gunicorn.conf.py) and through nginx's micro-cache (site/nginx.conf),
# against nginx serving the same home HTML as a file (the yardstick), interleaved, wrk without
# keep-alive; the uncached render p95 (tests/bench/test_render_bench.py); a burst of 200 clients while a
# page is published. Embedded default unless DATABASE_URL is set. BENCH_WEB_SECONDS per run (10).
.PHONY: bench-web
bench-web: $(VENV)/.installed-dev
	bash site/dev/install-test-tools.sh
	env -u SEARCH_URL BENCH=1 LOG_LEVEL=WARNING $(PY) -m pytest tests/bench/test_web_bench.py -q -s -p no:logging -p no:cacheprovider $(PYTEST_ARGS)
	@if [ -f tests/bench/test_render_bench.py ]; then \
	  echo "== uncached render (tests/bench/test_render_bench.py) =="; \
	  env -u SEARCH_URL BENCH=1 LOG_LEVEL=WARNING $(PY) -m pytest tests/bench/test_render_bench.py -q -s -p no:logging -p no:cacheprovider $(PYTEST_ARGS); \
	fi

lint-docker:
	bash site/lint.sh

clean:
	rm -rf $(VENV) staticfiles .pytest_cache

# Ads benchmark: choosing a page's ads (p95 ≤ 2 ms with 1,000 active bookings) and counting
# (≥ 2,000 impressions/s with batched writes), on the embedded default (SQLite, local-memory cache).
.PHONY: bench-ads
bench-ads: $(VENV)/.installed-dev
	env -u DATABASE_URL -u SEARCH_URL BENCH=1 LOG_LEVEL=WARNING $(PY) -m pytest tests/bench/test_ads_bench.py -q -s -p no:logging $(PYTEST_ARGS)

# Faults benchmark: 200 concurrent board posts from 20 members while PostgreSQL goes away for 3 s (through a
# fault proxy: sent, stored, refused, lost = 0, recovery seconds), and a flood of BENCH_FAULTS_FLOOD (10,000)
# posts from one member (429s, another member's p95 before and during). Production web process (gunicorn);
# needs PostgreSQL and the search engine: eval "$$(bash site/dev/services.sh start)" first.
.PHONY: bench-faults
bench-faults: $(VENV)/.installed-dev
	@test -n "$$DATABASE_URL" -a -n "$$SEARCH_URL" || { echo "bench-faults needs DATABASE_URL (PostgreSQL) and SEARCH_URL" >&2; exit 1; }
	BENCH=1 LOG_LEVEL=WARNING $(PY) -m pytest tests/bench/bench_faults.py -q -s -p no:logging -p no:cacheprovider $(PYTEST_ARGS)

# Newsletter benchmark: an issue to 100,000 confirmed subscribers (BENCH_NEWSLETTER_SUBSCRIBERS) delivered over
# SMTP to a local sink at ≥ 200 messages/s, the worker's memory growth < 50 MB, and a worker killed halfway
# (SIGKILL) then restarted: 0 duplicates, 0 skipped. Embedded default (SQLite), worker as its own process.
.PHONY: bench-newsletter
bench-newsletter: $(VENV)/.installed-dev
	env -u DATABASE_URL -u SEARCH_URL BENCH=1 LOG_LEVEL=WARNING $(PY) -m pytest tests/bench/test_newsletter_bench.py -q -s -p no:logging -p no:cacheprovider $(PYTEST_ARGS)
