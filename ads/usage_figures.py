"""The ads part of the monthly usage report (declared into ``members.usage``): totals only, no advertiser's figures."""

from django.db.models import Q, Sum

from members import usage

from .models import AdCount, Booking


def build(month_start, month_end):
    counts = AdCount.objects.filter(day__gte=month_start, day__lt=month_end).aggregate(
        impressions=Sum("impressions"), clicks=Sum("clicks"))
    bookings = Booking.objects.filter(Q(starts_on__lt=month_end) & Q(ends_on__gte=month_start)).count()
    return [
        usage.Figure("広告の表示回数", counts["impressions"] or 0, "期間中に広告バナーが表示された回数（ロボットを除く、全広告の合計）。"),
        usage.Figure("広告のクリック数", counts["clicks"] or 0, "期間中に広告バナーがクリックされた回数（全広告の合計）。"),
        usage.Figure("掲載期間のある予約", bookings, "掲載期間が期間と重なる広告の予約の件数。"),
    ]


usage.register("ads", "広告", build, order=60)
