from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from ads import reports, selectors
from ads.models import Advertiser


class Command(BaseCommand):
    help = "広告の月次レポート（請求用）を CSV または PDF で書き出します。"

    def add_arguments(self, parser):
        parser.add_argument("--month", required=True, help="対象の月（YYYY-MM）")
        parser.add_argument("--advertiser", type=int, help="広告主の ID（省略: すべての広告主）")
        parser.add_argument("--format", choices=["csv", "pdf"], default="pdf", help="形式（csv または pdf）")
        parser.add_argument("--output", required=True, help="書き出すファイル")

    def handle(self, *args, month, advertiser, format, output, **options):
        try:
            selectors.month_range(month)
        except ValueError:
            raise CommandError(f"--month は YYYY-MM の形で指定してください（例: 2026-11）: {month}") from None
        chosen = None
        if advertiser is not None:
            chosen = Advertiser.objects.filter(pk=advertiser).first()
            if chosen is None:
                raise CommandError(f"広告主 ID {advertiser} はありません。")
        self._flush()
        report = selectors.monthly_report(month, chosen)
        path = Path(output)
        if format == "csv":
            path.write_text(reports.monthly_csv(report), encoding="utf-8")
        else:
            path.write_bytes(reports.monthly_pdf(report))
        bookings = sum(len(block["bookings"]) for block in report["advertisers"])
        self.stdout.write(self.style.SUCCESS(
            f"{month} のレポートを書き出しました: {path}（広告主 {len(report['advertisers'])}・予約 {bookings} 件）"))

    def _flush(self):
        from ads import services

        services.flush_counts()  # counts still in the cache (this process's, or the shared one) go in first
