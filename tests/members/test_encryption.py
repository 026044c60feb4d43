"""
Personal data is encrypted at rest: the raw database holds none of it in plain text, and keys
rotate without losing anything.
"""

import datetime

import pytest
from cryptography.fernet import Fernet
from django.contrib.auth import authenticate, get_user_model
from django.core.management import call_command
from django.db import connection
from django.test import RequestFactory
from faker import Faker

pytestmark = pytest.mark.django_db

User = get_user_model()


def make_member(fake):
    return User.objects.create_user(
        email=fake.unique.email(), password="long enough passphrase",
        nickname=fake.user_name(),
        last_name=fake.last_name(), first_name=fake.first_name(),
        last_name_kana=fake.last_kana_name(), first_name_kana=fake.first_kana_name(),
        date_of_birth=fake.date_of_birth(minimum_age=18, maximum_age=90),
        gender=User.Gender.UNANSWERED,
        postal_code=fake.postcode(), prefecture=fake.prefecture(), municipality=fake.city(),
        street=fake.town() + fake.chome() + fake.ban() + fake.gou(), building=fake.building_name(),
    )


def personal_values(member):
    values = [member.email, member.last_name, member.first_name, member.last_name_kana, member.first_name_kana,
              member.date_of_birth.isoformat(), member.postal_code, member.prefecture, member.municipality,
              member.street, member.building, member.gender]
    return [value for value in values if value]


def raw_rows():
    table = connection.ops.quote_name(User._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT * FROM {table}")
        return "\n".join(repr(row) for row in cursor.fetchall())


def test_the_database_holds_no_personal_data_in_plain_text():
    fake = Faker("ja_JP")
    fake.seed_instance(3)
    member = make_member(fake)
    dump = raw_rows()
    for value in personal_values(member):
        assert value not in dump, f"{value!r} is stored in plain text"
    assert member.nickname in dump, "the public nickname is not personal data and stays searchable"


def test_the_sqlite_file_on_disk_holds_no_personal_data(tmp_path):
    """The embedded default's database file, written and committed by a separate process."""
    import json
    import os
    import subprocess
    import sys
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "SEARCH_URL")}
    env.update({"DATA_DIR": str(tmp_path), "DEBUG": "true", "DJANGO_SETTINGS_MODULE": "portal.settings"})

    def manage(*args):
        result = subprocess.run([sys.executable, "manage.py", *args], cwd=root, env=env,
                                capture_output=True, text=True)
        assert result.returncode == 0, result.stderr
        return result.stdout

    manage("migrate", "-v", "0")
    script = (
        "import json; from faker import Faker; from tests.members.test_encryption import make_member, personal_values;"
        "fake = Faker('ja_JP'); fake.seed_instance(4); m = make_member(fake);"
        "print('VALUES' + json.dumps(personal_values(m), ensure_ascii=False))"
    )
    out = manage("shell", "-c", script)
    values = json.loads(out.split("VALUES", 1)[1])
    assert len(values) >= 10
    data = b"".join(path.read_bytes() for path in tmp_path.glob("portal.sqlite3*"))
    assert len(data) > 100_000
    for value in values:
        assert value.encode("utf-8") not in data, f"{value!r} found in the database file"


def test_members_read_their_data_back_and_log_in_whatever_the_case():
    fake = Faker("ja_JP")
    fake.seed_instance(5)
    member = make_member(fake)
    fresh = User.objects.get(pk=member.pk)
    assert fresh.last_name == member.last_name and fresh.street == member.street
    assert fresh.date_of_birth == member.date_of_birth and isinstance(fresh.date_of_birth, datetime.date)
    assert authenticate(request=RequestFactory().post("/admin/login/"), username=member.email.upper(), password="long enough passphrase") == member
    assert User.objects.by_email(f"  {member.email.upper()} ").get() == member


def test_keys_rotate_without_losing_anything(settings, capsys):
    fake = Faker("ja_JP")
    fake.seed_instance(6)
    member = make_member(fake)
    old_key = settings.FIELD_ENCRYPTION_KEYS[0]
    before = raw_rows()

    new_key = Fernet.generate_key().decode()
    settings.FIELD_ENCRYPTION_KEYS = [new_key, old_key]
    call_command("reencrypt_personal_data")
    assert "人分" in capsys.readouterr().out
    assert raw_rows() != before

    settings.FIELD_ENCRYPTION_KEYS = [new_key]  # the old key is gone
    fresh = User.objects.get(pk=member.pk)
    assert fresh.street == member.street and fresh.email == member.email


def test_data_under_a_lost_key_is_a_clear_error_not_garbage(settings):
    from django.core.exceptions import ImproperlyConfigured

    fake = Faker("ja_JP")
    fake.seed_instance(7)
    member = make_member(fake)
    settings.FIELD_ENCRYPTION_KEYS = [Fernet.generate_key().decode()]
    with pytest.raises(ImproperlyConfigured, match="cannot be decrypted"):
        User.objects.get(pk=member.pk)


def test_a_member_cannot_register_an_address_twice_in_another_case():
    from django.core.exceptions import ValidationError

    User.objects.create_user(email="hanako@example.jp", password="x" * 12)
    twin = User(email="HANAKO@Example.JP", nickname="twin")
    with pytest.raises(ValidationError) as excinfo:
        twin.validate_unique()
    assert "このメールアドレスは登録できません" in str(excinfo.value)
