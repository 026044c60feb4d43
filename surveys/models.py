"""
Surveys (アンケート) and calls for applications (募集): Wagtail pages built in the editor with
Wagtail's form builder (``wagtail.contrib.forms``), and what residents send to them.

Tree (ja locale)::

    HomePage
      SurveyIndexPage  -> SurveyPage       (アンケート)
                       -> RecruitmentPage  (募集)

What is stored, and for how long:

- ``Response``: one answer to a survey. A member's carries the member (one per member: a database
  constraint); an anonymous one carries a keyed hash of the address and the browser with a secret
  salt of the day (one per device per day; the address itself is never stored). Deleted on the
  survey's 回答の削除日 (``tasks.delete_expired_answers``).
- ``Comment``: a member's free-text answers, as a moderated contribution (``moderation_kinds``):
  shown on the public results page only once screening or a moderator let it through.
- ``Application``: an application to a call. A member's gives only the member (their stored data is
  read when staff look, audited); a non-member's gives what the call asks, encrypted at rest.
  Deleted ``retention_days`` after the call closes (``tasks.delete_expired_applications``).
- ``LotteryDraw``: the seed and the SHA-256 of the applicant list of a lottery, to re-run it.
- ``DailySalt``: the salt of the day for anonymous device hashes, destroyed the next day.
"""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from modelcluster.fields import ParentalKey, ParentalManyToManyField
from wagtail.admin.panels import FieldPanel, FieldRowPanel, InlinePanel, MultiFieldPanel
from wagtail.contrib.forms.models import AbstractForm, AbstractFormField
from wagtail.contrib.routable_page.models import RoutablePageMixin, path
from wagtail.fields import RichTextField
from wagtail.models import Page
from wagtail.search import index

from members.crypto import EncryptedCharField, EncryptedEmailField, EncryptedTextField
from moderation.models import Moderated
from pages.services import EditorialPageMixin

from .fieldtypes import FIELD_TYPES, SurveyFormBuilder
from .forms import CallPageForm

RICH_TEXT = ["bold", "italic", "link", "ol", "ul", "h3"]


def default_deletion_date():
    return timezone.localdate() + timezone.timedelta(days=365)


class Audience(models.TextChoices):
    ANYONE = "anyone", _("どなたでも")
    MEMBERS = "members", _("会員のみ")


class SurveyIndexPage(EditorialPageMixin, Page):
    """The section page: open surveys and calls, newest first."""

    lead = models.CharField("リード文", max_length=300, blank=True)

    content_panels = Page.content_panels + [FieldPanel("lead")]
    search_fields = Page.search_fields + [index.SearchField("lead")]
    parent_page_types = ["pages.HomePage"]
    subpage_types = ["surveys.SurveyPage", "surveys.RecruitmentPage"]
    max_count_per_parent = 1

    class Meta:
        verbose_name = _("アンケート・募集一覧")

    def get_context(self, request, *args, **kwargs):
        from .selectors import listed_forms

        context = super().get_context(request, *args, **kwargs)
        context["items"] = listed_forms(self.locale, parent=self, originals=True)
        return context


class FormPageBase(RoutablePageMixin, EditorialPageMixin, AbstractForm):
    """What surveys and calls share: the description, the window, the audience, districts and themes."""

    intro = RichTextField("説明", blank=True, features=RICH_TEXT)
    opens_at = models.DateTimeField("受付開始", null=True, blank=True, help_text="空欄は公開と同時に受付開始")
    closes_at = models.DateTimeField("締切", null=True, blank=True, help_text="空欄は締切なし")
    audience = models.CharField("対象", max_length=10, choices=Audience.choices, default=Audience.ANYONE)
    thanks = models.CharField("送信後のメッセージ", max_length=300, blank=True)
    districts = ParentalManyToManyField("pages.DistrictPage", verbose_name="地域", blank=True, related_name="+")
    themes = ParentalManyToManyField("pages.ThemePage", verbose_name="テーマ", blank=True, related_name="+")

    base_form_class = CallPageForm
    form_builder = SurveyFormBuilder
    parent_page_types = ["surveys.SurveyIndexPage"]
    subpage_types = []

    class Meta:
        abstract = True

    def clean(self):
        super().clean()
        if self.opens_at and self.closes_at and self.closes_at <= self.opens_at:
            raise ValidationError({"closes_at": "締切は受付開始より後にしてください。"})

    @property
    def members_only(self):
        return self.audience == Audience.MEMBERS

    def serve(self, request, view=None, args=None, kwargs=None):
        """Through our routes only: a preview (no route) shows the form as the site does, never Wagtail's own POST path."""
        if view is None:
            return self.default_view(request)
        return view(request, *(args or []), **(kwargs or {}))

    def default_view(self, request):
        raise NotImplementedError

    def serve_preview(self, request, mode_name):
        return Page.serve_preview(self, request, mode_name)


class SurveyField(AbstractFormField):
    page = ParentalKey("SurveyPage", on_delete=models.CASCADE, related_name="form_fields")
    field_type = models.CharField("種類", max_length=16, choices=FIELD_TYPES)
    field_type.required_on_save = True
    clean_name = models.CharField(
        "項目名（API・集計用）", max_length=40, blank=True, default="",
        validators=[RegexValidator(r"^[a-z][a-z0-9_]*$", "半角英小文字で始まる英小文字・数字・_ で入力してください。")],
        help_text="空欄なら q1, q2, … を付けます。回答が届いた後は変えられません。")
    max_length = models.PositiveIntegerField("最大文字数", null=True, blank=True,
                                             help_text="文章のみ。空欄なら短い文章200字・長い文章2000字")
    max_choices = models.PositiveSmallIntegerField("選べる数の上限", null=True, blank=True,
                                                   help_text="選択（複数）のみ。空欄は上限なし")

    panels = [
        FieldPanel("label"), FieldPanel("help_text"), FieldPanel("required"),
        FieldPanel("field_type", classname="formbuilder-type", required_on_save=True),
        FieldPanel("choices", classname="formbuilder-choices",
                   help_text="選択肢を1行にひとつ。選択（ひとつ・複数）のみ"),
        FieldRowPanel([FieldPanel("max_length"), FieldPanel("max_choices")]),
        FieldPanel("clean_name"),
    ]

    class Meta(AbstractFormField.Meta):
        verbose_name = "質問"

    def get_field_clean_name(self):
        """``q<n>`` by position: a Japanese label gives no readable ASCII name."""
        return f"q{(self.sort_order or 0) + 1}"


class SurveyPage(FormPageBase):
    """アンケート: questions built in the editor; one answer per person."""

    max_responses = models.PositiveIntegerField("この件数で締め切る", null=True, blank=True, help_text="空欄は件数で締め切らない")
    ask_district = models.BooleanField("お住まいの地域を聞く", default=True,
                                       help_text="集計を地域で絞り込めるようになります")
    results_public = models.BooleanField("締切後に結果（合計のみ）を公開する", default=False)
    publish_comments = models.BooleanField("確認済みの自由回答を結果ページに載せる", default=False)
    answers_delete_on = models.DateField("回答の削除日", default=default_deletion_date,
                                         help_text="この日に回答をすべて削除します（自動）")

    content_panels = Page.content_panels + [
        FieldPanel("intro"),
        MultiFieldPanel([FieldRowPanel([FieldPanel("opens_at"), FieldPanel("closes_at")]), FieldPanel("audience"),
                         FieldPanel("max_responses")], heading="受付"),
        InlinePanel("form_fields", label="質問"),
        FieldPanel("ask_district"),
        MultiFieldPanel([FieldPanel("results_public"), FieldPanel("publish_comments"), FieldPanel("answers_delete_on")],
                        heading="結果と回答の扱い"),
        FieldPanel("thanks"),
        MultiFieldPanel([FieldPanel("districts"), FieldPanel("themes")], heading="分類"),
    ]
    search_fields = Page.search_fields + [
        index.SearchField("intro"),
        index.FilterField("closes_at"),
        index.RelatedFields("districts", [index.SearchField("title")]),
        index.RelatedFields("themes", [index.SearchField("title")]),
    ]
    api_fields = ["intro", "opens_at", "closes_at", "audience", "max_responses", "results_public", "districts",
                  "themes", "form_fields"]
    template = "surveys/survey_page.html"
    landing_page_template = "surveys/thanks.html"

    class Meta:
        verbose_name = _("アンケート")
        verbose_name_plural = "アンケート"

    kind = "survey"

    @path("")
    def answer(self, request):
        from .serving import serve_survey

        return serve_survey(self, request)

    def default_view(self, request):
        return self.answer(request)

    @path("results/")
    def results(self, request):
        from .serving import serve_results

        return serve_results(self, request)


class RecruitmentField(AbstractFormField):
    page = ParentalKey("RecruitmentPage", on_delete=models.CASCADE, related_name="form_fields")
    field_type = SurveyField._meta.get_field("field_type").clone()
    field_type.required_on_save = True
    clean_name = SurveyField._meta.get_field("clean_name").clone()
    max_length = SurveyField._meta.get_field("max_length").clone()
    max_choices = SurveyField._meta.get_field("max_choices").clone()
    panels = SurveyField.panels

    class Meta(AbstractFormField.Meta):
        verbose_name = "質問"

    get_field_clean_name = SurveyField.get_field_clean_name


class RecruitmentPage(FormPageBase):
    """募集: a call for participants, volunteers, interviewees or entrants, with capacity and a waiting list."""

    class Mode(models.TextChoices):
        FIRST_COME = "first_come", _("先着順")
        LOTTERY = "lottery", _("抽選")
        SELECTION = "selection", _("選考")

    organiser = models.CharField("主催", max_length=150)
    eligibility = models.CharField("応募資格", max_length=200, blank=True, help_text="例：区内在住・在勤・在学の方")
    capacity = models.PositiveIntegerField("定員")
    mode = models.CharField("決め方", max_length=12, choices=Mode.choices, default=Mode.FIRST_COME)
    waiting_list = models.BooleanField("補欠（キャンセル待ち）を受け付ける", default=True)
    event = models.ForeignKey("pages.EventPage", verbose_name="関連するイベント", null=True, blank=True,
                              on_delete=models.SET_NULL, related_name="+")
    ask_name = models.BooleanField("氏名が必要", default=True)
    ask_phone = models.BooleanField("電話番号が必要", default=False)
    ask_address = models.BooleanField("住所が必要", default=False)
    retention_days = models.PositiveIntegerField("応募者情報の保存日数", default=90,
                                                 help_text="締切からこの日数が過ぎたら応募者の情報を削除します（自動）")

    content_panels = Page.content_panels + [
        FieldPanel("intro"),
        MultiFieldPanel([FieldPanel("organiser"), FieldPanel("eligibility"), FieldPanel("event")], heading="募集の内容"),
        MultiFieldPanel([FieldRowPanel([FieldPanel("opens_at"), FieldPanel("closes_at")]), FieldPanel("audience"),
                         FieldRowPanel([FieldPanel("capacity"), FieldPanel("mode")]), FieldPanel("waiting_list")],
                        heading="受付"),
        MultiFieldPanel([FieldPanel("ask_name"), FieldPanel("ask_phone"), FieldPanel("ask_address"),
                         FieldPanel("retention_days")], heading="応募者の情報（スタッフに見せる項目）"),
        InlinePanel("form_fields", label="質問"),
        FieldPanel("thanks"),
        MultiFieldPanel([FieldPanel("districts"), FieldPanel("themes")], heading="分類"),
    ]
    search_fields = Page.search_fields + [
        index.SearchField("intro"),
        index.SearchField("organiser"),
        index.SearchField("eligibility"),
        index.FilterField("closes_at"),
        index.RelatedFields("districts", [index.SearchField("title")]),
        index.RelatedFields("themes", [index.SearchField("title")]),
    ]
    api_fields = ["intro", "organiser", "eligibility", "opens_at", "closes_at", "audience", "capacity", "mode",
                  "waiting_list", "event", "districts", "themes", "form_fields"]
    template = "surveys/recruitment_page.html"
    landing_page_template = "surveys/thanks.html"

    class Meta:
        verbose_name = _("募集")
        verbose_name_plural = "募集"

    kind = "recruitment"

    @path("")
    def apply(self, request):
        from .serving import serve_recruitment

        return serve_recruitment(self, request)

    def default_view(self, request):
        return self.apply(request)


class DailySalt(models.Model):
    """The secret salt of one day (random; never derived from the date), destroyed after its day."""

    day = models.DateField("日付", unique=True)
    salt = models.CharField("ソルト", max_length=64, editable=False)

    class Meta:
        verbose_name = "匿名回答の照合用ソルト"


class Response(models.Model):
    page = models.ForeignKey(SurveyPage, on_delete=models.CASCADE, related_name="responses", verbose_name="アンケート")
    member = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                               related_name="+", verbose_name="会員")
    device_hash = models.CharField("端末の照合値（その日限り）", max_length=64, blank=True, editable=False)
    district = models.ForeignKey("pages.DistrictPage", null=True, blank=True, on_delete=models.SET_NULL,
                                 related_name="+", verbose_name="地域")
    answers = models.JSONField("回答", default=dict)
    created_at = models.DateTimeField("回答日時", default=timezone.now, db_index=True)

    class Meta:
        verbose_name = "アンケートの回答"
        verbose_name_plural = "アンケートの回答"
        constraints = [
            models.UniqueConstraint(fields=["page", "member"], condition=Q(member__isnull=False),
                                    name="surveys_one_response_per_member"),
            models.UniqueConstraint(fields=["page", "device_hash"], condition=~Q(device_hash=""),
                                    name="surveys_one_response_per_device_day"),
        ]
        permissions = [("export_response", "アンケートの回答を書き出す")]


class Comment(Moderated):
    """A member's free-text answers to one survey, screened before anyone else sees them."""

    response = models.OneToOneField(Response, on_delete=models.CASCADE, related_name="comment", verbose_name="回答")
    page = models.ForeignKey(SurveyPage, on_delete=models.CASCADE, related_name="comments", verbose_name="アンケート")
    body = models.TextField("自由回答")

    class Meta:
        verbose_name = "アンケートの自由回答"
        verbose_name_plural = "アンケートの自由回答"

    @property
    def title(self):
        return self.page.title


class ApplicationState(models.TextChoices):
    RECEIVED = "received", _("受付")
    SELECTED = "selected", _("当選・採用")
    WAITING = "waiting", _("補欠")
    REJECTED = "rejected", _("落選・不採用")
    CANCELLED = "cancelled", _("取消")


class Application(models.Model):
    page = models.ForeignKey(RecruitmentPage, on_delete=models.CASCADE, related_name="applications",
                             verbose_name="募集")
    member = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.CASCADE,
                               related_name="+", verbose_name="会員")
    state = models.CharField("状態", max_length=10, choices=ApplicationState.choices, default=ApplicationState.RECEIVED,
                             db_index=True)
    # A non-member's own details (what the call asks), and any detail a member's profile does not hold.
    name = EncryptedCharField("氏名", max_length=100, blank=True)
    email = EncryptedEmailField("メールアドレス", max_length=254, blank=True)
    email_hash = models.CharField("メールアドレスの照合値", max_length=64, blank=True, editable=False,
                                  help_text="会員でない方の二重応募を防ぐ鍵付きハッシュ（アドレスそのものは暗号化して保存）")
    phone = EncryptedCharField("電話番号", max_length=20, blank=True)
    address = EncryptedCharField("住所", max_length=200, blank=True)
    answers = EncryptedTextField("回答（JSON）", blank=True)
    waiting_position = models.PositiveIntegerField("補欠の順位", null=True, blank=True)
    created_at = models.DateTimeField("応募日時", default=timezone.now, db_index=True)
    updated_at = models.DateTimeField("更新日時", auto_now=True)

    class Meta:
        verbose_name = "応募"
        verbose_name_plural = "応募"
        constraints = [
            models.UniqueConstraint(fields=["page", "member"], condition=Q(member__isnull=False) & ~Q(state="cancelled"),
                                    name="surveys_one_application_per_member"),
            models.UniqueConstraint(fields=["page", "email_hash"], condition=~Q(email_hash="") & ~Q(state="cancelled"),
                                    name="surveys_one_application_per_address"),
        ]
        permissions = [("view_applicant", "応募者の個人情報を見る"), ("decide_application", "応募の当落・採否を決める")]


class LotteryDraw(models.Model):
    page = models.ForeignKey(RecruitmentPage, on_delete=models.CASCADE, related_name="draws", verbose_name="募集")
    seed = models.CharField("乱数の種", max_length=64)
    applicants_sha256 = models.CharField("応募者一覧の SHA-256", max_length=64)
    applicant_ids = models.JSONField("応募者（ID 順）", default=list)
    winner_ids = models.JSONField("当選者", default=list)
    waiting_ids = models.JSONField("補欠（順位順）", default=list)
    drawn_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+",
                                 verbose_name="実施したスタッフ")
    drawn_at = models.DateTimeField("実施日時", default=timezone.now)

    class Meta:
        verbose_name = "抽選"
        verbose_name_plural = "抽選"
