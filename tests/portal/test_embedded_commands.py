"""After `make run`, `.venv/bin/python manage.py <command>` works with no variable set (the keys it generated)."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PROBE = ("import django, json; from django.conf import settings; django.setup(); "
         "print(json.dumps([settings.DEBUG, settings.SECRET_KEY, settings.FIELD_ENCRYPTION_KEYS, settings.FIELD_HASH_KEY]))")


def _settings_in(data_dir, **extra):
    clean = {k: v for k, v in os.environ.items()
             if k not in ("SECRET_KEY", "DEBUG", "FIELD_ENCRYPTION_KEYS", "FIELD_HASH_KEY", "PORTAL_TESTING",
                          "DATABASE_URL", "SEARCH_URL", "REDIS_URL")}
    env = {**clean, "DJANGO_SETTINGS_MODULE": "portal.settings", "DATA_DIR": str(data_dir), **extra}
    return subprocess.run([sys.executable, "-c", PROBE], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)


def test_commands_after_make_run_use_its_keys_and_debug(tmp_path):
    for name, value in {"secret_key": "s" * 50, "field_encryption_key": "a" * 43 + "=", "field_hash_key": "h" * 40}.items():
        (tmp_path / name).write_text(value + "\n")
    result = _settings_in(tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == f'[true, "{"s" * 50}", ["{"a" * 43}="], "{"h" * 40}"]'


def test_without_make_runs_keys_and_without_secret_key_it_refuses(tmp_path):
    result = _settings_in(tmp_path)
    assert result.returncode != 0 and "SECRET_KEY must be set" in result.stderr
