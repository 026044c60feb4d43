import smtplib

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from newsletter import services
from newsletter.models import Issue


class Command(BaseCommand):
    help = "承認済みのメールマガジンの号を今すぐ送信します（途中で止まった送信は、重複なく続きから送ります）。"

    def add_arguments(self, parser):
        parser.add_argument("issue_id", type=int, help="号の ID")

    def handle(self, *args, issue_id, **options):
        issue = Issue.objects.filter(pk=issue_id).first()
        if issue is None:
            raise CommandError(f"号 {issue_id} はありません。")
        try:
            mailing = services.issue_mailing(issue, via="command")
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from exc
        try:
            counts = services.run_mailing(mailing, report=self._progress if options["verbosity"] > 1 else None)
        except (smtplib.SMTPException, OSError) as exc:
            raise CommandError(f"メールサーバーに送れません（{exc}）。送った分は記録済みで、次の実行で続きから送ります。") from exc
        if counts is None:
            raise CommandError("この号は別のワーカーが送信中です。")
        self.stdout.write(self.style.SUCCESS(f"「{issue.title}」: {_counts(counts)}"))

    def _progress(self, totals):
        self.stdout.write(_counts(totals))


def _counts(counts):
    names = {"sent": "送信", "pending": "再試行待ち", "failed": "失敗", "cancelled": "取りやめ", None: "他のワーカー"}
    return "、".join(f"{names.get(state, state)} {count} 件" for state, count in counts.items()) or "送る相手はいませんでした"
