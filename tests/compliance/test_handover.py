"""
The contract-end handover (``manage.py handover_export``, compliance.handover): the dry run's
counts, the archive encrypted to the ward's age key that decrypts with the matching identity
(pyrage, and the ``age`` command where installed), its manifest (counts equal to the dry run's,
SHA-256 of every file), and the refusals that write nothing.
"""

import hashlib
import io
import json
import shutil
import subprocess
import tarfile

import pyrage
import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from faker import Faker
from pyrage import x25519

from compliance import handover
from tests.members.test_encryption import make_member

pytestmark = pytest.mark.django_db


@pytest.fixture
def ward_key():
    return x25519.Identity.generate()


@pytest.fixture
def member():
    fake = Faker("ja_JP")
    fake.seed_instance(16)
    return make_member(fake)


def dry_run():
    out = io.StringIO()
    call_command("handover_export", "--dry-run", stdout=out)
    return json.loads(out.getvalue())["counts"]


def open_archive(path, identity):
    plain = pyrage.decrypt(path.read_bytes(), [identity])
    archive = tarfile.open(fileobj=io.BytesIO(plain))
    return {m.name: archive.extractfile(m).read() for m in archive.getmembers()}


def test_dry_run_counts_a_new_member_and_every_kind(member):
    before = dry_run()
    make_member(Faker("ja_JP"))
    after = dry_run()
    assert after["members"]["members.User"] == before["members"]["members.User"] + 1
    assert {"members", "pages", "moderation", "wagtailcore", "wagtailimages", "wagtaildocs", "media", "html",
            "pages_by_type"} <= set(after)
    assert after["html"]["live_pages"] > 0 and after["pages_by_type"]


def test_the_archive_decrypts_with_the_ward_identity_and_matches_the_dry_run(member, ward_key, tmp_path):
    counts = dry_run()
    output = tmp_path / "handover.tar.age"
    call_command("handover_export", "--recipient", str(ward_key.to_public()), "--output", str(output),
                 stdout=io.StringIO())
    raw = output.read_bytes()
    assert raw.startswith(b"age-encryption.org/v1") and member.email.encode() not in raw
    files = open_archive(output, ward_key)
    manifest = json.loads(files["manifest.json"])
    assert manifest["counts"] == counts, "the manifest counts what the dry run printed"
    for name, digest in manifest["files"].items():
        assert hashlib.sha256(files[name]).hexdigest() == digest, name
    assert set(files) == {*manifest["files"], "manifest.json", "README.txt"}

    users = [row for name, data in files.items() if name.startswith("data/members.User/")
             for row in json.loads(data)]
    assert len(users) == counts["members"]["members.User"]
    mine = next(row for row in users if row["id"] == member.pk)
    assert mine["email"] == member.email and mine["last_name"] == member.last_name  # decrypted inside only
    assert mine["date_of_birth"] == member.date_of_birth.isoformat()
    assert "password" not in mine and "email_hash" not in mine
    index = json.loads(files["html/index.json"])
    assert len(index) == counts["html"]["live_pages"] and index[0]["status"] == 200
    assert "新宿" in files[index[0]["file"]].decode()
    assert "age -d -i" in files["README.txt"].decode()


def test_a_changed_file_no_longer_matches_its_manifest_hash(ward_key, tmp_path):
    output = tmp_path / "h.age"
    handover.export_archive(str(ward_key.to_public()), output)
    files = open_archive(output, ward_key)
    manifest = json.loads(files["manifest.json"])
    name = next(n for n in manifest["files"] if n.startswith("data/"))
    assert hashlib.sha256(files[name] + b" ").hexdigest() != manifest["files"][name]


@pytest.mark.skipif(not shutil.which("age"), reason="the age command is not installed")
def test_the_age_command_decrypts_it_without_this_software(ward_key, tmp_path):
    output, key_file = tmp_path / "h.age", tmp_path / "key.txt"
    key_file.write_text(str(ward_key) + "\n")
    handover.export_archive(str(ward_key.to_public()), output)
    plain = subprocess.run(["age", "-d", "-i", str(key_file), str(output)], capture_output=True, check=True).stdout
    names = tarfile.open(fileobj=io.BytesIO(plain)).getnames()
    assert "manifest.json" in names and "README.txt" in names


@pytest.mark.parametrize("key", ["", "   ", "not-a-key", "age1notbech32", "AGE-SECRET-KEY-1XYZ",
                                 "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAI"])
def test_a_missing_or_wrong_recipient_refuses_before_writing_anything(key, tmp_path):
    output = tmp_path / "h.age"
    with pytest.raises(CommandError, match="公開鍵"):
        call_command("handover_export", "--recipient", key, "--output", str(output))
    assert list(tmp_path.iterdir()) == []


def test_an_existing_output_is_not_overwritten_without_force(ward_key, tmp_path):
    output = tmp_path / "h.age"
    output.write_bytes(b"the ward's earlier copy")
    with pytest.raises(CommandError, match="--force"):
        call_command("handover_export", "--recipient", str(ward_key.to_public()), "--output", str(output))
    assert output.read_bytes() == b"the ward's earlier copy"
    call_command("handover_export", "--recipient", str(ward_key.to_public()), "--output", str(output), "--force",
                 stdout=io.StringIO())
    assert "manifest.json" in open_archive(output, ward_key)


def test_no_output_without_output_path(ward_key):
    with pytest.raises(CommandError, match="--output"):
        call_command("handover_export", "--recipient", str(ward_key.to_public()))


def test_a_failure_half_way_leaves_no_file(ward_key, tmp_path, monkeypatch):
    def broken(writer):
        raise OSError("the media storage went away")

    monkeypatch.setattr(handover, "write_media", broken)
    output = tmp_path / "h.age"
    with pytest.raises(OSError, match="went away"):
        handover.export_archive(str(ward_key.to_public()), output)
    assert not output.exists()
