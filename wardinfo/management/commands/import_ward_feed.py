from django.core.management.base import BaseCommand, CommandError

from wardinfo.importer import FeedError, check_address, import_source
from wardinfo.models import FeedSource


class Command(BaseCommand):
    help = "1つのフィードを今すぐ取り込みます（フィードが未登録なら登録します）。"

    def add_arguments(self, parser):
        parser.add_argument("url")
        parser.add_argument("--name", default="")

    def handle(self, *args, url, name, **options):
        try:
            check_address(url)
        except FeedError as exc:
            raise CommandError(str(exc)) from exc
        source, created = FeedSource.objects.get_or_create(url=url, defaults={"name": name or url[:120]})
        try:
            result = import_source(source)
        except FeedError as exc:
            raise CommandError(f"取り込めませんでした: {exc}") from exc
        if result.not_modified:
            self.stdout.write("変更なし（304）")
        else:
            self.stdout.write(f"新規 {result.created}・更新 {result.updated}・変更なし {result.unchanged}")
