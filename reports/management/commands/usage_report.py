"""`manage.py usage_report --month YYYY-MM --format pdf|csv|xlsx --output FILE`: the monthly usage report."""

import sys
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import translation

from reports import counting, report


class Command(BaseCommand):
    help = "利用状況報告（月次）を PDF・CSV・Excel で書き出します。"

    def add_arguments(self, parser):
        parser.add_argument("--month", required=True, help="対象の月（YYYY-MM、例: 2026-11）")
        parser.add_argument("--format", required=True, choices=report.FORMATS, help="pdf、csv、xlsx")
        parser.add_argument("--output", required=True, help="書き出すファイル（- で標準出力）")

    def handle(self, *args, month, output, **options):
        fmt = options["format"]
        try:
            with translation.override(settings.LANGUAGE_CODE):
                first = report.parse_month(month)
        except report.MonthError as exc:
            raise CommandError(str(exc)) from exc
        target = None if output == "-" else Path(output)
        if target is not None and not target.parent.is_dir():
            raise CommandError(f"書き出し先のフォルダ {target.parent} がありません。")
        counting.flush()  # what this process can see (the shared cache's counts, with REDIS_URL)
        data = report.render(report.build(first), fmt)
        if target is None:
            sys.stdout.buffer.write(data)
            return
        partial = target.with_name(f".{target.name}.partial")
        partial.write_bytes(data)
        partial.replace(target)
        with translation.override(settings.LANGUAGE_CODE):
            label = report.month_label(first)
        self.stderr.write(f"{label}の利用状況報告を {target} に書き出しました（{len(data):,} バイト）。")
