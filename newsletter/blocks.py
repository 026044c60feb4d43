"""
The blocks of an issue's body: a lead is a field of its own; here, headings, free text, chosen
articles, events, other pages and ward notices, and links. Each block renders itself for both
parts of the mail (``rendering``): as HTML and as plain text.
"""

from wagtail import blocks
from wagtail.snippets.blocks import SnippetChooserBlock

TEXT_FEATURES = ["bold", "italic", "link", "ol", "ul"]


class PickedPageBlock(blocks.StructBlock):
    page = blocks.PageChooserBlock(label="ページ")
    note = blocks.TextBlock(label="ひとこと", required=False, max_length=300)


class ArticleBlock(PickedPageBlock):
    page = blocks.PageChooserBlock(label="取材記事", page_type="pages.ArticlePage")

    class Meta:
        icon = "doc-full"
        label = "取材記事"


class EventBlock(PickedPageBlock):
    page = blocks.PageChooserBlock(label="イベント", page_type="pages.EventPage")

    class Meta:
        icon = "date"
        label = "イベント"


class OtherPageBlock(PickedPageBlock):
    class Meta:
        icon = "link"
        label = "ほかのページ（特集・店舗など）"


class NoticeBlock(blocks.StructBlock):
    notice = SnippetChooserBlock("wardinfo.WardNotice", label="区のお知らせ")
    note = blocks.TextBlock(label="ひとこと", required=False, max_length=300)

    class Meta:
        icon = "info-circle"
        label = "区のお知らせ"


class LinkBlock(blocks.StructBlock):
    title = blocks.CharBlock(label="見出し", max_length=120)
    url = blocks.URLBlock(label="URL")
    description = blocks.TextBlock(label="説明", required=False, max_length=300)

    class Meta:
        icon = "link-external"
        label = "リンク"


class IssueBlocks(blocks.StreamBlock):
    heading = blocks.CharBlock(label="見出し", max_length=80, icon="title")
    text = blocks.RichTextBlock(label="文章", features=TEXT_FEATURES)
    article = ArticleBlock()
    event = EventBlock()
    page = OtherPageBlock()
    notice = NoticeBlock()
    link = LinkBlock()
