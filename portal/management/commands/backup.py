"""
``manage.py backup``: one backup folder in ``BACKUP_DIR`` (database dump, media, manifest), then
the folders older than ``BACKUP_KEEP_DAYS`` removed. The keys are never in it (``portal.backups``).

  manage.py backup                          into BACKUP_DIR, keep BACKUP_KEEP_DAYS days
  manage.py backup --dir /mnt/b --keep-days 30
  manage.py backup --keys-file /run/secrets/portal-keys.env
        also writes the keys (mode 0600) for the secret store; refused when that file would sit
        with the backups or the media
"""

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from portal import backups


class Command(BaseCommand):
    help = "Back up the database and media (never the keys) and prune old backups."

    def add_arguments(self, parser):
        parser.add_argument("--dir", default=None, help="backup folder (default BACKUP_DIR)")
        parser.add_argument("--keep-days", type=int, default=None, help="days kept (default BACKUP_KEEP_DAYS)")
        parser.add_argument("--keys-file", default=None,
                            help="also write the keys to this file, for the secret store (never next to the backups)")

    def handle(self, *args, **options):
        folder = Path(options["dir"] or settings.BACKUP_DIR)
        keep_days = options["keep_days"] if options["keep_days"] is not None else settings.BACKUP_KEEP_DAYS
        keys_file = options["keys_file"]
        try:
            backups.check_apart(folder, keys_file)
            if keys_file:
                backups.write_keys(keys_file)
            done = backups.create_backup(folder)
            removed = backups.prune(folder, keep_days)
        except (backups.BackupError, FileExistsError) as exc:
            raise CommandError(str(exc)) from exc
        manifest = backups.read_manifest(done)
        rows = sum(entry["rows"] for entry in manifest["counts"].values())
        media = manifest["media"].get("files", "S3")
        self.stdout.write(f"バックアップ: {done} ({len(manifest['counts'])} モデル, {rows} 行, メディア {media} 件)")
        for old in removed:
            self.stdout.write(f"削除 ({keep_days} 日より古い): {old}")
        if keys_file:
            self.stdout.write(f"鍵: {keys_file} (秘密情報の保管庫へ移し、このファイルは消してください)")
