"""The mail magazine's part of the monthly usage report (declared into ``members.usage``): counts only."""

from members import usage

from .models import Delivery, Mailing, Status, Subscriber


def build(month_start, month_end):
    start, end = usage.bounds(month_start, month_end)
    confirmed = Subscriber.objects.filter(confirmed_at__gte=start, confirmed_at__lt=end).count()
    unsubscribed = Subscriber.objects.filter(unsubscribed_at__gte=start, unsubscribed_at__lt=end).count()
    active = Subscriber.objects.filter(status=Status.ACTIVE).count()
    mailings = Mailing.objects.filter(finished_at__gte=start, finished_at__lt=end).count()
    sent = Delivery.objects.filter(sent_at__gte=start, sent_at__lt=end).count()
    return [
        usage.Figure("新しい購読者", usage.small(confirmed), "期間中に購読の確認を終えた購読者の数（5未満は「5未満」）。"),
        usage.Figure("配信停止", usage.small(unsubscribed), "期間中に配信を停止した購読者の数。"),
        usage.Figure("購読者数", usage.small(active), "報告の作成時点で配信中の購読者の数。"),
        usage.Figure("送信した号", mailings, "期間中に送信を終えたメールマガジン（編集部の号と週刊ダイジェスト）の数。"),
        usage.Figure("送信したメール", sent, "期間中に送信したメールマガジンの通数。"),
    ]


usage.register("newsletter", "メールマガジン", build, order=70)
