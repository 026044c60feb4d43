"""
The mail outbox for operators and monitors (members.outbox)::

    manage.py mail_outbox                 # {"pending": 0, "sent": 12, "failed": 0, "pending_over_an_hour": 0}
    manage.py mail_outbox --check         # the same; exit status 1 when mail failed or waits over an hour
    manage.py mail_outbox --send-due      # send what is due now (the scheduler does it every minute)
    manage.py mail_outbox --retry-failed  # put failed mail back in the queue (after fixing the cause)
"""

import json

from django.core.management.base import BaseCommand, CommandError

from members import outbox


class Command(BaseCommand):
    help = "メール送信待ち・送信失敗の件数を JSON で表示します（監視用）。"

    def add_arguments(self, parser):
        parser.add_argument("--check", action="store_true", help="送信失敗または1時間以上の送信待ちがあれば終了コード 1")
        parser.add_argument("--send-due", action="store_true", help="送信時刻の来たメールを今すぐ送る")
        parser.add_argument("--retry-failed", action="store_true", help="送信失敗のメールを送信待ちに戻す")

    def handle(self, *args, check=False, send_due=False, retry_failed=False, **options):
        if retry_failed:
            self.stderr.write(f"{outbox.retry_failed()} 件を送信待ちに戻しました。")
        if send_due:
            self.stderr.write(f"{outbox.send_due_mail.call()} 件を送信しました。")
        counts = outbox.counts()
        self.stdout.write(json.dumps(counts))
        if check and (counts["failed"] or counts["pending_over_an_hour"]):
            raise CommandError("送信できないメールがあります。", returncode=1)
