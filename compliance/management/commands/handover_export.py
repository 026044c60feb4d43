"""
``manage.py handover_export --dry-run``: the counts per kind, as JSON.
``manage.py handover_export --recipient age1… --output FILE``: the encrypted archive for the ward
(compliance.handover). A missing or wrong key, or an existing output without --force, refuses
before anything is written.
"""

import json

from django.core.management.base import BaseCommand, CommandError

from compliance import handover


class Command(BaseCommand):
    help = "契約終了時の引き継ぎ: 件数 (--dry-run) または区の age 公開鍵あてに暗号化したアーカイブ"

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help="件数を JSON で表示するだけ（何も書きません）")
        parser.add_argument("--recipient", default="", help="区の age 公開鍵 (age1…)")
        parser.add_argument("--output", default="", help="書き出すファイル (例: handover-20270331.tar.age)")
        parser.add_argument("--force", action="store_true", help="既にあるファイルを上書きする")

    def handle(self, *args, **options):
        if options["dry_run"]:
            self.stdout.write(json.dumps({"counts": handover.inventory()}, ensure_ascii=False, indent=2))
            return
        try:
            handover.parse_recipient(options["recipient"])
            if not options["output"]:
                raise handover.HandoverError("出力先 (--output FILE) を指定してください。")
            manifest = handover.export_archive(options["recipient"], options["output"], force=options["force"])
        except handover.HandoverError as exc:
            raise CommandError(str(exc)) from exc
        files = len(manifest["files"])
        self.stdout.write(f"{options['output']}: {files} files, manifest counts {json.dumps(manifest['counts'], ensure_ascii=False)}")
