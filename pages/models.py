"""
Wagtail page models of the portal, read top to bottom: fields, panels, search fields, API
fields, context.

Tree (ja locale; wagtail-localize mirrors it for en, zh-hans and ko)::

    HomePage
      DistrictIndexPage  -> DistrictPage  (the ward's 10 districts)
      ThemeIndexPage     -> ThemePage     (子育て, 介護, 遊び場, 防犯, ...)
      ArticleIndexPage   -> ArticlePage   (取材記事)
      SpecialIndexPage   -> SpecialPage   (特集)
      ShopIndexPage      -> ShopPage      (店舗・企業・団体)
      EventIndexPage     -> EventPage     (イベント)
"""

from django import forms
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy
from modelcluster.contrib.taggit import ClusterTaggableManager
from modelcluster.fields import ParentalKey, ParentalManyToManyField
from taggit.models import TaggedItemBase
from wagtail.admin.panels import FieldPanel, FieldRowPanel, InlinePanel, MultiFieldPanel, PageChooserPanel
from wagtail.fields import RichTextField, StreamField
from wagtail.models import GroupApprovalTask, Orderable, Page, PagePermissionTester
from wagtail.search import index
from wagtail_headless_preview.models import HeadlessPreviewMixin

from .blocks import RICH_TEXT_FEATURES, BodyBlock, LinkBlock
from .caching import shared
from .editorial import is_published_by_workflow, publishing_by_workflow
from .forms import PortalPageForm
from .selectors import (
    below,
    event_month,
    excluding_own_reviews,
    for_cards,
    four_eyes_refusal,
    gathered_pages,
    is_new,
    listed_in,
    listed_pages,
    month_calendar,
    month_events,
    not_ended,
    related_articles,
    tagged_with,
    term_events,
    visible_district,
    visible_terms,
    with_images,
    with_parents,
)

postal_code_validator = RegexValidator(r"^\d{3}-?\d{4}$", "郵便番号は 123-4567 の形式で入力してください。")
phone_validator = RegexValidator(r"^[0-9０-９\-－()（） ]{10,15}$", "電話番号は 03-1234-5678 の形式で入力してください。")


class CountedPaginator(Paginator):
    """
    A ``Paginator`` whose count is ``counted()`` (the same rows, a query cheaper to count), kept
    under ``count_key`` in the process until a page is published, unpublished, moved or deleted
    (``pages.caching.shared``): a district's 「全N件」 at 100,000 pages costs 20 ms to count, and a
    key of its own spares building the count's query at all when it is kept.
    """

    def __init__(self, object_list, per_page, counted=None, count_key=None):
        super().__init__(object_list, per_page)
        self.counted, self.count_key = counted, count_key

    @cached_property
    def count(self):
        if self.counted is None:
            return super().count
        return shared("listing_count", self.count_key, self.counted)


def paginate(request, queryset, counted=None, count_key=None):
    """
    One page of ``queryset`` for ``?page=N`` (a bad number gives the first page, one past the
    end the last), its cards' images loaded in one go; ``counted``, if given, counts the items
    (kept under ``count_key``: what the count depends on).
    """
    paginator = CountedPaginator(queryset, settings.PORTAL_PAGE_SIZE, counted, count_key)
    page = paginator.get_page(request.GET.get("page"))
    page.object_list = for_cards(page.object_list)
    return page


class FourEyesApprovalTask(GroupApprovalTask):
    """
    A group approval in which each step of a review has a different approver: nobody who asked
    for the review, or approved another step of it, may approve this one
    (``selectors.four_eyes_refusal``). Such a person sees no 承認 action, the step is not in their
    list of pages to review, and the admin tells them why (``wagtail_hooks``); posting the action
    anyway is refused.

    Its approval is also the one way editors and moderators publish: while it approves, the page
    may be published by the workflow (``editorial.publishing_by_workflow``).
    """

    class Meta:
        verbose_name = gettext_lazy("グループ承認（各段階を別の人が承認）")
        verbose_name_plural = gettext_lazy("グループ承認（各段階を別の人が承認）")

    def refusal(self, obj, user):
        return four_eyes_refusal(obj.current_workflow_state, self, user)

    def get_actions(self, obj, user):
        actions = super().get_actions(obj, user)
        return [] if actions and self.refusal(obj, user) else actions

    def get_task_states_user_can_moderate(self, user, **kwargs):
        return excluding_own_reviews(super().get_task_states_user_can_moderate(user, **kwargs), self, user)

    def on_action(self, task_state, user, action_name, **kwargs):
        if action_name != "approve":
            return super().on_action(task_state, user, action_name, **kwargs)
        reason = four_eyes_refusal(task_state.workflow_state, self, user)
        if reason:
            raise PermissionDenied(reason)
        self.approve_as_seen(task_state)
        with publishing_by_workflow(task_state.workflow_state.object_id):
            return super().on_action(task_state, user, action_name, **kwargs)

    @staticmethod
    def approve_as_seen(task_state):
        """
        An approval approves the page as the approver sees it: its latest revision (the edit
        screen and the review preview both show that one). Wagtail records it on the revision
        the step started with, so with ``WAGTAIL_WORKFLOW_REQUIRE_REAPPROVAL_ON_EDIT`` any save
        during the step (the approver's own correction; the form saved before 承認 because it
        differs from a page made outside the editor; an autosave) sent the page back to this same
        step. Edits after a step was approved still send the page back to the first step.
        """
        latest = task_state.workflow_state.content_object.get_latest_revision()
        if latest is not None and latest.pk != task_state.revision_id:
            task_state.revision = latest
            task_state.save(update_fields=["revision"])

    @classmethod
    def get_description(cls):
        return gettext_lazy("選んだグループのメンバーが承認します。レビューを依頼した人と、同じレビューの別の段階を承認した人は承認できません。")


class EditorialPermissionTester(PagePermissionTester):
    """Wagtail's page permissions, plus the workflow's own publication (see ``pages.editorial``)."""

    def can_publish(self):
        return super().can_publish() or (self.user.is_active and is_published_by_workflow(self.page))


class EditorialPageMixin:
    """Every page of the portal: the editor's form (``pages.forms``), the permissions above, the 「NEW」 rule."""

    base_form_class = PortalPageForm

    # What a card (templates/includes/card.html) reads of any page, for the types that have no such
    # field: a template's lookup of a missing attribute costs a dir() of the whole page (about 0.1 ms,
    # tens of times on a listing). A page type's own field or property of the same name replaces it.
    start = end = date = None
    category = address = reading = lead = venue = description = ""
    is_past = False
    card_terms = ()

    def permissions_for_user(self, user):
        return EditorialPermissionTester(user, self)

    @property
    def is_new(self):
        return is_new(self)


class PreviewMixin(EditorialPageMixin, HeadlessPreviewMixin):
    """
    Preview in the admin. With ``HEADLESS_PREVIEW_URL`` set, the admin opens the headless front
    end with a signed token, and the front end fetches the draft from ``/api/v3/preview/``;
    otherwise the server-rendered site previews the draft itself.
    """

    @classmethod
    def get_page_from_preview_token(cls, token):
        # Tokens expire (the package's own check has no age limit).
        cls.get_preview_signer().unsign(token, max_age=settings.PREVIEW_TOKEN_MAX_AGE)
        return super().get_page_from_preview_token(token)

    def serve_preview(self, request, preview_mode):
        if settings.HEADLESS_PREVIEW_URL:
            return super().serve_preview(request, preview_mode)
        return Page.serve_preview(self, request, preview_mode)


class LocationMixin(models.Model):
    """
    A point on the map (WGS84), optional, and a map image the editor stores (a picture of the map,
    drawn or exported beforehand). Shown as the stored image, the coordinates and a link to the
    map; no map tiles or map scripts are ever loaded from another site (the CSP forbids them).
    """

    latitude = models.DecimalField(
        "緯度", max_digits=9, decimal_places=6, null=True, blank=True,
        validators=[MinValueValidator(-90), MaxValueValidator(90)],
    )
    longitude = models.DecimalField(
        "経度", max_digits=9, decimal_places=6, null=True, blank=True,
        validators=[MinValueValidator(-180), MaxValueValidator(180)],
    )

    map_image = models.ForeignKey(
        "wagtailimages.Image", verbose_name="地図画像", null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+", help_text="場所を示す地図の画像（任意）。公開ページに画像として表示します。外部の地図は埋め込みません。",
    )

    location_panels = [
        FieldRowPanel([FieldPanel("latitude"), FieldPanel("longitude")], heading="位置"),
        FieldPanel("map_image"),
    ]

    class Meta:
        abstract = True

    @property
    def map_url(self):
        if self.latitude is None or self.longitude is None:
            return ""
        return (
            f"https://www.openstreetmap.org/?mlat={self.latitude}&mlon={self.longitude}#map=17/{self.latitude}/{self.longitude}"
        )


class TermsMixin:
    """The districts and themes a visitor may see on this page (see ``selectors.visible_terms``)."""

    @property
    def live_districts(self):
        return visible_terms(self, "districts")

    @property
    def live_themes(self):
        return visible_terms(self, "themes")


class HeroImageMixin(models.Model):
    hero_image = models.ForeignKey(
        "wagtailimages.Image", verbose_name="メイン画像", null=True, blank=True,
        on_delete=models.SET_NULL, related_name="+",
    )
    hero_alt = models.CharField(
        "メイン画像の代替テキスト", max_length=200, blank=True,
        help_text="空欄のときは画像に登録された説明を使います。",
    )

    class Meta:
        abstract = True

    @property
    def hero_alt_text(self):
        if not self.hero_image:
            return ""
        return self.hero_alt or self.hero_image.default_alt_text or self.hero_image.title


class HomePage(PreviewMixin, Page):
    lead = models.CharField("リード文", max_length=300, blank=True)
    body = RichTextField("本文", blank=True, features=RICH_TEXT_FEATURES)

    content_panels = Page.content_panels + [FieldPanel("lead"), FieldPanel("body")]
    search_fields = Page.search_fields + [index.SearchField("lead"), index.SearchField("body")]

    max_count_per_parent = 1
    parent_page_types = ["wagtailcore.Page"]
    subpage_types = [
        "pages.DistrictIndexPage", "pages.ThemeIndexPage", "pages.ArticleIndexPage",
        "pages.SpecialIndexPage", "pages.ShopIndexPage", "pages.EventIndexPage", "surveys.SurveyIndexPage",
    ]

    class Meta:
        verbose_name = gettext_lazy("トップページ")

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        # Listings: the visitor's translation of each page, else its Japanese original (selectors.in_language).
        context["latest_articles"] = for_cards(listed_in(ArticlePage, self.locale).order_by("-date", "-pk")[:6])
        context["upcoming_events"] = list(not_ended(listed_in(EventPage, self.locale))[:6])
        context["specials"] = with_images(listed_in(SpecialPage, self.locale).order_by("-first_published_at")[:3])
        # The sections' 「一覧へ」 links: the three section pages in one query.
        with_parents(context["latest_articles"], context["upcoming_events"], context["specials"])
        # The districts and themes: the template's ``terms_in`` (pages.templatetags.pages_nav).
        return context


class SectionIndexPage(PreviewMixin, Page):
    """Common shape of the section index pages: a lead, then the section's pages."""

    lead = models.CharField("リード文", max_length=300, blank=True)

    content_panels = Page.content_panels + [FieldPanel("lead")]
    search_fields = Page.search_fields + [index.SearchField("lead")]
    parent_page_types = ["pages.HomePage"]
    max_count_per_parent = 1
    child_order = ("path",)

    class Meta:
        abstract = True

    def listing(self, request):
        """The section's pages for this request, and any extra context (filters)."""
        return self.get_children().live().public().specific().order_by(*self.child_order), {}

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        pages, extra = self.listing(request)
        context.update(extra)
        context["items"] = paginate(request, pages)
        return context


def event_filters(params, locale):
    """
    The event index's filters from the query string: the district and theme (id or slug, as the
    content API takes them: ``pages.terms.term_by_id_or_slug``) and the days (``YYYY-MM-DD``). A
    value that names nothing is left out, and named in ``problems``.
    """
    import datetime

    from django.http import Http404

    from .terms import district_model, term_by_id_or_slug, theme_model

    values = {name: params.get(name, "").strip() for name in ("district", "theme", "date_from", "date_to")}
    found = {"values": values, "problems": [], "district": None, "theme": None, "date_from": None, "date_to": None}
    for name, model in (("district", district_model()), ("theme", theme_model())):
        try:
            found[name] = term_by_id_or_slug(model, values[name], locale) if values[name] else None
        except Http404:
            found["problems"].append(name)
    for name in ("date_from", "date_to"):
        try:
            found[name] = datetime.date.fromisoformat(values[name]) if values[name] else None
        except ValueError:
            found["problems"].append(name)
    found["dated"] = bool(found["date_from"] or found["date_to"])
    found["active"] = any(found[name] for name in ("district", "theme", "date_from", "date_to"))
    return found


class DistrictIndexPage(SectionIndexPage):
    subpage_types = ["pages.DistrictPage"]

    class Meta:
        verbose_name = gettext_lazy("地域一覧")


class TaggedListingMixin:
    """District and theme pages list what is tagged with them, newest first, paginated."""

    def tagged_pages(self, for_count=False):
        return tagged_with(self, self.tag_lookup, self.event_lookup, for_count=for_count)

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        context["items"] = paginate(request, self.tagged_pages(), counted=lambda: self.tagged_pages(for_count=True).count(),
                                    count_key=("tagged", self.pk, self.translation_key, self.locale_id))
        context["upcoming_events"] = term_events(self, self.event_lookup)[:5]
        return context


class DistrictPage(PreviewMixin, TaggedListingMixin, LocationMixin, HeroImageMixin, Page):
    """One of the ward's 10 districts (the areas of its branch offices, 特別出張所)."""

    reading = models.CharField("よみがな", max_length=60, blank=True)
    description = RichTextField("地域の紹介", blank=True, features=RICH_TEXT_FEATURES)
    office_name = models.CharField("連絡先の名称", max_length=100, blank=True, help_text="例：四谷特別出張所")
    office_address = models.CharField("所在地", max_length=200, blank=True)
    office_phone = models.CharField("電話番号", max_length=20, blank=True, validators=[phone_validator])
    office_url = models.URLField("ウェブサイト", blank=True)

    content_panels = Page.content_panels + [
        FieldPanel("reading"),
        FieldPanel("description"),
        MultiFieldPanel([FieldPanel("hero_image"), FieldPanel("hero_alt")], heading="画像"),
        MultiFieldPanel(
            [FieldPanel("office_name"), FieldPanel("office_address"), FieldPanel("office_phone"), FieldPanel("office_url")],
            heading="連絡先",
        ),
    ] + LocationMixin.location_panels
    search_fields = Page.search_fields + [
        index.SearchField("reading", boost=2),
        index.SearchField("description"),
        index.SearchField("office_address"),
    ]
    api_fields = ["reading", "description", "office_name", "office_address", "office_phone", "office_url",
                  "latitude", "longitude", "hero_image", "hero_alt"]

    parent_page_types = ["pages.DistrictIndexPage"]
    subpage_types = []
    tag_lookup = "districts"
    event_lookup = "district"

    class Meta:
        verbose_name = gettext_lazy("地域")
        verbose_name_plural = gettext_lazy("地域")


class ThemeIndexPage(SectionIndexPage):
    subpage_types = ["pages.ThemePage"]

    class Meta:
        verbose_name = gettext_lazy("テーマ一覧")


class ThemePage(PreviewMixin, TaggedListingMixin, HeroImageMixin, Page):
    """A theme menu (子育て, 介護, 遊び場, 防犯, ...)."""

    description = RichTextField("テーマの紹介", blank=True, features=RICH_TEXT_FEATURES)
    links = StreamField(
        [("link", LinkBlock())], verbose_name="関連リンク（区の窓口・制度など）", blank=True,
    )

    content_panels = Page.content_panels + [
        FieldPanel("description"),
        MultiFieldPanel([FieldPanel("hero_image"), FieldPanel("hero_alt")], heading="画像"),
        FieldPanel("links"),
    ]
    search_fields = Page.search_fields + [index.SearchField("description")]
    api_fields = ["description", "hero_image", "hero_alt", "links"]

    parent_page_types = ["pages.ThemeIndexPage"]
    subpage_types = []
    tag_lookup = "themes"
    event_lookup = "themes"

    class Meta:
        verbose_name = gettext_lazy("テーマ")
        verbose_name_plural = gettext_lazy("テーマ")


class ArticleIndexPage(SectionIndexPage):
    subpage_types = ["pages.ArticlePage"]

    class Meta:
        verbose_name = gettext_lazy("取材記事一覧")

    def listing(self, request):
        return below(listed_in(ArticlePage, self.locale), self, children_only=True).order_by("-date", "-pk"), {}


class ArticlePageTag(TaggedItemBase):
    content_object = ParentalKey("pages.ArticlePage", related_name="tagged_items", on_delete=models.CASCADE)


class ArticlePage(PreviewMixin, TermsMixin, HeroImageMixin, Page):
    """An interview article (取材記事) written by an editor."""

    date = models.DateField("掲載日", default=timezone.localdate)
    lead = models.CharField("リード文", max_length=300, blank=True, help_text="一覧や検索結果に表示される要約です。")
    interviewee = models.CharField("取材対象者", max_length=120, blank=True, help_text="例：〇〇商店街振興組合 理事長 山田花子さん")
    body = StreamField(BodyBlock(), verbose_name="本文")
    districts = ParentalManyToManyField("pages.DistrictPage", verbose_name="地域", blank=True, related_name="articles")
    themes = ParentalManyToManyField("pages.ThemePage", verbose_name="テーマ", blank=True, related_name="articles")
    tags = ClusterTaggableManager("タグ", through=ArticlePageTag, blank=True)

    content_panels = Page.content_panels + [
        FieldRowPanel([FieldPanel("date"), FieldPanel("interviewee")]),
        FieldPanel("lead"),
        MultiFieldPanel([FieldPanel("hero_image"), FieldPanel("hero_alt")], heading="メイン画像"),
        FieldPanel("body"),
        MultiFieldPanel(
            [FieldPanel("districts", widget=forms.CheckboxSelectMultiple),
             FieldPanel("themes", widget=forms.CheckboxSelectMultiple),
             FieldPanel("tags")],
            heading="分類",
        ),
    ]
    search_fields = Page.search_fields + [
        index.SearchField("lead", boost=2),
        index.SearchField("interviewee", boost=2),
        index.SearchField("body"),
        index.FilterField("date"),
        index.RelatedFields("districts", [index.SearchField("title")]),
        index.RelatedFields("themes", [index.SearchField("title")]),
        index.RelatedFields("tags", [index.SearchField("name")]),
    ]
    api_fields = ["date", "lead", "interviewee", "body", "districts", "themes", "tags", "hero_image", "hero_alt"]

    parent_page_types = ["pages.ArticleIndexPage"]
    subpage_types = []

    class Meta:
        verbose_name = gettext_lazy("取材記事")
        verbose_name_plural = gettext_lazy("取材記事")
        # The listings' order (newest 掲載日 first, then newest id: home, the article index, related articles).
        indexes = [models.Index(fields=["-date", "-page_ptr"], name="pages_article_date_id_idx")]

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        context["related_articles"] = related_articles(self)
        return context


class SpecialIndexPage(SectionIndexPage):
    subpage_types = ["pages.SpecialPage"]

    class Meta:
        verbose_name = gettext_lazy("特集一覧")

    def listing(self, request):
        return below(listed_in(SpecialPage, self.locale), self, children_only=True).order_by(
            "-first_published_at", "-pk"), {}


class SpecialPage(PreviewMixin, HeroImageMixin, Page):
    """A special feature (特集): a lead, then the articles and events it gathers, in the editor's order."""

    lead = models.TextField("リード文", max_length=600)
    body = StreamField(BodyBlock(), verbose_name="本文", blank=True)

    content_panels = Page.content_panels + [
        FieldPanel("lead"),
        MultiFieldPanel([FieldPanel("hero_image"), FieldPanel("hero_alt")], heading="メイン画像"),
        FieldPanel("body"),
        InlinePanel("items", label="掲載する記事・イベント"),
    ]
    search_fields = Page.search_fields + [index.SearchField("lead", boost=2), index.SearchField("body")]
    api_fields = ["lead", "body", "hero_image", "hero_alt", "items"]

    parent_page_types = ["pages.SpecialIndexPage"]
    subpage_types = []

    class Meta:
        verbose_name = gettext_lazy("特集")
        verbose_name_plural = gettext_lazy("特集")

    def gathered_pages(self):
        """The pages this special gathers that a visitor may see, in the editor's order, ready for cards."""
        return for_cards(gathered_pages(self))


class SpecialPageItem(Orderable):
    special = ParentalKey(SpecialPage, related_name="items", on_delete=models.CASCADE)
    page = models.ForeignKey(
        "wagtailcore.Page", verbose_name="記事またはイベント", on_delete=models.CASCADE, related_name="+"
    )

    panels = [PageChooserPanel("page", ["pages.ArticlePage", "pages.EventPage"])]
    api_fields = ["page"]


class ShopIndexPage(SectionIndexPage):
    subpage_types = ["pages.ShopPage"]

    class Meta:
        verbose_name = gettext_lazy("店舗・企業・団体一覧")

    def listing(self, request):
        shops = below(listed_in(ShopPage, self.locale), self, children_only=True).order_by("title_reading", "title")
        category = request.GET.get("category", "")
        if category in ShopPage.Category.values:
            shops = shops.filter(category=category)
        else:
            category = ""  # an unknown value lists every shop, and says so
        return shops, {"category": category, "categories": ShopPage.Category.choices}


class ShopPage(PreviewMixin, TermsMixin, LocationMixin, HeroImageMixin, Page):
    """A listing of a shop, company or organisation (店舗・企業・団体)."""

    class Category(models.TextChoices):
        SHOP = "shop", gettext_lazy("店舗")
        RESTAURANT = "restaurant", gettext_lazy("飲食店")
        COMPANY = "company", gettext_lazy("企業")
        CLINIC = "clinic", gettext_lazy("医療・福祉")
        ORGANISATION = "organisation", gettext_lazy("団体・NPO")
        FACILITY = "facility", gettext_lazy("施設")

    title_reading = models.CharField("名称のよみがな", max_length=120, blank=True)
    category = models.CharField("分類", max_length=20, choices=Category.choices, default=Category.SHOP)
    description = RichTextField("紹介", blank=True, features=RICH_TEXT_FEATURES)
    postal_code = models.CharField("郵便番号", max_length=8, blank=True, validators=[postal_code_validator])
    address = models.CharField("住所", max_length=200)
    phone = models.CharField("電話番号", max_length=20, blank=True, validators=[phone_validator])
    opening_hours = models.TextField("営業時間・定休日", blank=True, max_length=500)
    website = models.URLField("ウェブサイト", blank=True)
    districts = ParentalManyToManyField("pages.DistrictPage", verbose_name="地域", blank=True, related_name="shops")
    themes = ParentalManyToManyField("pages.ThemePage", verbose_name="テーマ", blank=True, related_name="shops")

    content_panels = Page.content_panels + [
        FieldRowPanel([FieldPanel("title_reading"), FieldPanel("category")]),
        FieldPanel("description"),
        MultiFieldPanel([FieldPanel("hero_image"), FieldPanel("hero_alt")], heading="画像"),
        MultiFieldPanel(
            [FieldPanel("postal_code"), FieldPanel("address"), FieldPanel("phone"),
             FieldPanel("opening_hours"), FieldPanel("website")],
            heading="基本情報",
        ),
        *LocationMixin.location_panels,
        MultiFieldPanel([FieldPanel("districts"), FieldPanel("themes")], heading="分類"),
    ]
    search_fields = Page.search_fields + [
        index.SearchField("title_reading"),
        index.SearchField("description"),
        index.SearchField("address"),
        index.FilterField("category"),
        index.RelatedFields("districts", [index.SearchField("title")]),
        index.RelatedFields("themes", [index.SearchField("title")]),
    ]
    api_fields = ["title_reading", "category", "description", "postal_code", "address", "phone",
                  "opening_hours", "website", "latitude", "longitude", "districts", "themes", "hero_image", "hero_alt"]

    parent_page_types = ["pages.ShopIndexPage"]
    subpage_types = []

    class Meta:
        verbose_name = gettext_lazy("店舗・企業・団体")
        verbose_name_plural = gettext_lazy("店舗・企業・団体")
        indexes = [models.Index(fields=["title_reading"], name="pages_shop_reading_idx")]


class EventIndexPage(SectionIndexPage):
    subpage_types = ["pages.EventPage"]

    class Meta:
        verbose_name = gettext_lazy("イベント一覧")

    def listing(self, request):
        """
        The events a visitor asked for: by district, theme and dates (``district``, ``theme``,
        ``date_from``, ``date_to``: the content API's parameters and rules), otherwise upcoming
        (or, with ``past=1``, ended) ones; and the month calendar (``month=YYYY-MM``) of the same
        district and theme.
        """
        filters = event_filters(request.GET, self.locale)
        events = below(listed_pages("event", self.locale, filters["district"], filters["theme"],
                                    filters["date_from"], filters["date_to"], originals=True), self)
        show_past = request.GET.get("past") == "1" and not filters["dated"]
        now = timezone.now()
        if filters["dated"]:
            events = events.order_by("start", "pk")
        elif show_past:
            events = events.filter(end__lt=now).order_by("-start", "-pk")
        else:
            events = events.filter(end__gte=now).order_by("start", "pk")
        today = timezone.localdate()
        first_day = event_month(request.GET.get("month") or (filters["date_from"] and f"{filters['date_from']:%Y-%m}"),
                                today)
        month = month_events(self.locale, first_day, filters["district"], filters["theme"], originals=True)
        return events, {
            "show_past": show_past, "filters": filters, "calendar": month_calendar(month, first_day, today),
        }


class EventPage(PreviewMixin, TermsMixin, LocationMixin, HeroImageMixin, Page):
    """A local event: when, where, how much, who organises it and how to take part."""

    start = models.DateTimeField("開始日時")
    end = models.DateTimeField("終了日時")
    venue = models.CharField("会場", max_length=200)
    venue_address = models.CharField("会場の住所", max_length=200, blank=True)
    district = models.ForeignKey(
        "pages.DistrictPage", verbose_name="地域", null=True, blank=True, on_delete=models.SET_NULL, related_name="events"
    )
    themes = ParentalManyToManyField("pages.ThemePage", verbose_name="テーマ", blank=True, related_name="events")
    fee = models.CharField("参加費", max_length=100, default="無料", help_text="例：無料、500円（材料費）")
    capacity = models.PositiveIntegerField("定員", null=True, blank=True, help_text="空欄は定員なし")
    organiser = models.CharField("主催", max_length=150)
    how_to_apply = models.TextField("申込方法", blank=True, max_length=1000, help_text="空欄は申込不要")
    contact = models.CharField("問い合わせ先", max_length=200, blank=True)
    lead = models.CharField("リード文", max_length=300, blank=True)
    body = StreamField(BodyBlock(), verbose_name="詳細", blank=True)

    content_panels = Page.content_panels + [
        FieldPanel("lead"),
        FieldRowPanel([FieldPanel("start"), FieldPanel("end")], heading="日時"),
        MultiFieldPanel([FieldPanel("venue"), FieldPanel("venue_address"), FieldPanel("district")], heading="会場"),
        *LocationMixin.location_panels,
        MultiFieldPanel(
            [FieldPanel("fee"), FieldPanel("capacity"), FieldPanel("organiser"), FieldPanel("how_to_apply"), FieldPanel("contact")],
            heading="参加方法",
        ),
        MultiFieldPanel([FieldPanel("hero_image"), FieldPanel("hero_alt")], heading="画像"),
        FieldPanel("body"),
        FieldPanel("themes"),
    ]
    search_fields = Page.search_fields + [
        index.SearchField("lead", boost=2),
        index.SearchField("venue"),
        index.SearchField("organiser"),
        index.SearchField("body"),
        index.FilterField("start"),
        index.FilterField("end"),
        index.FilterField("district"),
        index.RelatedFields("district", [index.SearchField("title")]),
        index.RelatedFields("themes", [index.SearchField("title")]),
    ]
    api_fields = ["start", "end", "venue", "venue_address", "district", "themes", "fee", "capacity", "organiser",
                  "how_to_apply", "contact", "lead", "body", "latitude", "longitude", "hero_image", "hero_alt"]

    parent_page_types = ["pages.EventIndexPage"]
    subpage_types = []

    class Meta:
        verbose_name = gettext_lazy("イベント")
        verbose_name_plural = gettext_lazy("イベント")
        # Upcoming events (soonest first, from the earliest still running: selectors.not_ended) and the month calendar.
        indexes = [models.Index(fields=["start", "page_ptr"], name="pages_event_start_id_idx"),
                   models.Index(fields=["end", "start"], name="pages_event_end_start_idx")]

    def clean(self):
        super().clean()
        if self.start and self.end and self.end < self.start:
            raise ValidationError({"end": "終了日時は開始日時より後にしてください。"})

    @property
    def live_districts(self):
        district = visible_district(self)
        return [district] if district else []

    @property
    def is_past(self):
        return self.end < timezone.now()
