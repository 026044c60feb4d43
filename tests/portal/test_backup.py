"""
Backups that restore (``manage.py backup`` / ``restore``, ``portal.backups``) on the embedded
default, SQLite: a round trip through separate processes, as an operator runs it, and the refusals.
The same on PostgreSQL: tests/integration/test_backup_restore.py.
"""

import datetime
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from cryptography.fernet import Fernet
from django.core.management import call_command
from django.core.management.base import CommandError

from portal import backups

ROOT = Path(__file__).resolve().parents[2]

SEED = """
import json
from pathlib import Path
from django.conf import settings
from faker import Faker
from tests.members.test_encryption import make_member, personal_values
fake = Faker('ja_JP'); fake.seed_instance(21)
members = [make_member(fake) for _ in range(3)]
image = Path(settings.MEDIA_ROOT) / 'original_images' / '四谷の写真.jpg'
image.parent.mkdir(parents=True, exist_ok=True); image.write_bytes(b'\\xff\\xd8 not really a jpeg \\xff\\xd9')
print('JSON' + json.dumps({m.pk: personal_values(m) for m in members}, ensure_ascii=False))
"""

READ = """
import json
from tests.members.test_encryption import personal_values
from members.models import User
print('JSON' + json.dumps({m.pk: personal_values(m) for m in User.objects.order_by('pk')}, ensure_ascii=False))
"""


def keys():
    return {"FIELD_ENCRYPTION_KEYS": Fernet.generate_key().decode(), "FIELD_HASH_KEY": Fernet.generate_key().decode()}


def manage(data_dir, key_env, *args, check=True):
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "SEARCH_URL", "MEDIA_ROOT", "BACKUP_DIR")}
    env.update(key_env, DATA_DIR=str(data_dir), DEBUG="true", DJANGO_SETTINGS_MODULE="portal.settings")
    result = subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True)
    if check:
        assert result.returncode == 0, result.stderr[-3000:]
    return result


def as_json(result):
    return json.loads(result.stdout.split("JSON", 1)[1])


def test_a_sqlite_backup_restores_members_and_media_with_the_same_keys_only(tmp_path):
    key_env = keys()
    live, store = tmp_path / "live", tmp_path / "backups"
    manage(live, key_env, "migrate", "-v", "0")
    seeded = as_json(manage(live, key_env, "shell", "-c", SEED))
    out = manage(live, key_env, "backup", "--dir", str(store)).stdout
    assert "メディア 1 件" in out
    (folder,) = store.iterdir()
    assert {p.name for p in folder.iterdir()} == {"database.sqlite3", "media.tar.gz", "manifest.json"}
    manifest = json.loads((folder / "manifest.json").read_text())
    assert manifest["counts"]["members.User"]["rows"] == 3
    assert "0001_initial" in manifest["migrations"]["members"]
    everything = b"".join(p.read_bytes() for p in folder.iterdir())
    for secret in key_env.values():
        assert secret.encode() not in everything, "a key is in the backup"

    fresh = tmp_path / "fresh"  # a new machine: empty DATA_DIR, the keys from the secret store
    out = manage(fresh, key_env, "restore", str(folder)).stdout
    assert "メディア: 1 件" in out and "復元しました" in out
    assert as_json(manage(fresh, key_env, "shell", "-c", READ)) == seeded
    assert (fresh / "media" / "original_images" / "四谷の写真.jpg").read_bytes().startswith(b"\xff\xd8")

    again = manage(fresh, key_env, "restore", str(folder), check=False)
    assert again.returncode != 0 and "--force" in again.stderr, "a non-empty database is not overwritten"

    other = manage(tmp_path / "other", keys(), "restore", str(folder), check=False)
    assert other.returncode != 0 and "鍵はこのバックアップの鍵ではありません" in other.stderr


def test_the_keys_are_never_written_with_the_backups(tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path / "media"
    for keys_file in (tmp_path / "backups" / "keys.env", tmp_path / "media" / "keys.env", tmp_path / "keys.env"):
        with pytest.raises(CommandError, match="鍵"):
            call_command("backup", "--dir", str(tmp_path / "backups"), "--keys-file", str(keys_file))
        assert not keys_file.exists()
    assert not (tmp_path / "backups").exists(), "nothing was backed up"
    with pytest.raises(backups.BackupError, match="MEDIA_ROOT"):
        backups.check_apart(tmp_path / "media" / "backups")


def test_the_keys_file_for_the_secret_store_is_private(tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path / "data" / "media"
    keys_file = tmp_path / "secrets" / "portal.env"
    keys_file.parent.mkdir()
    backups.check_apart(tmp_path / "data" / "backups", keys_file)
    backups.write_keys(keys_file)
    text = keys_file.read_text()
    assert f"FIELD_HASH_KEY={settings.FIELD_HASH_KEY}" in text and settings.FIELD_ENCRYPTION_KEYS[0] in text
    assert keys_file.stat().st_mode & 0o777 == 0o600


def test_a_changed_file_is_refused_before_anything_is_restored(tmp_path):
    folder = tmp_path / "portal-20260101T000000Z"
    folder.mkdir()
    (folder / "database.sqlite3").write_bytes(b"original")
    (folder / "manifest.json").write_text(json.dumps({"files": {"database.sqlite3": backups.sha256(folder / "database.sqlite3")}}))
    assert backups.read_manifest(folder)["files"]
    (folder / "database.sqlite3").write_bytes(b"tampered")
    with pytest.raises(CommandError, match="SHA-256"):
        call_command("restore", str(folder))


@pytest.mark.django_db
def test_a_database_with_tables_is_not_overwritten_without_force():
    manifest = {"database": {"vendor": "sqlite"}, "media": {}}
    with pytest.raises(backups.BackupError, match="--force"):
        backups.check_empty(manifest, force=False)
    backups.check_empty(manifest, force=True)


def test_old_backups_are_pruned_and_nothing_else(tmp_path):
    now = datetime.datetime(2026, 11, 28, 3, 0, tzinfo=datetime.UTC)
    names = ["portal-20261101T030000Z", "portal-20261120T030000Z", "portal-20261027T030000Z.partial",
             "portal-notes", "elsewhere-20200101T000000Z"]
    for name in names:
        (tmp_path / name).mkdir()
    removed = backups.prune(tmp_path, keep_days=14, now=now)
    assert sorted(p.name for p in removed) == ["portal-20261027T030000Z.partial", "portal-20261101T030000Z"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["elsewhere-20200101T000000Z", "portal-20261120T030000Z",
                                                          "portal-notes"]


@pytest.mark.django_db
def test_a_restore_with_missing_rows_or_tables_is_an_error(django_user_model):
    present = django_user_model.objects.count()
    manifest = {"counts": {"members.User": {"table": "members_user", "rows": present + 2},
                           "gone.Thing": {"table": "gone_thing", "rows": 1}}}
    with pytest.raises(backups.BackupError) as caught:
        backups.compare_counts(manifest)
    assert f"members.User: {present} rows, the manifest says {present + 2}" in str(caught.value)
    assert "table gone_thing missing" in str(caught.value)
    manifest["counts"].pop("gone.Thing")
    manifest["counts"]["members.User"]["rows"] = present
    assert backups.compare_counts(manifest) == present


def test_a_backup_that_fails_half_way_leaves_no_folder(tmp_path, settings, monkeypatch):
    settings.MEDIA_ROOT = tmp_path / "media"

    def full_disk(target):
        (target / "database.sqlite3").write_bytes(b"half a copy")
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(backups, "dump_sqlite", full_disk)
    with pytest.raises(OSError, match="No space"):
        backups.create_backup(tmp_path / "backups")
    assert list((tmp_path / "backups").iterdir()) == []
