"""The moderation part of the monthly usage report (declared into ``members.usage``)."""

from collections import Counter

from members import usage

from . import registry
from .models import Flag, Sanction, Status


def _hours(delta):
    return round(delta.total_seconds() / 3600, 1)


def _received(start, end):
    """Per kind: (label, received, shown, held, refused), and the refused items' reasons counted."""
    rows, reasons = [], Counter()
    for kind in registry.kinds():
        items = kind.model.objects.filter(created_at__gte=start, created_at__lt=end)
        by_status = Counter(items.values_list("status", flat=True))
        rows.append([kind.label, sum(by_status.values()), by_status[Status.SHOWN], by_status[Status.HELD],
                     by_status[Status.REFUSED]])
        for screening in items.filter(status=Status.REFUSED).values_list("screening", flat=True):
            codes = [entry.get("code") for entry in screening or [] if isinstance(entry, dict) and entry.get("code")]
            reasons[codes[0] if codes else "スタッフの判断"] += 1
    return rows, reasons


def _decision_times(start, end):
    hours = []
    for kind in registry.kinds():
        decided = kind.model.objects.filter(decided_at__gte=start, decided_at__lt=end, queued_at__isnull=False)
        hours += [_hours(decided_at - queued_at) for queued_at, decided_at in decided.values_list("queued_at", "decided_at")
                  if decided_at >= queued_at]
    return hours


def build(month_start, month_end):
    start, end = usage.bounds(month_start, month_end)
    rows, reasons = _received(start, end)
    hours = _decision_times(start, end)
    flags = Counter(Flag.objects.filter(created_at__gte=start, created_at__lt=end).values_list("reason", flat=True))
    sanctions = Counter(Sanction.objects.filter(created_at__gte=start, created_at__lt=end).values_list("kind", flat=True))
    flag_labels, sanction_labels = dict(Flag.Reason.choices), dict(Sanction.Kind.choices)
    median, p95 = usage.percentile(hours, 0.5), usage.percentile(hours, 0.95)
    return [
        usage.Table("種類別の投稿", ["種類", "受付", "公開中", "確認待ち", "掲載不可"], rows,
                    "期間中に受け付けた投稿（掲示板・地域の情報など）の件数と、その現在の状態。"),
        usage.Table("掲載不可の理由", ["理由", "件数"], sorted(reasons.items(), key=lambda row: -row[1]),
                    "期間中に受け付け、掲載不可となった投稿の理由（自動確認の最初の理由コード、なければスタッフの判断）。"),
        usage.Figure("確認待ちから判断までの時間（中央値）", "-" if median is None else f"{median} 時間",
                     "期間中に判断した投稿について、確認待ちになってから公開・掲載不可を判断するまでの時間の中央値。"),
        usage.Figure("確認待ちから判断までの時間（95パーセンタイル）", "-" if p95 is None else f"{p95} 時間",
                     "同じ時間の95パーセンタイル（95%の投稿がこの時間内に判断された）。"),
        usage.Table("通報", ["理由", "件数"], [[str(flag_labels.get(key, key)), value] for key, value in flags.items()],
                    "期間中に利用者から受けた通報の件数（理由別）。"),
        usage.Table("利用制限", ["種類", "件数"],
                    [[str(sanction_labels.get(key, key)), value] for key, value in sanctions.items()],
                    "期間中に会員に科した利用制限（注意・投稿の一時停止・投稿の禁止）の件数。"),
    ]


usage.register("moderation", "投稿と審査", build, order=40)
