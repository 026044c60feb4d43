"""On PostgreSQL too, no table holds a member's personal data in plain text."""

import pytest
from django.db import connection
from faker import Faker

from tests.members.test_encryption import make_member, personal_values

pytestmark = pytest.mark.django_db


def test_no_table_holds_personal_data_in_plain_text():
    fake = Faker("ja_JP")
    fake.seed_instance(11)
    member = make_member(fake)
    quote = connection.ops.quote_name
    dump = []
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names():
            cursor.execute(f"SELECT row_to_json(t)::text FROM {quote(table)} t")
            dump.extend(row[0] for row in cursor.fetchall())
    text = "\n".join(dump)
    assert member.nickname in text, "the dump reads the member's row"
    # Values that identify this member anywhere (a bare surname like 田中 also occurs in the
    # generated demo articles, so the whole name is what is looked for).
    distinctive = [
        member.email, member.last_name + member.first_name, f"{member.last_name} {member.first_name}",
        member.last_name_kana + member.first_name_kana, member.street, member.building,
        member.date_of_birth.isoformat(),
    ]
    for value in distinctive:
        assert value not in text, f"{value!r} is stored in plain text"
    # In the member's own row, every value, however short.
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT row_to_json(t)::text FROM {quote('members_user')} t WHERE id = %s", [member.pk])
        row = cursor.fetchone()[0]
    for value in personal_values(member):
        assert value not in row, f"{value!r} is stored in plain text"
