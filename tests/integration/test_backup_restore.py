"""
The restore rehearsal on the real PostgreSQL: members with encrypted personal data and uploaded
files are backed up (``manage.py backup``), the database and the media are dropped, and
``manage.py restore`` brings them back into a new, empty database — readable with the same keys,
refused with other keys, and the backup holds neither the members' values in clear nor the keys.

Separate processes, as an operator runs it, on databases of this test's own (portal_backup,
portal_backup_restored), created and dropped here with psycopg.
"""

import json
import os
import subprocess
import sys
from pathlib import Path

import psycopg
import pytest
from django.conf import settings

from portal import backups
from tests.portal.test_backup import READ, SEED, as_json, keys

ROOT = Path(__file__).resolve().parents[2]
NAMES = ("portal_backup", "portal_backup_restored")


def admin_sql(*statements):
    db = settings.DATABASES["default"]
    with psycopg.connect(host=db["HOST"], port=db["PORT"], user=db["USER"], password=db["PASSWORD"],
                         dbname="postgres", autocommit=True) as conn:
        for statement in statements:
            conn.execute(statement)


def url(name):
    db = settings.DATABASES["default"]
    return f"postgres://{db['USER']}:{db['PASSWORD']}@{db['HOST']}:{db['PORT']}/{name}"


@pytest.fixture
def databases():
    drop = [f"DROP DATABASE IF EXISTS {name} WITH (FORCE)" for name in NAMES]
    admin_sql(*drop, *(f"CREATE DATABASE {name}" for name in NAMES))
    yield
    admin_sql(*drop)


def manage(database, media, key_env, *args, check=True):
    env = {k: v for k, v in os.environ.items() if k not in ("BACKUP_DIR", "MEDIA_STORAGE")}
    env.update(key_env, DATABASE_URL=url(database), MEDIA_ROOT=str(media), DEBUG="true",
               DJANGO_SETTINGS_MODULE="portal.settings")
    result = subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True)
    if check:
        assert result.returncode == 0, result.stderr[-3000:]
    return result


def test_dump_drop_restore_reads_members_again_with_the_same_keys_only(databases, tmp_path):
    key_env = keys()
    media, store = tmp_path / "media", tmp_path / "backups"
    manage("portal_backup", media, key_env, "migrate", "-v", "0")
    seeded = as_json(manage("portal_backup", media, key_env, "shell", "-c", SEED))
    manage("portal_backup", media, key_env, "backup", "--dir", str(store))
    (folder,) = store.iterdir()
    manifest = json.loads((folder / "manifest.json").read_text())
    assert manifest["database"] == {"vendor": "postgresql", "file": "database.dump"}
    assert manifest["counts"]["members.User"]["rows"] == 3 and manifest["media"]["files"] == 1

    # The dump decompressed to SQL: the members' rows are there, their values are not in clear.
    sql = subprocess.run([backups.pg_tool("pg_restore"), "--file=-", str(folder / "database.dump")],
                         capture_output=True, check=True).stdout
    assert b"enc1:" in sql and b"COPY public.members_user" in sql
    everything = sql + b"".join(p.read_bytes() for p in folder.iterdir())
    for values in seeded.values():
        for value in values:
            assert value.encode() not in everything, f"{value!r} is in the backup in clear"
    for secret in key_env.values():
        assert secret.encode() not in everything, "a key is in the backup"

    admin_sql("DROP DATABASE portal_backup WITH (FORCE)")  # the disaster
    subprocess.run(["rm", "-rf", str(media)], check=True)

    other = manage("portal_backup_restored", media, keys(), "restore", str(folder), check=False)
    assert other.returncode != 0 and "鍵はこのバックアップの鍵ではありません" in other.stderr
    unreadable = manage("portal_backup_restored", media, keys(), "shell", "-c", READ, check=False)
    assert unreadable.returncode != 0 and "cannot be decrypted" in unreadable.stderr

    refused = manage("portal_backup_restored", media, key_env, "restore", str(folder), check=False)
    assert refused.returncode != 0 and "--force" in refused.stderr, "a database with tables is not overwritten"
    out = manage("portal_backup_restored", media, key_env, "restore", "--force", str(folder)).stdout
    assert "マニフェストと一致" in out and "メディア: 1 件" in out
    assert as_json(manage("portal_backup_restored", media, key_env, "shell", "-c", READ)) == seeded
    assert (media / "original_images" / "四谷の写真.jpg").read_bytes().startswith(b"\xff\xd8")
