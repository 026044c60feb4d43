from pathlib import Path

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand, CommandError


class Command(BaseCommand):
    help = "管理者アカウントがなければ作成します。パスワードはファイルから読みます（固定のパスワードは使いません）。"

    def add_arguments(self, parser):
        parser.add_argument("--email", required=True)
        parser.add_argument("--password-file", required=True, type=Path)

    def handle(self, *args, email, password_file, **options):
        try:
            password = password_file.read_text(encoding="utf-8").strip()
        except OSError as exc:
            raise CommandError(f"パスワードファイルを読めません: {exc}") from exc
        if len(password) < 16:
            raise CommandError("パスワードファイルの中身が短すぎます（16文字以上）。")
        User = get_user_model()
        user = User.objects.by_email(email).first()
        if user is None:
            user = User.objects.create_superuser(email=email, password=password, nickname="管理者",
                                                 first_name="管理者", last_name="ポータル")
            self.stdout.write(f"管理者 {email} を作成しました。")
        user.groups.add(Group.objects.get(name="Administrators"))
