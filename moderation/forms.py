"""
Forms of residents' contributions. They check the shape of the input (lengths, choices, dates,
files); the screening pipeline and the rules live in ``services``.
"""

from django import forms
from django.core.validators import ProhibitNullCharactersValidator, RegexValidator
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext, ngettext_lazy

from members.captcha import CaptchaField
from pages.selectors import listed_model, visible_pages
from pages.services import SHOP_CATEGORIES, SHOP_FIELDS, phone_validator, postal_code_validator
from pages.terms import district_model, theme_model, visible_districts, visible_themes

from . import detectors
from .images import MAX_IMAGES
from .models import Flag
from .services import MAX_BODY, MAX_TITLE

BODY_HELP = _("改行はそのまま表示されます。URL はリンクになります（3件まで）。"
              "電話番号・メールアドレス・番地までの住所を書くと、掲載の前に運営者が確認します。")


def add_service_errors(form, error):
    """A service's ValidationError shown on the form: on its field where the form has one, else above it."""
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error)


class ResidentTextField(forms.CharField):
    """
    Text a resident typed: control characters (NUL included) and invisible direction marks are
    removed before validation, as the services would, instead of refusing the whole text with
    Django's unhelpful message about NUL characters.
    """

    default_error_messages = {"required": _("この項目は必須です。")}

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.validators = [v for v in self.validators if not isinstance(v, ProhibitNullCharactersValidator)]

    def to_python(self, value):
        return detectors.clean_control_characters(super().to_python(value))


class MultipleImageInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class ImagesField(forms.FileField):
    """Up to MAX_IMAGES image files; their content is checked and re-encoded by ``moderation.images``."""

    def __init__(self, **kwargs):
        kwargs.setdefault("widget", MultipleImageInput(attrs={"accept": "image/jpeg,image/png,image/webp,image/gif"}))
        kwargs.setdefault("required", False)
        kwargs.setdefault("label", ngettext_lazy("画像（%(count)s枚まで）", "画像（%(count)s枚まで）", "count") % {"count": MAX_IMAGES})
        kwargs.setdefault("help_text", _("JPEG・PNG・WebP・GIF、1枚8MBまで。位置情報などの撮影情報は取り除いて掲載します。"))
        super().__init__(**kwargs)

    def clean(self, data, initial=None):
        files = data if isinstance(data, (list, tuple)) else ([data] if data else [])
        if len(files) > MAX_IMAGES:
            raise forms.ValidationError(
                ngettext("画像は%(count)s枚までです。", "画像は%(count)s枚までです。", MAX_IMAGES) % {"count": MAX_IMAGES},
                code="too_many_images")
        return [super(ImagesField, self).clean(file, initial) for file in files]


class CaptchaMixin:
    def add_captcha(self, captcha):
        if captcha:
            self.fields["captcha"] = CaptchaField(label=_("確認"))


class ThreadForm(CaptchaMixin, forms.Form):
    title = ResidentTextField(label=_("題名"), max_length=MAX_TITLE)
    body = ResidentTextField(label=_("本文"), max_length=MAX_BODY, widget=forms.Textarea(attrs={"rows": 8}),
                           help_text=BODY_HELP)
    images = ImagesField()

    def __init__(self, *args, captcha=True, **kwargs):
        super().__init__(*args, **kwargs)
        self.add_captcha(captcha)


class ReplyForm(CaptchaMixin, forms.Form):
    body = ResidentTextField(label=_("返信"), max_length=MAX_BODY, widget=forms.Textarea(attrs={"rows": 5}),
                           help_text=BODY_HELP)
    images = ImagesField()

    def __init__(self, *args, captcha=True, **kwargs):
        super().__init__(*args, **kwargs)
        self.add_captcha(captcha)


class PostEditForm(forms.Form):
    body = ResidentTextField(label=_("本文"), max_length=MAX_BODY, widget=forms.Textarea(attrs={"rows": 8}),
                           help_text=BODY_HELP)


class FlagForm(forms.Form):
    reason = forms.ChoiceField(label=_("通報の理由"), choices=Flag.Reason.choices, widget=forms.RadioSelect)
    comment = ResidentTextField(label=_("補足（任意）"), max_length=300, required=False,
                              widget=forms.Textarea(attrs={"rows": 3}))


def _districts():
    """The districts a resident may tag: visible ones, in Japanese (content is tagged with those)."""
    return visible_districts().filter(locale__language_code="ja").order_by("path")


def _themes():
    return visible_themes().filter(locale__language_code="ja").order_by("path")


def _listed_shops():
    """The shops a correction may name: those a visitor can see."""
    return visible_pages(listed_model("shop")).order_by("title")


class SubmissionForm(CaptchaMixin, forms.Form):
    """The fields every submission has; each kind adds its own (``data_fields`` go to ``Submission.data``)."""

    data_fields = ()
    title = ResidentTextField(label=_("題名"), max_length=120)
    body = ResidentTextField(label=_("内容"), max_length=MAX_BODY, widget=forms.Textarea(attrs={"rows": 8}))
    district = forms.ModelChoiceField(label=_("地域"), queryset=district_model().objects.none(), required=False,
                                      empty_label=_("（地域を選ばない）"))
    themes = forms.ModelMultipleChoiceField(label=_("テーマ"), queryset=theme_model().objects.none(), required=False,
                                            widget=forms.CheckboxSelectMultiple)
    credit_nickname = forms.BooleanField(label=_("掲載するときにニックネームを情報提供者として表示してよい"), required=False)

    def __init__(self, *args, captcha=True, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["district"].queryset = _districts()
        self.fields["themes"].queryset = _themes()
        self.add_captcha(captcha)

    def data_values(self):
        values = {}
        for name in self.data_fields:
            value = self.cleaned_data.get(name)
            if hasattr(value, "isoformat"):
                value = value.isoformat()
            values[name] = value if value is not None else ""
        return values


class LocalInfoForm(SubmissionForm):
    body = ResidentTextField(label=_("地域の情報"), max_length=MAX_BODY, widget=forms.Textarea(attrs={"rows": 8}),
                           help_text=BODY_HELP)


class ShopFields(forms.Form):
    title_reading = forms.CharField(label=_("名称のよみがな"), max_length=120, required=False,
                                    validators=[RegexValidator(r"^[\u3041-\u309F\u30A0-\u30FFー・\s]*$",
                                                               _("ひらがな・カタカナで入力してください。"))])
    category = forms.ChoiceField(label=_("分類"), choices=SHOP_CATEGORIES)
    postal_code = forms.CharField(label=_("郵便番号"), max_length=8, required=False, validators=[postal_code_validator])
    address = forms.CharField(label=_("住所"), max_length=200)
    phone = forms.CharField(label=_("電話番号（お店・団体の）"), max_length=20, required=False, validators=[phone_validator])
    opening_hours = forms.CharField(label=_("営業時間・定休日"), max_length=500, required=False,
                                    widget=forms.Textarea(attrs={"rows": 3}))
    website = forms.URLField(label=_("ウェブサイト"), required=False, assume_scheme="https")


class NewShopForm(SubmissionForm, ShopFields):
    data_fields = SHOP_FIELDS
    title = ResidentTextField(label=_("お店・団体の名前"), max_length=120)
    body = ResidentTextField(label=_("紹介文"), max_length=MAX_BODY, widget=forms.Textarea(attrs={"rows": 6}))

    field_order = ["title", "title_reading", "category", "body", "postal_code", "address", "phone", "opening_hours",
                   "website", "district", "themes", "credit_nickname"]


class CorrectionForm(SubmissionForm, ShopFields):
    """A correction: the listed shop, and only the fields that change (others left empty)."""

    data_fields = NewShopForm.data_fields
    target = forms.ModelChoiceField(label=_("訂正するお店・団体"), queryset=listed_model("shop").objects.none())
    title = ResidentTextField(label=_("訂正の概要"), max_length=120, help_text=_("例：営業時間が変わりました"))
    body = ResidentTextField(label=_("訂正の内容・根拠"), max_length=MAX_BODY, widget=forms.Textarea(attrs={"rows": 5}))

    field_order = ["target", "title", "body", "title_reading", "category", "postal_code", "address", "phone",
                   "opening_hours", "website"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["target"].queryset = _listed_shops()
        for name in self.data_fields:
            self.fields[name].required = False
        self.fields["category"].choices = [("", _("（変更なし）")), *SHOP_CATEGORIES]
        for name in ("district", "themes", "credit_nickname"):
            del self.fields[name]

    def clean(self):
        cleaned = super().clean()
        if not any(cleaned.get(name) for name in self.data_fields):
            raise forms.ValidationError(_("訂正する項目を1つ以上入力してください。"), code="nothing_to_correct")
        return cleaned


class EventForm(SubmissionForm):
    data_fields = ("start", "end", "venue", "venue_address", "fee", "capacity", "organiser", "how_to_apply",
                   "contact")
    title = ResidentTextField(label=_("イベント名"), max_length=120)
    body = ResidentTextField(label=_("イベントの紹介"), max_length=MAX_BODY, widget=forms.Textarea(attrs={"rows": 6}))
    start = forms.DateTimeField(label=_("開始日時"), widget=forms.DateTimeInput(attrs={"type": "datetime-local"}))
    end = forms.DateTimeField(label=_("終了日時"), widget=forms.DateTimeInput(attrs={"type": "datetime-local"}))
    venue = forms.CharField(label=_("会場"), max_length=200)
    venue_address = forms.CharField(label=_("会場の住所"), max_length=200, required=False)
    fee = forms.CharField(label=_("参加費"), max_length=100, initial=_("無料"))
    capacity = forms.IntegerField(label=_("定員"), min_value=1, max_value=100000, required=False)
    organiser = forms.CharField(label=_("主催"), max_length=150)
    how_to_apply = forms.CharField(label=_("申込方法"), max_length=1000, required=False,
                                   widget=forms.Textarea(attrs={"rows": 3}))
    contact = forms.CharField(label=_("問い合わせ先"), max_length=200, required=False,
                              help_text=_("主催団体の連絡先を書いてください（個人の電話番号は書かないでください）。"))

    field_order = ["title", "body", "start", "end", "venue", "venue_address", "district", "themes", "fee",
                   "capacity", "organiser", "how_to_apply", "contact", "credit_nickname"]

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("start") and cleaned.get("end") and cleaned["end"] < cleaned["start"]:
            self.add_error("end", _("終了日時は開始日時より後にしてください。"))
        return cleaned


SUBMISSION_FORMS = {
    "local_info": LocalInfoForm,
    "new_shop": NewShopForm,
    "shop_correction": CorrectionForm,
    "event": EventForm,
}
