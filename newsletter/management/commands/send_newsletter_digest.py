from django.core.management.base import BaseCommand

from newsletter import services, tasks
from newsletter.management.commands.send_newsletter import _counts


class Command(BaseCommand):
    help = ("週刊ダイジェストを送ります。既定では今週分（週に1回）をジョブとして登録します。"
            "--now を付けると、直近7日間の新着をこの場ですぐに送ります（今週分を送った後でも）。")

    def add_arguments(self, parser):
        parser.add_argument("--now", action="store_true", help="直近7日間の新着を、このプロセスで今すぐ送る")

    def handle(self, *args, now=False, **options):
        if not now:
            result = tasks.send_weekly_digest.enqueue()
            self.stdout.write(f"今週の週刊ダイジェストをジョブとして登録しました（{result.id}）。")
            return
        mailing = services.digest_mailing(extra=True)
        counts = services.run_mailing(mailing)
        self.stdout.write(self.style.SUCCESS(f"{mailing.title}: {_counts(counts or {})}"))
