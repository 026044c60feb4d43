from wagtail.admin.panels import FieldPanel
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet, SnippetViewSetGroup

from .models import FeedSource, RelatedSite, WardNotice


class FeedSourceViewSet(SnippetViewSet):
    model = FeedSource
    icon = "rss"
    menu_label = "フィード"
    list_display = ["name", "url", "active", "last_fetched_at", "last_error", "last_error_at"]
    list_filter = ["active"]
    panels = [
        FieldPanel("name"), FieldPanel("url"), FieldPanel("active"), FieldPanel("interval_minutes"),
        FieldPanel("districts"), FieldPanel("themes"), FieldPanel("keyword_rules"),
        FieldPanel("last_fetched_at", read_only=True), FieldPanel("last_error", read_only=True),
        FieldPanel("last_error_at", read_only=True),
    ]


class WardNoticeViewSet(SnippetViewSet):
    model = WardNotice
    icon = "doc-full"
    menu_label = "区のお知らせ"
    list_display = ["title", "source", "published_at", "url"]
    list_filter = ["source"]
    search_fields = ["title", "summary"]


class RelatedSiteViewSet(SnippetViewSet):
    model = RelatedSite
    icon = "link-external"
    menu_label = "関連サイト"
    list_display = ["title", "url", "sort_order"]
    search_fields = ["title", "description"]
    panels = [FieldPanel("title"), FieldPanel("url"), FieldPanel("description"), FieldPanel("districts"),
              FieldPanel("themes"), FieldPanel("sort_order")]


class WardInfoGroup(SnippetViewSetGroup):
    items = (FeedSourceViewSet, WardNoticeViewSet, RelatedSiteViewSet)
    menu_icon = "rss"
    menu_label = "区政情報"
    menu_name = "wardinfo"


register_snippet(WardInfoGroup)
