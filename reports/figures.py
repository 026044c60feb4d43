"""
The figures of the monthly usage report: the reports app's own (page views, visitors, uptime, the
daily checks) registered into ``members.usage`` like every other app's, and ``collect`` that builds
every registered section for a month. The registry lives in ``members.usage`` (below every app, so
members, moderation, wardinfo and search can declare into it); the apps' ``usage_figures.py``
modules are found by ``ReportsConfig.ready`` and never imported by name here.
"""

from collections import defaultdict
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.db.models import Max, Sum
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from wagtail.models import Locale, Page

from members import usage
from pages.terms import district_model, tagged_terms, visible_term_map

from . import selectors
from .models import ErrorCount, PageViewDay, VisitorDay

TOP_PAGES = 20


@dataclass
class BuiltSection:
    label: str
    items: list
    error: str = ""


def collect(month_start, month_end):
    """Every registered section built for the month; a section that fails says so instead of stopping the report."""
    built = []
    for section in usage.sections():
        try:
            built.append(BuiltSection(section.label, list(section.build(month_start, month_end))))
        except Exception as exc:  # one app's broken figure must not cost the ward the whole report
            built.append(BuiltSection(section.label, [], _("この節は作成できませんでした: %(error)s") % {
                "error": type(exc).__name__}))
    return built


def _days(month_start, month_end):
    return [month_start + timedelta(days=n) for n in range((month_end - month_start).days)]


def _grouped(views, field, label=str):
    rows = views.values(field).annotate(total=Sum("views")).order_by("-total", field)
    return [[label(row[field]), row["total"]] for row in rows]


def _page_terms(page_ids):
    """{page id: (title, [district titles], [theme titles])} through pages' public face (Japanese terms)."""
    locale = Locale.objects.filter(language_code=settings.LANGUAGE_CODE).first()
    term_map = visible_term_map(locale) if locale else {}
    found = {}
    for page in Page.objects.filter(pk__in=page_ids).specific():
        if page.translation_key in term_map:
            terms = [term_map[page.translation_key]]
        elif hasattr(page, "themes"):
            terms = tagged_terms(term_map, page)
        else:
            terms = []
        districts = [term.title for term in terms if isinstance(term, district_model())]
        themes = [term.title for term in terms if not isinstance(term, district_model())]
        found[page.pk] = (page.title, districts, themes)
    return found


def _by_terms(views):
    """Views per district and per theme: a page counts for each district and theme it is tagged with (or is)."""
    per_page = dict(views.values_list("page_id").annotate(total=Sum("views")).order_by())
    terms = _page_terms([page_id for page_id in per_page if page_id])
    districts, themes = defaultdict(int), defaultdict(int)
    for page_id, total in per_page.items():
        _title, page_districts, page_themes = terms.get(page_id, ("", [], []))
        for name in page_districts:
            districts[name] += total
        for name in page_themes:
            themes[name] += total
    ordered = lambda counts: sorted(([name, total] for name, total in counts.items()), key=lambda row: -row[1])  # noqa: E731
    return ordered(districts), ordered(themes), terms


def _top_pages(views, terms):
    rows = views.values("path").annotate(total=Sum("views"), page_id=Max("page_id")).order_by("-total", "path")[:TOP_PAGES]
    return [[row["path"], terms.get(row["page_id"], ("",))[0], row["total"]] for row in rows]


def _devices(views):
    labels = dict(PageViewDay.Device.choices)
    return _grouped(views, "device", lambda value: str(labels.get(value, value)))


def _languages(views):
    labels = dict(settings.LANGUAGES)
    return _grouped(views, "language", lambda value: labels.get(value, value or "-"))


def _daily(views, month_start, month_end):
    per_day = dict(views.values_list("day").annotate(total=Sum("views")).order_by())
    visitors = dict(VisitorDay.objects.filter(day__gte=month_start, day__lt=month_end).values_list("day", "visitors"))
    return [[f"{day:%m/%d}", per_day.get(day, 0), visitors.get(day, 0)] for day in _days(month_start, month_end)]


def traffic(month_start, month_end):
    """Page views and visitors of the month (PageViewDay, VisitorDay)."""
    views = PageViewDay.objects.filter(day__gte=month_start, day__lt=month_end)
    total = views.aggregate(total=Sum("views"))["total"] or 0
    visitor_days = VisitorDay.objects.filter(day__gte=month_start, day__lt=month_end).aggregate(
        total=Sum("visitors"))["total"] or 0
    districts, themes, terms = _by_terms(views)
    referrers = _grouped(views.exclude(referrer_domain=""), "referrer_domain")[:TOP_PAGES]
    return [
        usage.Figure(_("ページの閲覧数"), total, _(
            "期間中に公開サイトのページ（HTML）が正常に表示された回数。管理画面・API・画像などのファイル、ロボット"
            "（クローラー）、ログイン中のスタッフの閲覧、エラーや転送は数えません。キャッシュから表示したページも数えます。")),
        usage.Figure(_("日別訪問者数の延べ"), visitor_days, _(
            "日ごとの訪問者数（推定）を期間中について足し合わせた数。訪問者は、その日限りの無作為な鍵で作った接続元"
            "アドレスとブラウザの組の照合値で区別します（照合値・アドレス・ブラウザ名は保存せず、鍵は日付が変わると"
            "破棄します）。同じ人が別の日に来ればそれぞれ数え、同じアドレス・同じブラウザの複数の人は1人と数えます。")),
        usage.Table(_("日別の閲覧数と訪問者数"), [_("日付"), _("閲覧数"), _("訪問者数（推定）")],
                    _daily(views, month_start, month_end), _("日ごとのページの閲覧数と訪問者数（推定）。"), chart=True),
        usage.Table(_("地域別の閲覧数"), [_("地域"), _("閲覧数")], districts, _(
            "地域のページと、地域が付けられたページ（記事・お店など）の閲覧数を地域ごとに足したもの。複数の地域が"
            "付いたページはそれぞれの地域に数えます（合計は閲覧数と一致しません）。"), chart=True),
        usage.Table(_("テーマ別の閲覧数"), [_("テーマ"), _("閲覧数")], themes, _(
            "テーマのページと、テーマが付けられたページの閲覧数をテーマごとに足したもの（複数のテーマは"
            "それぞれに数えます）。"), chart=True),
        usage.Table(_("言語別の閲覧数"), [_("言語"), _("閲覧数")], _languages(views), _("表示した言語ごとの閲覧数。")),
        usage.Table(_("端末別の閲覧数"), [_("端末"), _("閲覧数")], _devices(views), _(
            "ブラウザの名乗り（User-Agent）からの推定: スマートフォン、タブレット、パソコン。")),
        usage.Table(_("よく見られたページ"), [_("パス"), _("ページ"), _("閲覧数")], _top_pages(views, terms), _(
            "期間中の閲覧数の多いページ（上位%(top)s件）。") % {"top": TOP_PAGES}),
        usage.Table(_("参照元のサイト"), [_("ドメイン"), _("閲覧数")], referrers, _(
            "他のサイトのリンクから来た閲覧の、リンク元のドメイン（ドメイン名だけを記録します）。")),
    ]


def _uptime_figures(month_start, month_end):
    state = selectors.uptime(month_start, month_end)
    when = lambda moment: f"{timezone.localtime(moment):%m/%d %H:%M}"  # noqa: E731
    incidents = [[when(start), when(end), str(what)] for start, end, what in state["incidents"]]
    errors = ErrorCount.objects.filter(day__gte=month_start, day__lt=month_end).aggregate(total=Sum("errors"))["total"]
    return [
        usage.Figure(_("稼働率"), f"{state['percent']:.2f} %", _(
            "期間の時間のうち、サイトが停止していなかった時間の割合（監視が停止として記録した時間を除いたもの）。")),
        usage.Figure(_("停止時間"), _("%(minutes)s 分") % {"minutes": state["minutes_down"]}, _(
            "監視が停止として記録した時間（データベース・ワーカー・スケジューラーの停止など）の合計（分）。")),
        usage.Figure(_("サーバーエラー"), errors or 0, _("期間中にサーバーがエラー（HTTP 5xx）を返した回数。")),
        usage.Table(_("障害"), [_("発生"), _("復旧"), _("内容")], incidents, _(
            "期間中に監視が停止として記録した障害と、その復旧の時刻（期間内に切り詰めたもの）。")),
    ]


def operations(month_start, month_end):
    """Uptime and incidents (the monitoring part's selectors), and the days without a recorded daily check."""
    last = min(month_end - timedelta(days=1), timezone.localdate())
    missing = [f"{day:%Y-%m-%d}" for day in selectors.days_without_check(month_start, last)] \
        if last >= month_start else []
    return [*_uptime_figures(month_start, month_end),
            usage.Figure(_("日常確認のない日"), len(missing), _(
                "担当者が「確認しました」を記録しなかった日の数（サーバーの状態と投稿内容の日常の監視。今日より後の日は"
                "数えません）。")),
            usage.Table(_("日常確認の記録がない日"), [_("日付")], [[day] for day in missing],
                        _("日常確認の記録がない日の一覧。"))]


usage.register("traffic", gettext_lazy("サイトの利用"), traffic, order=10)
usage.register("operations", gettext_lazy("稼働状況と日常確認"), operations, order=95)
