from django.urls import path, reverse
from wagtail import hooks
from wagtail.admin.menu import MenuItem
from wagtail.admin.panels import FieldPanel
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet, SnippetViewSetGroup

from . import admin_views, selectors
from .models import Board, NGWord, Sanction


@hooks.register("register_admin_urls")
def register_moderation_urls():
    # Wagtail wraps these in require_admin_access; each view checks the moderation permission.
    return [
        path("moderation/queue/", admin_views.QueueView.as_view(), name="moderation_admin_queue"),
        path("moderation/items/<str:key>/edit/", admin_views.EditView.as_view(), name="moderation_admin_edit"),
        path("moderation/members/<int:member_id>/sanction/", admin_views.SanctionView.as_view(),
             name="moderation_admin_sanction"),
    ]


class QueueMenuItem(MenuItem):
    def is_shown(self, request):
        return request.user.has_perm(admin_views.PERMISSION)

    def render_component(self, request):
        """The sidebar entry, with the number of contributions waiting: 「投稿の審査（3件）」."""
        component = super().render_component(request)
        waiting = selectors.queue_size()
        if waiting:
            component.label = f"{self.label}（{waiting}件）"
        return component


@hooks.register("register_admin_menu_item")
def register_queue_menu_item():
    return QueueMenuItem("投稿の審査", reverse("moderation_admin_queue"), icon_name="warning", order=250)


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
