"""
The moderation app in the Wagtail admin: the queue (投稿の審査, one viewset with its menu item and
count) and, under 投稿の管理, NG words, boards and the record of sanctions as snippets.
"""

from wagtail import hooks
from wagtail.admin.panels import FieldPanel
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet, SnippetViewSetGroup

from .admin_views import ModerationQueueViewSet
from .models import Board, NGWord, Sanction


@hooks.register("register_admin_viewset")
def register_moderation_queue():
    # /admin/moderation/…: Wagtail checks admin access; each view checks the moderation permission.
    return ModerationQueueViewSet()


class NGWordViewSet(SnippetViewSet):
    model = NGWord
    icon = "cross"
    menu_label = "NGワード"
    list_display = ["word", "action", "active", "note", "created_at"]
    list_filter = ["action", "active"]
    search_fields = ["word", "note"]
    panels = [FieldPanel("word"), FieldPanel("action"), FieldPanel("active"), FieldPanel("note")]


class BoardViewSet(SnippetViewSet):
    model = Board
    icon = "group"
    menu_label = "掲示板"
    list_display = ["title", "slug", "district", "theme", "active", "sort_order"]
    panels = [FieldPanel("title"), FieldPanel("slug"), FieldPanel("description"), FieldPanel("district"),
              FieldPanel("theme"), FieldPanel("active"), FieldPanel("sort_order")]


class SanctionViewSet(SnippetViewSet):
    """The record of sanctions (read-only here: sanctions are given from the queue, with the audit entry)."""

    model = Sanction
    icon = "warning"
    menu_label = "処分の記録"
    list_display = ["member", "kind", "until", "reason", "created_by", "created_at"]
    list_filter = ["kind"]
    inspect_view_enabled = True


class ModerationSettingsGroup(SnippetViewSetGroup):
    items = (NGWordViewSet, BoardViewSet, SanctionViewSet)
    menu_icon = "warning"
    menu_label = "投稿の管理"
    menu_name = "moderation"
    menu_order = 260


register_snippet(ModerationSettingsGroup)
