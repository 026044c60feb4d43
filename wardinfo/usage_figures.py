"""The ward feeds' part of the monthly usage report (declared into ``members.usage``)."""

from django.utils import timezone

from members import usage

from .models import FeedSource, WardNotice


def _when(moment):
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M") if moment else "-"


def build(month_start, month_end):
    start, end = usage.bounds(month_start, month_end)
    rows = []
    for feed in FeedSource.objects.order_by("name", "pk"):
        notices = WardNotice.objects.filter(source=feed, published_at__gte=start, published_at__lt=end).count()
        error = feed.last_error_at if feed.last_error_at and start <= feed.last_error_at < end else None
        rows.append([feed.name, "取り込む" if feed.active else "停止中", notices, _when(feed.last_fetched_at),
                     _when(error)])
    total = WardNotice.objects.filter(published_at__gte=start, published_at__lt=end).count()
    return [
        usage.Figure("取り込んだ区のお知らせ", total, "期間中に公開日時がある、区のフィードから取り込んだお知らせの件数。"),
        usage.Table("フィードの状態", ["フィード", "設定", "お知らせ", "最終取り込み", "期間中の直近のエラー"], rows,
                    "区のフィードごとの、期間中に公開されたお知らせの件数、最後に取り込んだ日時、期間中に起きた最後の"
                    "取り込みエラーの日時（取り込みの実行回数と失敗の回数は「稼働状況」の節）。"),
    ]


usage.register("wardinfo", "区のお知らせの取り込み", build, order=50)
