"""
Search in the Wagtail admin: the query report (レポート → 検索語の集計) for editors, and the
synonym list (スニペット → 同義語) that queries are expanded with (``search.synonyms``).
"""

import datetime

from django.shortcuts import render
from django.urls import path, reverse
from django.utils import timezone
from wagtail import hooks
from wagtail.admin.menu import MenuItem
from wagtail.admin.panels import FieldPanel
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet

from . import analytics
from .engine import get_engine
from .models import PendingIndexChange, SearchDocument, SynonymGroup

PERIODS = {"7": 7, "30": 30, "90": 90}


def query_report(request):
    """Popular queries and queries with no results over a period. Only counts: no one is identifiable."""
    days = PERIODS.get(request.GET.get("days", "30"), 30)
    since = timezone.localdate() - datetime.timedelta(days=days - 1)
    engine = get_engine()
    return render(request, "search/admin/query_report.html", {
        "page_title": "検索語の集計", "header_icon": "search", "days": days, "periods": PERIODS,
        "popular": analytics.popular(since), "without_results": analytics.without_results(since),
        "documents": SearchDocument.objects.count(), "pending": PendingIndexChange.objects.count(),
        "engine": "なし（データベースで検索）" if engine is None else ("応答あり" if engine.ping() else "応答なし（データベースで検索中）"),
    })


@hooks.register("register_admin_urls")
def urls():
    # Under /admin/, so only users with admin access (editors, moderators, administrators) reach it.
    return [path("search/queries/", query_report, name="search_query_report")]


@hooks.register("register_reports_menu_item")
def menu_item():
    return MenuItem("検索語の集計", reverse("search_query_report"), icon_name="search", order=900)


class SynonymViewSet(SnippetViewSet):
    # Permissions portal_search.*_synonymgroup, granted to editors and moderators in search/roles.py.
    model = SynonymGroup
    icon = "list-ul"
    menu_label = "同義語"
    list_display = ["__str__", "note", "updated_at"]
    search_fields = ["terms", "note"]
    panels = [FieldPanel("terms"), FieldPanel("note")]


register_snippet(SynonymViewSet)
