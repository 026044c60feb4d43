from django.core.management.base import BaseCommand, CommandError

from newsletter.bounces import process_path


class Command(BaseCommand):
    help = ("不達通知（RFC 3464 の DSN）と苦情（ARF）、List-Unsubscribe の mailto への配信停止メールを、"
            "maildir・mbox・メール1通のファイルから読み取ります。同じ通知を2回読んでも1回と数えます。")

    def add_arguments(self, parser):
        parser.add_argument("path", help="maildir のディレクトリ、mbox ファイル、またはメール1通のファイル")

    def handle(self, *args, path, **options):
        try:
            summary = process_path(path)
        except (FileNotFoundError, ValueError) as exc:
            raise CommandError(f"読み取れません: {exc}") from exc
        self.stdout.write(
            f"読んだメール {summary.read} 通: 不達（恒久）{summary.hard}・不達（一時）{summary.soft}・苦情 {summary.complaints}・"
            f"配信停止 {summary.unsubscribed}・処理済み {summary.duplicates}・該当なし {summary.unmatched}・"
            f"対象外 {summary.ignored}")
        for error in summary.errors:
            self.stderr.write(f"読めなかったメール: {error}")
