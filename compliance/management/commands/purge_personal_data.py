"""
``manage.py purge_personal_data``: what would be erased, changing nothing (exit status 1).
``manage.py purge_personal_data --confirm --operator NAME --certificate PATH``: erase every
person's data, verify it (counts, plaintext scan) and write the erasure certificate
(PATH.json, PATH.txt, PATH.pdf). See compliance.purge.
"""

import datetime
import json

from django.core.management.base import BaseCommand, CommandError

from compliance import purge


class Command(BaseCommand):
    help = "契約終了時の個人情報の消去と確認、消去証明書の作成（--confirm なしでは何も変更しません）"

    def add_arguments(self, parser):
        parser.add_argument("--confirm", action="store_true", help="本当に消去する")
        parser.add_argument("--operator", default="", help="実施者の氏名（--confirm では必須）")
        parser.add_argument("--certificate", default="", help="証明書の出力先（.json/.txt/.pdf を作ります）")
        parser.add_argument("--destroy-key-file", default="", help="鍵を読んでいるファイルを上書きして削除する")

    def handle(self, *args, **options):
        if not options["confirm"]:
            plan = {"would_erase": purge.personal_counts(), "backups": purge.backups(datetime.datetime.now(datetime.UTC))}
            self.stdout.write(json.dumps(plan, ensure_ascii=False, indent=2))
            raise CommandError("--confirm がないので何も変更していません。消去するには --confirm --operator 氏名 "
                               "--certificate PATH を付けてください。")
        if not options["operator"].strip():
            raise CommandError("--operator（実施者の氏名）を指定してください。")
        if not options["certificate"]:
            raise CommandError("--certificate（証明書の出力先）を指定してください。")
        try:
            cert = purge.run_purge(options["operator"].strip(), options["certificate"],
                                   destroy_key_file=options["destroy_key_file"] or None)
        except purge.PurgeError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(purge.certificate_text(cert))
        if cert["result"] != "完了":
            raise CommandError("消去の確認で問題が見つかりました: 証明書の「確認」を見てください。")

