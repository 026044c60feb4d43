"""The search part of the monthly usage report (declared into ``members.usage``): the counts search.analytics keeps."""

from django.db.models import Sum

from members import usage

from .models import QueryStat

TOP = 20


def build(month_start, month_end):
    stats = QueryStat.objects.filter(day__gte=month_start, day__lt=month_end)
    totals = stats.aggregate(searches=Sum("searches"), zero=Sum("zero_results"))
    by_query = stats.values("query").annotate(total=Sum("searches"), zero=Sum("zero_results"))
    top = [[row["query"], row["total"]] for row in by_query.order_by("-total", "query")[:TOP]]
    zero = [[row["query"], row["zero"]] for row in by_query.filter(zero__gt=0).order_by("-zero", "query")[:TOP]]
    return [
        usage.Figure("検索回数", totals["searches"] or 0, "期間中にサイト内検索が行われた回数（検索語のあるもの）。"),
        usage.Figure("結果のなかった検索", totals["zero"] or 0, "そのうち、結果が1件もなかった回数。"),
        usage.Table("よく検索された語", ["検索語", "回数"], top,
                    f"期間中の検索回数の多い検索語（上位{TOP}語。個人情報らしい語は記録していません）。", chart=True),
        usage.Table("結果のなかった検索語", ["検索語", "回数"], zero,
                    f"結果が1件もなかった検索の多い語（上位{TOP}語）: 住民が探して見つからなかった内容。"),
    ]


usage.register("search", "サイト内検索", build, order=20)
