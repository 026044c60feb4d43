"""Re-encrypt every member's personal data under the newest key in FIELD_ENCRYPTION_KEYS."""

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand
from django.db import connection, transaction

from members import crypto


class Command(BaseCommand):
    help = "会員の個人情報を FIELD_ENCRYPTION_KEYS の先頭（最新）の鍵で暗号化し直します。"

    def handle(self, *args, **options):
        User = get_user_model()
        columns = [f.column for f in User._meta.concrete_fields if isinstance(f, crypto.EncryptedTextField)]
        quote = connection.ops.quote_name
        table = quote(User._meta.db_table)
        # The stored tokens, read and written raw: MultiFernet.rotate re-encrypts each one, so
        # no plain text is held in model objects along the way.
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(f"SELECT id, {', '.join(quote(c) for c in columns)} FROM {table} ORDER BY id")
            rows = cursor.fetchall()
            updated = 0
            for pk, *stored in rows:
                values = [crypto.rotate(value) if value else value for value in stored]
                assignments = ", ".join(f"{quote(c)} = %s" for c in columns)
                cursor.execute(f"UPDATE {table} SET {assignments} WHERE id = %s", [*values, pk])
                updated += 1
        self.stdout.write(f"{updated} 人分の個人情報を最新の鍵で暗号化し直しました。")
