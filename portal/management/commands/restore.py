"""
``manage.py restore BACKUP_FOLDER [--force]``: a backup made by ``manage.py backup`` back into an
empty database and media folder, checked, then migrated (``portal.backups``).

Steps: files checked against the manifest's SHA-256; the database and media folder must be empty
(``--force`` overwrites); the dump loaded; rows per model compared with the manifest; one value of
every encrypted column decrypted with the configured keys (exits with a clear error when they are
not the backup's); media unpacked; ``migrate`` for code newer than the backup.
"""

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError

from portal import backups


class Command(BaseCommand):
    help = "Restore a backup folder into an empty database and media folder, then verify and migrate."

    def add_arguments(self, parser):
        parser.add_argument("folder", help="a backup folder (BACKUP_DIR/portal-...)")
        parser.add_argument("--force", action="store_true",
                            help="overwrite a database and media folder that are not empty")

    def handle(self, *args, folder, force, **options):
        try:
            manifest = backups.read_manifest(folder)
            backups.check_empty(manifest, force)
            backups.load_database(folder, manifest, force)
            rows = backups.compare_counts(manifest)
            self.stdout.write(f"データベース: {len(manifest['counts'])} モデル, {rows} 行 (マニフェストと一致)")
            probed = backups.probe_keys()
            self.stdout.write(f"鍵: 暗号化された {probed} 列を復号できました")
            files = backups.restore_media(folder, manifest)
            self.stdout.write(f"メディア: {files} 件" if manifest["media"].get("file") else f"メディア: {manifest['media']['note']}")
        except backups.BackupError as exc:
            raise CommandError(str(exc)) from exc
        call_command("migrate", interactive=False, verbosity=0)
        self.stdout.write(f"復元しました: {folder} ({manifest['created']} のバックアップ)")
