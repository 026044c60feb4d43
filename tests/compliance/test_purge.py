"""
The verified purge (``manage.py purge_personal_data``, compliance.purge): nothing changes without
--confirm; with it every person's data goes (accounts, what the apps erase, encrypted contacts,
sessions, log-in attempts, mails, files only they referred to), the counts are zero, the raw
database holds none of the values, and the certificate says what, how, when, by whom and where the
backups are. The scan finds a value planted where it should not be.
"""

import io
import json

import pytest
from django.contrib.auth import authenticate
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.test import RequestFactory
from faker import Faker

from compliance import purge
from members.models import AuditEntry, User
from tests.members.test_encryption import make_member, personal_values

pytestmark = pytest.mark.django_db
PASSWORD = "long enough passphrase"


@pytest.fixture
def members():
    fake = Faker("ja_JP")
    fake.seed_instance(60)
    return [make_member(fake) for _ in range(3)]


def can_log_in(email):
    return authenticate(RequestFactory().post("/api/v3/members/login"), username=email, password=PASSWORD) is not None


def raw_text():
    """Every row of every table as text, read with SQL (not the ORM)."""
    parts = []
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names(cursor):
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")  # noqa: S608
            parts += [repr(row) for row in cursor.fetchall()]
    return "\n".join(parts)


def test_without_confirm_nothing_changes_and_the_command_fails(members, tmp_path):
    out = io.StringIO()
    with pytest.raises(CommandError, match="--confirm"):
        call_command("purge_personal_data", "--operator", "山田", "--certificate", str(tmp_path / "c"), stdout=out)
    plan = json.loads(out.getvalue())
    assert plan["would_erase"]["members.User"] == User.objects.count() >= 3
    assert can_log_in(members[0].email)
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("args, message", [
    (["--certificate", "CERT"], "--operator"), (["--operator", " "], "--operator"),
    (["--operator", "山田"], "--certificate"),
])
def test_confirm_needs_an_operator_and_a_certificate_path(members, tmp_path, args, message):
    args = [a.replace("CERT", str(tmp_path / "c")) for a in args]
    with pytest.raises(CommandError, match=message):
        call_command("purge_personal_data", "--confirm", *args)
    assert User.objects.count() >= 3 and list(tmp_path.iterdir()) == []


def test_an_existing_certificate_refuses_before_erasing(members, tmp_path):
    (tmp_path / "c.json").write_text("{}")
    with pytest.raises(CommandError, match="既にあります"):
        call_command("purge_personal_data", "--confirm", "--operator", "山田", "--certificate", str(tmp_path / "c"))
    assert can_log_in(members[0].email)


def test_the_purge_erases_everyone_and_certifies_it(members, tmp_path, settings):
    settings.BACKUP_DIR = tmp_path / "backups"
    (settings.BACKUP_DIR / "portal-20261120T030000Z").mkdir(parents=True)
    values = [v for m in members for v in personal_values(m) if len(v) >= 5]
    upload = default_storage.save("compliance/test-purge.txt", ContentFile(b"x"))
    AuditEntry.objects.create(actor=members[0], action="members.view", subject=members[1], reason="電話で確認")
    out = io.StringIO()
    call_command("purge_personal_data", "--confirm", "--operator", "運用 太郎", "--certificate",
                 str(tmp_path / "cert"), stdout=out)
    assert User.objects.count() == 0
    for member in members:
        assert not can_log_in(member.email)
    stored = raw_text()
    for value in values:
        assert value not in stored, f"{value!r} is still in the database"
    assert AuditEntry.objects.filter(reason="電話で確認", actor=None, subject=None).exists()

    cert = json.loads((tmp_path / "cert.json").read_text())
    assert cert["result"] == "完了" and cert["by"] == "運用 太郎"
    assert cert["what"]["before"]["members.User"] >= 3 and not any(cert["what"]["after"].values())
    assert cert["verification"]["database_hits"] == [] and cert["verification"]["scan_patterns"] > 0
    assert "NIST SP 800-88" in cert["how"]["standard"] and "FIELD_ENCRYPTION_KEYS" in cert["how"]["keys"]
    assert cert["backups"]["folders"][0]["expires"].startswith("2026-12-04")
    text = (tmp_path / "cert.txt").read_text()
    assert "個人情報の消去証明書" in text and "運用 太郎" in text and "2026-12-04" in text
    assert (tmp_path / "cert.pdf").read_bytes().startswith(b"%PDF")
    certificate = text + (tmp_path / "cert.json").read_text()
    assert not any(value in certificate for value in values), "the certificate names no value"
    assert default_storage.exists(upload), "a file no erased row referred to stays"
    default_storage.delete(upload)


def columns_hit(pattern):
    return {(h["table"], h["column"]) for h in purge.scan_database(pattern)}


def test_the_scan_finds_a_value_planted_in_a_column(members):
    member = members[0]
    pattern = purge.search_pattern(purge.collect_values())
    before = columns_hit(pattern)
    assert before == {("members_user", "email_hash")}, "before the purge only the accounts' own keyed hashes"
    AuditEntry.objects.create(actor=None, action="members.view", reason=f"{member.last_name} {member.first_name}様の件",
                              details={"note": member.email})
    assert columns_hit(pattern) - before == {("members_auditentry", "reason"), ("members_auditentry", "details")}


def test_the_scan_finds_a_json_escaped_value(members):
    street = members[1].street
    pattern = purge.search_pattern(purge.collect_values())
    before = columns_hit(pattern)
    AuditEntry.objects.create(actor=None, action="members.view", reason="",
                              details={"where": f"{members[1].municipality}{street}{members[1].building}"})
    assert columns_hit(pattern) - before == {("members_auditentry", "details")}


def test_the_media_scan_finds_a_file_named_after_a_member(members):
    name = default_storage.save(f"compliance/{members[2].email}.txt", ContentFile(b"x"))
    try:
        pattern = purge.search_pattern(purge.collect_values())
        assert purge.scan_media(pattern, [])["names_with_values"] == 1
        assert purge.scan_media(pattern, [name])["erased_files_still_present"] == 1
    finally:
        default_storage.delete(name)


def test_a_key_file_is_overwritten_and_removed(tmp_path):
    key = tmp_path / "field_encryption_key"
    key.write_text("secret-key-material\n")
    assert purge.destroy_key_file(key) == str(key)
    assert not key.exists()
    with pytest.raises(purge.PurgeError):
        purge.destroy_key_file(key)
