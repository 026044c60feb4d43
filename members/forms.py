"""Forms of the public member pages (Japanese messages for every field)."""

import datetime
import unicodedata

from django import forms
from django.contrib.auth import password_validation
from django.contrib.auth.forms import AuthenticationForm, PasswordResetForm
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from wagtail.admin.forms.auth import PasswordResetForm as WagtailPasswordResetForm

from . import postal
from .captcha import CaptchaField
from .models import User
from .selectors import password_resettable
from .services import confirm_password, send_form_mail, send_password_reset_notice, site_base_url

REQUIRED = {"required": _("この項目は必須です。")}

# What browsers may fill in (HTML autocomplete tokens). Gender and the kana reading have none.
AUTOCOMPLETE = {
    "nickname": "nickname", "last_name": "family-name", "first_name": "given-name", "date_of_birth": "bday",
    "email": "email", "postal_code": "postal-code", "prefecture": "address-level1",
    "municipality": "address-level2", "street": "address-line1", "building": "address-line2",
}


class Fieldset:
    """A group of a form's fields shown under one legend (members/_form.html)."""

    def __init__(self, legend, fields, description=""):
        self.legend, self.fields, self.description = legend, fields, description


class FieldsetsMixin:
    """``fieldset_layout``: (legend, field names) pairs; fields not named are shown after them, ungrouped."""

    fieldset_layout = ()

    def fieldsets(self):
        return [Fieldset(legend, [self[name] for name in names if name in self.fields],
                         self.fieldset_description(legend))
                for legend, names in self.fieldset_layout]

    def fieldset_description(self, legend):
        return ""

    def ungrouped_fields(self):
        grouped = {name for _legend, names in self.fieldset_layout for name in names}
        return [field for field in self.visible_fields() if field.name not in grouped]


class MemberDataForm(FieldsetsMixin, forms.ModelForm):
    """The personal data the contract lists; the kana reading is optional; the address may be filled from the postal code."""

    REQUIRED_FIELDS = ["nickname", "last_name", "first_name", "date_of_birth", "gender", "postal_code", "prefecture",
                       "municipality", "street"]
    fieldset_layout = (
        (_("お名前など"), ["nickname", "last_name", "first_name", "last_name_kana", "first_name_kana",
                         "date_of_birth", "gender"]),
        (_("住所"), ["postal_code", "prefecture", "municipality", "street", "building"]),
    )

    class Meta:
        model = User
        fields = ["nickname", "last_name", "first_name", "last_name_kana", "first_name_kana", "date_of_birth",
                  "gender", "postal_code", "prefecture", "municipality", "street", "building"]
        widgets = {"date_of_birth": forms.DateInput(attrs={"type": "date"}), "gender": forms.RadioSelect}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in self.REQUIRED_FIELDS:
            self.fields[name].required = True
            self.fields[name].error_messages.update(REQUIRED)
        for name, token in AUTOCOMPLETE.items():
            if name in self.fields:
                self.fields[name].widget.attrs["autocomplete"] = token
        self.fields["gender"].choices = list(User.Gender.choices)
        self.fields["date_of_birth"].error_messages["invalid"] = _("生年月日を正しく入力してください。")
        self.fields["postal_code"].widget.attrs["inputmode"] = "numeric"
        self.fields["postal_code"].help_text = _("7桁の数字（例: 160-0022）。「住所を検索」で都道府県・市区町村・町名を入力できます。")

    def clean_nickname(self):
        nickname = self.cleaned_data["nickname"].strip()
        if len(nickname) < 2:
            raise ValidationError(_("ニックネームは2文字以上にしてください。"))
        if User.objects.filter(nickname__iexact=nickname).exclude(pk=self.instance.pk).exists():
            raise ValidationError(_("このニックネームは使われています。別のものにしてください。"))
        return nickname

    def _kana(self, name):
        value = unicodedata.normalize("NFKC", (self.cleaned_data.get(name) or "").strip())
        if not all("\u3041" <= ch <= "\u30ff" or ch in "ー　 " for ch in value):
            raise ValidationError(_("ひらがなまたはカタカナで入力してください。"))
        return value

    def clean_last_name_kana(self):
        return self._kana("last_name_kana")

    def clean_first_name_kana(self):
        return self._kana("first_name_kana")

    def clean_postal_code(self):
        code = postal.normalize_postal_code(self.cleaned_data["postal_code"])
        if code is None:
            raise ValidationError(_("郵便番号は7桁の数字で入力してください。"))
        return f"{code[:3]}-{code[3:]}"

    def clean_date_of_birth(self):
        value = self.cleaned_data["date_of_birth"]
        if value and not (datetime.date(1900, 1, 1) <= value <= datetime.date.today()):
            raise ValidationError(_("生年月日を正しく入力してください。"))
        return value


class RegistrationForm(MemberDataForm):
    email = forms.EmailField(label=_("メールアドレス"), max_length=254,
                             error_messages={**REQUIRED, "invalid": _("メールアドレスを正しく入力してください。")})
    password1 = forms.CharField(label=_("パスワード"), strip=False, widget=forms.PasswordInput(
        attrs={"autocomplete": "new-password"}), error_messages=REQUIRED,
        help_text=_("10文字以上。よく使われるパスワードや数字だけのものは使えません。"))
    password2 = forms.CharField(label=_("パスワード（確認）"), strip=False, widget=forms.PasswordInput(
        attrs={"autocomplete": "new-password"}), error_messages=REQUIRED)
    agree_terms = forms.BooleanField(label=_("利用規約に同意します"), error_messages={
        "required": _("利用規約への同意が必要です。")})
    agree_privacy = forms.BooleanField(label=_("プライバシーポリシーに同意します"), error_messages={
        "required": _("プライバシーポリシーへの同意が必要です。")})

    CONSENTS = _("利用規約とプライバシーポリシー")
    fieldset_layout = (
        (_("ログインに使う情報"), ["email", "password1", "password2"]),
        *MemberDataForm.fieldset_layout,
        (CONSENTS, ["agree_terms", "agree_privacy"]),
    )

    class Meta(MemberDataForm.Meta):
        fields = ["email", *MemberDataForm.Meta.fields]

    # The order they are shown in (and listed in the error summary).
    field_order = ["email", "password1", "password2", *MemberDataForm.Meta.fields, "agree_terms", "agree_privacy"]

    def __init__(self, *args, captcha=True, **kwargs):
        super().__init__(*args, **kwargs)
        if captcha:
            self.fields["captcha"] = CaptchaField(label=_("ロボットでないことの確認"))

    def fieldset_description(self, legend):
        if legend != self.CONSENTS:
            return ""
        return format_html(_("登録の前に{terms}と{privacy}をお読みください。"),
                           terms=format_html('<a href="{}">{}</a>', reverse("members:terms"), _("利用規約")),
                           privacy=format_html('<a href="{}">{}</a>', reverse("members:privacy"),
                                               _("プライバシーポリシー")))

    def keep_passwords(self):
        """Shown again with the typed passwords: a postal-code look-up is not a submission."""
        for name in ("password1", "password2"):
            self.fields[name].widget.render_value = True

    def clean(self):
        cleaned = super().clean()
        p1, p2 = cleaned.get("password1"), cleaned.get("password2")
        if p1 and p2 and p1 != p2:
            self.add_error("password2", _("パスワードが一致しません。"))
        elif p1:
            candidate = User(email=cleaned.get("email") or "", nickname=cleaned.get("nickname") or "")
            try:
                password_validation.validate_password(p1, candidate)
            except ValidationError as exc:
                self.add_error("password1", exc)
        return cleaned

    def validate_unique(self):
        # An address already registered is not an error here: the service answers as for a new
        # one and tells the owner by e-mail (no account enumeration).
        pass


class LoginForm(AuthenticationForm):
    error_messages = {
        "invalid_login": _("メールアドレスまたはパスワードが正しくありません。"),
        "inactive": _("このアカウントは利用できません。"),
    }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["username"].label = _("メールアドレス")
        self.fields["password"].label = _("パスワード")
        for field in self.fields.values():
            field.error_messages.update(REQUIRED)
        self.fields["username"].widget.attrs.update({"inputmode": "email", "autocomplete": "email"})


class PasswordConfirmedForm(forms.Form):
    """A form the member confirms with their current password."""

    password = forms.CharField(label=_("パスワード（確認のため）"), error_messages=REQUIRED,
                               widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}))

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user

    def clean_password(self):
        confirm_password(self.user, self.cleaned_data["password"])
        return self.cleaned_data["password"]


class WithdrawForm(PasswordConfirmedForm):
    field_order = ["posts", "password", "confirm"]
    posts = forms.ChoiceField(
        label=_("投稿の扱い"), widget=forms.RadioSelect, error_messages=REQUIRED,
        choices=[("keep", _("「退会したユーザー」として残す")), ("delete", _("すべて削除する"))],
    )
    confirm = forms.BooleanField(label=_("個人情報がすぐに消去され、元に戻せないことを理解しました"),
                                 error_messages={"required": _("確認のチェックが必要です。")})


class MemberPasswordResetForm(PasswordResetForm):
    """Django's form finds accounts by the e-mail column, which is encrypted: find them by hash."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["email"].label = _("メールアドレス")
        self.fields["email"].error_messages.update({**REQUIRED, "invalid": _("メールアドレスを正しく入力してください。")})

    def get_users(self, email):
        return (user for user in password_resettable(User.objects.by_email(email))
                if user.has_usable_password())

    def send_mail(self, subject_template_name, email_template_name, context, from_email, to_email,
                  html_email_template_name=None):
        """Through the outbox (members.outbox): never lost when the mail server is away, never waited for."""
        send_form_mail(subject_template_name, email_template_name, context, to_email)

    def save(self, *args, request=None, **kwargs):
        """An address with no account gets a notice: the same work either way, so no enumeration by timing."""
        if next(self.get_users(self.cleaned_data["email"]), None) is None:
            send_password_reset_notice(self.cleaned_data["email"], site_base_url(request))
        return super().save(*args, request=request, **kwargs)


class StaffPasswordResetForm(WagtailPasswordResetForm):
    """The Wagtail admin's password reset, finding staff by the e-mail's hash (the e-mail is encrypted)."""

    get_users = MemberPasswordResetForm.get_users
    send_mail = MemberPasswordResetForm.send_mail


class EmailChangeForm(PasswordConfirmedForm):
    field_order = ["email", "password"]
    email = forms.EmailField(label=_("新しいメールアドレス"), max_length=254, widget=forms.EmailInput(
        attrs={"autocomplete": "email"}), error_messages={**REQUIRED, "invalid": _("メールアドレスを正しく入力してください。")})
