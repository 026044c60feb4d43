"""Forms of the public member pages (Japanese messages for every field)."""


from django import forms
from django.contrib.auth import password_validation
from django.contrib.auth.forms import AuthenticationForm, PasswordResetForm
from django.core.exceptions import ValidationError
from wagtail.admin.forms.auth import PasswordResetForm as WagtailPasswordResetForm

from . import postal
from .captcha import CaptchaField
from .models import User
from .selectors import password_resettable
from .services import confirm_password

REQUIRED = {"required": "この項目は必須です。"}


class MemberDataForm(forms.ModelForm):
    """The personal data the contract lists; the address may be filled from the postal code."""

    class Meta:
        model = User
        fields = ["nickname", "last_name", "first_name", "last_name_kana", "first_name_kana", "date_of_birth",
                  "gender", "postal_code", "prefecture", "municipality", "street", "building"]
        widgets = {"date_of_birth": forms.DateInput(attrs={"type": "date"})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ["nickname", "last_name", "first_name", "last_name_kana", "first_name_kana", "date_of_birth",
                     "gender", "postal_code", "prefecture", "municipality", "street"]:
            self.fields[name].required = True
            self.fields[name].error_messages.update(REQUIRED)
        self.fields["gender"].choices = [("", "選択してください")] + list(User.Gender.choices)
        self.fields["date_of_birth"].error_messages["invalid"] = "生年月日を正しく入力してください。"

    def clean_nickname(self):
        nickname = self.cleaned_data["nickname"].strip()
        if len(nickname) < 2:
            raise ValidationError("ニックネームは2文字以上にしてください。")
        if User.objects.filter(nickname__iexact=nickname).exclude(pk=self.instance.pk).exists():
            raise ValidationError("このニックネームは使われています。別のものにしてください。")
        return nickname

    def _kana(self, name):
        value = self.cleaned_data[name].strip()
        import unicodedata

        value = unicodedata.normalize("NFKC", value)
        if not all("\u3041" <= ch <= "\u30ff" or ch in "ー　 " for ch in value):
            raise ValidationError("ひらがなまたはカタカナで入力してください。")
        return value

    def clean_last_name_kana(self):
        return self._kana("last_name_kana")

    def clean_first_name_kana(self):
        return self._kana("first_name_kana")

    def clean_postal_code(self):
        code = postal.normalize_postal_code(self.cleaned_data["postal_code"])
        if code is None:
            raise ValidationError("郵便番号は7桁の数字で入力してください。")
        return f"{code[:3]}-{code[3:]}"

    def clean_date_of_birth(self):
        import datetime

        value = self.cleaned_data["date_of_birth"]
        if value and not (datetime.date(1900, 1, 1) <= value <= datetime.date.today()):
            raise ValidationError("生年月日を正しく入力してください。")
        return value


class RegistrationForm(MemberDataForm):
    email = forms.EmailField(label="メールアドレス", max_length=254,
                             error_messages={**REQUIRED, "invalid": "メールアドレスを正しく入力してください。"})
    password1 = forms.CharField(label="パスワード", strip=False, widget=forms.PasswordInput(
        attrs={"autocomplete": "new-password"}), error_messages=REQUIRED,
        help_text="10文字以上。よく使われるパスワードや数字だけのものは使えません。")
    password2 = forms.CharField(label="パスワード（確認）", strip=False, widget=forms.PasswordInput(
        attrs={"autocomplete": "new-password"}), error_messages=REQUIRED)
    agree_terms = forms.BooleanField(label="利用規約に同意します", error_messages={
        "required": "利用規約への同意が必要です。"})
    agree_privacy = forms.BooleanField(label="プライバシーポリシーに同意します", error_messages={
        "required": "プライバシーポリシーへの同意が必要です。"})

    class Meta(MemberDataForm.Meta):
        fields = ["email", *MemberDataForm.Meta.fields]

    def __init__(self, *args, captcha=True, **kwargs):
        super().__init__(*args, **kwargs)
        if captcha:
            self.fields["captcha"] = CaptchaField(label="確認")

    def clean(self):
        cleaned = super().clean()
        p1, p2 = cleaned.get("password1"), cleaned.get("password2")
        if p1 and p2 and p1 != p2:
            self.add_error("password2", "パスワードが一致しません。")
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
        "invalid_login": "メールアドレスまたはパスワードが正しくありません。",
        "inactive": "このアカウントは利用できません。",
    }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["username"].label = "メールアドレス"
        self.fields["password"].label = "パスワード"


class PasswordConfirmedForm(forms.Form):
    """A form the member confirms with their current password."""

    password = forms.CharField(label="パスワード（確認のため）", widget=forms.PasswordInput, error_messages=REQUIRED)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user

    def clean_password(self):
        confirm_password(self.user, self.cleaned_data["password"])
        return self.cleaned_data["password"]


class WithdrawForm(PasswordConfirmedForm):
    field_order = ["posts", "password", "confirm"]
    posts = forms.ChoiceField(
        label="投稿の扱い", widget=forms.RadioSelect, error_messages=REQUIRED,
        choices=[("keep", "「退会したユーザー」として残す"), ("delete", "すべて削除する")],
    )
    confirm = forms.BooleanField(label="個人情報がすぐに消去され、元に戻せないことを理解しました",
                                 error_messages={"required": "確認のチェックが必要です。"})


class MemberPasswordResetForm(PasswordResetForm):
    """Django's form finds accounts by the e-mail column, which is encrypted: find them by hash."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["email"].label = "メールアドレス"
        self.fields["email"].error_messages.update({**REQUIRED, "invalid": "メールアドレスを正しく入力してください。"})

    def get_users(self, email):
        return (user for user in password_resettable(User.objects.by_email(email))
                if user.has_usable_password())


class StaffPasswordResetForm(WagtailPasswordResetForm):
    """The Wagtail admin's password reset, finding staff by the e-mail's hash (the e-mail is encrypted)."""

    get_users = MemberPasswordResetForm.get_users


class EmailChangeForm(PasswordConfirmedForm):
    field_order = ["email", "password"]
    email = forms.EmailField(label="新しいメールアドレス", max_length=254,
                             error_messages={**REQUIRED, "invalid": "メールアドレスを正しく入力してください。"})
