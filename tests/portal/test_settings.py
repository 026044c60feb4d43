"""Production settings come from the environment; a deployment is checked by Django itself."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

PRODUCTION = {
    "SECRET_KEY": "x" * 30 + "production-like-secret-key-for-the-check-only",
    "ALLOWED_HOSTS": "portal.example.jp",
    "BASE_URL": "https://portal.example.jp",
    "DATABASE_URL": "postgres://portal:secret@db:5432/portal",
    "SEARCH_URL": "http://search:9200",
    "REDIS_URL": "redis://redis:6379/0",
    "EMAIL_URL": "smtp://relay.example.jp:587/?tls=True",
    "TASKS_BACKEND": "database",
    "FIELD_ENCRYPTION_KEYS": "bmV3LWtleS1mb3ItdGhlLWNoZWNrLW9ubHktMzJieXRlcw==",
    "FIELD_HASH_KEY": "a-long-random-string-for-the-check-only",
    "RECAPTCHA_PUBLIC_KEY": "site-key-for-the-check-only",
    "RECAPTCHA_PRIVATE_KEY": "secret-key-for-the-check-only",
}


def _manage(*args, extra_env=None, tmp_path):
    # A clean environment: none of the variables this test run sets for itself (tests/settings.py).
    test_only = {"DEBUG", "PORTAL_TESTING", "DATABASE_URL", "SEARCH_URL", "SECURE_SSL_REDIRECT", "SECURE_COOKIES",
                 "BASE_URL", "ALLOWED_HOSTS", "DATA_DIR", "SEARCH_INDEX_PREFIX"}
    env = {k: v for k, v in os.environ.items() if k not in test_only}
    env.update({"DATA_DIR": str(tmp_path), "DJANGO_SETTINGS_MODULE": "portal.settings", **(extra_env or {})})
    return subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True)


def test_check_deploy_reports_nothing_with_production_variables(tmp_path):
    result = _manage("check", "--deploy", extra_env=PRODUCTION, tmp_path=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "System check identified no issues" in result.stdout, result.stdout + result.stderr


def test_without_a_secret_key_production_refuses_to_start(tmp_path):
    env = {k: v for k, v in PRODUCTION.items() if k != "SECRET_KEY"}
    result = _manage("check", extra_env=env, tmp_path=tmp_path)
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


def test_without_encryption_keys_the_portal_refuses_to_run(tmp_path):
    env = {k: v for k, v in PRODUCTION.items() if not k.startswith("FIELD_")}
    env.update({"FIELD_ENCRYPTION_KEYS": "", "FIELD_HASH_KEY": ""})
    result = _manage("check", extra_env=env, tmp_path=tmp_path)
    assert result.returncode != 0
    assert "members.E001" in result.stderr and "members.E002" in result.stderr


def test_production_refuses_googles_recaptcha_test_keys(tmp_path):
    env = {k: v for k, v in PRODUCTION.items() if not k.startswith("RECAPTCHA_")}
    result = _manage("check", extra_env=env, tmp_path=tmp_path)
    assert result.returncode != 0
    assert "recaptcha_test_key_error" in result.stderr


def test_an_unknown_search_engine_is_a_clear_configuration_error(tmp_path):
    result = _manage("check", extra_env={**PRODUCTION, "SEARCH_ENGINE": "solr"}, tmp_path=tmp_path)
    assert result.returncode != 0
    assert "SEARCH_ENGINE must be 'opensearch' or 'elasticsearch'" in result.stderr
