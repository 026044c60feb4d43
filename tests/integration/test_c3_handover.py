"""
The contract-end rehearsal on the real PostgreSQL, as an operator runs it (separate processes,
on a database of this test's own, created and dropped here): members with Faker ja_JP personal
data and an uploaded document; ``handover_export --dry-run``; the archive encrypted to a fresh age
identity, decrypted, its manifest equal to the dry run and its files to their SHA-256; then
``purge_personal_data --confirm``: the certificate says done, the plain-SQL dump of the database
holds none of the members' values, and none of them can log in.
"""

import hashlib
import io
import json
import os
import subprocess
import sys
import tarfile
from pathlib import Path

import psycopg
import pyrage
import pytest
from cryptography.fernet import Fernet
from django.conf import settings
from pyrage import x25519

from portal import backups

ROOT = Path(__file__).resolve().parents[2]
NAME = "portal_c3_rehearsal"

SEED = """
import json
from django.core.files.base import ContentFile
from faker import Faker
from wagtail.documents.models import Document
from tests.members.test_encryption import make_member, personal_values
fake = Faker('ja_JP'); fake.seed_instance(1616)
members = [make_member(fake) for _ in range(4)]
Document.objects.create(title='区への引き継ぎ資料', file=ContentFile(b'shiryou', name='hikitsugi.txt'))
print('JSON' + json.dumps({m.email: personal_values(m) + [m.nickname] for m in members}, ensure_ascii=False))
"""

LOGIN = """
import json
from django.contrib.auth import authenticate
from django.test import RequestFactory
from members.models import User
emails = json.loads(input())
request = RequestFactory().post('/api/v3/members/login')
print('JSON' + json.dumps({'accounts': User.objects.count(), 'logged_in': [
      e for e in emails if authenticate(request, username=e, password='long enough passphrase')]}))
"""


def admin_sql(*statements):
    db = settings.DATABASES["default"]
    with psycopg.connect(host=db["HOST"], port=db["PORT"], user=db["USER"], password=db["PASSWORD"],
                         dbname="postgres", autocommit=True) as conn:
        for statement in statements:
            conn.execute(statement)


def url():
    db = settings.DATABASES["default"]
    return f"postgres://{db['USER']}:{db['PASSWORD']}@{db['HOST']}:{db['PORT']}/{NAME}"


@pytest.fixture
def database():
    admin_sql(f"DROP DATABASE IF EXISTS {NAME} WITH (FORCE)", f"CREATE DATABASE {NAME}")
    yield
    admin_sql(f"DROP DATABASE IF EXISTS {NAME} WITH (FORCE)")


@pytest.fixture
def manage(tmp_path):
    key_env = {"FIELD_ENCRYPTION_KEYS": Fernet.generate_key().decode(), "FIELD_HASH_KEY": Fernet.generate_key().decode()}
    env = {k: v for k, v in os.environ.items() if k not in ("SEARCH_URL", "MEDIA_STORAGE", "EMAIL_URL")}
    env.update(key_env, DATABASE_URL=url(), MEDIA_ROOT=str(tmp_path / "media"), BACKUP_DIR=str(tmp_path / "backups"),
               DATA_DIR=str(tmp_path), DEBUG="true", DJANGO_SETTINGS_MODULE="portal.settings")

    def run(*args, check=True, stdin=None):
        result = subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True,
                                text=True, input=stdin)
        if check:
            assert result.returncode == 0, result.stderr[-3000:]
        return result
    return run


def as_json(result):
    return json.loads(result.stdout.split("JSON", 1)[1])


def plain_dump():
    db = settings.DATABASES["default"]
    env = {**os.environ, "PGPASSWORD": db["PASSWORD"]}
    return subprocess.run([backups.pg_tool("pg_dump"), "-h", db["HOST"], "-p", str(db["PORT"]), "-U", db["USER"],
                           "--format=plain", NAME], env=env, capture_output=True, check=True).stdout.decode()


def test_export_decrypt_purge_scan_and_login_refused(database, manage, tmp_path):
    manage("migrate", "-v", "0")
    seeded = as_json(manage("shell", "-c", SEED))
    counts = json.loads(manage("handover_export", "--dry-run").stdout)["counts"]
    assert counts["members"]["members.User"] == 4 and counts["media"]["files"] == 1

    ward = x25519.Identity.generate()
    output = tmp_path / "handover.tar.age"
    manage("handover_export", "--recipient", str(ward.to_public()), "--output", str(output))
    archive = tarfile.open(fileobj=io.BytesIO(pyrage.decrypt(output.read_bytes(), [ward])))
    files = {m.name: archive.extractfile(m).read() for m in archive.getmembers()}
    manifest = json.loads(files["manifest.json"])
    assert manifest["counts"] == counts
    assert all(hashlib.sha256(files[n]).hexdigest() == digest for n, digest in manifest["files"].items())
    users = json.loads(files["data/members.User/part-0001.json"])
    assert sorted(u["email"] for u in users) == sorted(seeded)
    assert any(n.startswith("media/documents/") for n in files)
    everything_before = plain_dump()
    assert all(e not in everything_before for e in seeded), "encrypted at rest before the purge, too"

    refused = manage("purge_personal_data", check=False)
    assert refused.returncode != 0 and "--confirm" in refused.stderr
    still = as_json(manage("shell", "-c", LOGIN, stdin=json.dumps(list(seeded))))
    assert still == {"accounts": 4, "logged_in": list(seeded)}, "without --confirm nothing changed"

    result = manage("purge_personal_data", "--confirm", "--operator", "リハーサル 担当",
                    "--certificate", str(tmp_path / "certificate"))
    assert "結果: 完了" in result.stdout
    cert = json.loads((tmp_path / "certificate.json").read_text())
    assert cert["database"] == "postgresql" and cert["how"]["compaction"].startswith("PostgreSQL: VACUUM")
    assert not any(cert["what"]["after"].values()) and cert["verification"]["database_hits"] == []
    dump = plain_dump()
    for values in seeded.values():
        for value in values:
            if len(value) >= 5:  # e-mail, date of birth, postal code, street, building, nickname
                assert value not in dump, f"{value!r} is still in the database"
    after = as_json(manage("shell", "-c", LOGIN, stdin=json.dumps(list(seeded))))
    assert after == {"accounts": 0, "logged_in": []}
    assert list((tmp_path / "media" / "documents").iterdir()), "the ward's document is not personal data: it stays"
