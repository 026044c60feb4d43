from django.core.management.base import BaseCommand

from wardinfo.importer import FeedError, import_source
from wardinfo.models import FeedSource


class Command(BaseCommand):
    help = "有効なすべてのフィードから区のお知らせを取り込みます。"

    def add_arguments(self, parser):
        parser.add_argument("--due", action="store_true", help="取り込み間隔が過ぎたフィードだけ")

    def handle(self, *args, due=False, **options):
        failed = 0
        for source in FeedSource.objects.filter(active=True).order_by("pk"):
            if due and not source.is_due():
                continue
            try:
                result = import_source(source)
            except FeedError as exc:
                failed += 1
                self.stderr.write(f"{source.name}: 失敗 — {exc}")
                continue
            if result.not_modified:
                self.stdout.write(f"{source.name}: 変更なし（304）")
            else:
                self.stdout.write(f"{source.name}: 新規 {result.created}・更新 {result.updated}・変更なし {result.unchanged}")
        if failed:
            self.stderr.write(f"{failed} 件のフィードが失敗しました（管理画面のフィードにエラーを表示しています）。")
