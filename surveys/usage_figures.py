"""The surveys' part of the monthly usage report (declared into ``members.usage``): counts only."""

from members import usage

from .models import Application, Response


def build(month_start, month_end):
    start, end = usage.bounds(month_start, month_end)
    responses = Response.objects.filter(created_at__gte=start, created_at__lt=end).count()
    applications = Application.objects.filter(created_at__gte=start, created_at__lt=end).count()
    return [
        usage.Figure("アンケートの回答", usage.small(responses), "期間中に受け付けたアンケートの回答の数（5未満は「5未満」）。"),
        usage.Figure("募集への応募", usage.small(applications), "期間中に受け付けた募集への応募の数（取消を含む）。"),
    ]


usage.register("surveys", "アンケート・募集", build, order=80)
