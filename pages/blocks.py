"""StreamField blocks for the portal's pages: one module, so every page type shares them."""

from wagtail import blocks
from wagtail.embeds.blocks import EmbedBlock
from wagtail.images.blocks import ImageChooserBlock

from .images import image_data

RICH_TEXT_FEATURES = ["h2", "h3", "h4", "bold", "italic", "ol", "ul", "link", "document-link", "hr"]


class RenditionImageChooserBlock(ImageChooserBlock):
    """In the API, an image in a StreamField comes with its renditions, not just its id."""

    def get_api_representation(self, value, context=None):
        return image_data(value)


class ImageBlock(blocks.StructBlock):
    """An image with alt text that the editor must write (an image is never published without it)."""

    image = RenditionImageChooserBlock(label="画像")
    alt_text = blocks.CharBlock(
        label="代替テキスト",
        max_length=200,
        help_text="画像が見えない方に向けて、画像の内容を文章で書いてください（必須）。",
    )
    caption = blocks.CharBlock(label="キャプション", required=False, max_length=200)

    class Meta:
        icon = "image"
        label = "画像"
        template = "pages/blocks/image_block.html"


class QuoteBlock(blocks.StructBlock):
    text = blocks.TextBlock(label="引用文")
    source = blocks.CharBlock(label="出典・話者", required=False, max_length=200)

    class Meta:
        icon = "openquote"
        label = "引用"
        template = "pages/blocks/quote_block.html"


class QuestionAnswerBlock(blocks.StructBlock):
    """One exchange of an interview: the interviewer's question and the interviewee's answer."""

    question = blocks.TextBlock(label="質問")
    answer = blocks.RichTextBlock(label="回答", features=["bold", "italic", "link", "ol", "ul"])
    speaker = blocks.CharBlock(
        label="回答者", required=False, max_length=100, help_text="空欄のときは記事の取材対象者の名前を表示します。"
    )

    class Meta:
        icon = "help"
        label = "質問と回答"
        template = "pages/blocks/qa_block.html"


class HeadingBlock(blocks.StructBlock):
    text = blocks.CharBlock(label="見出し", max_length=120)
    level = blocks.ChoiceBlock(choices=[("h2", "大見出し"), ("h3", "中見出し"), ("h4", "小見出し")], default="h2")

    class Meta:
        icon = "title"
        label = "見出し"
        template = "pages/blocks/heading_block.html"


class BodyBlock(blocks.StreamBlock):
    heading = HeadingBlock()
    paragraph = blocks.RichTextBlock(label="本文", features=RICH_TEXT_FEATURES)
    image = ImageBlock()
    quote = QuoteBlock()
    qa = QuestionAnswerBlock()
    embed = EmbedBlock(label="埋め込み（動画など）", help_text="YouTube などの URL")

    class Meta:
        label = "本文"


class LinkBlock(blocks.StructBlock):
    """A link to another site, typically the ward's own pages (区政情報へのリンク)."""

    title = blocks.CharBlock(label="リンクの名前", max_length=120)
    url = blocks.URLBlock(label="URL")
    description = blocks.CharBlock(label="説明", required=False, max_length=200)

    class Meta:
        icon = "link"
        label = "リンク"
        template = "pages/blocks/link_block.html"
