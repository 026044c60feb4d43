"""The newsletter's forms: subscribing on the site, a member's own choices, and staff's reason for an action."""

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from . import selectors, services

REQUIRED = {"required": _("この項目は必須です。")}


class ChoicesForm(forms.Form):
    """Districts, themes, language and what to receive: the rules are ``services.clean_choices``'."""

    districts = forms.MultipleChoiceField(
        label=_("地域"), required=False, widget=forms.CheckboxSelectMultiple,
        help_text=_("選ばなければ、すべての地域の情報が届きます。"),
        error_messages={"invalid_choice": _("選べない地域です: %(value)s")})
    themes = forms.MultipleChoiceField(
        label=_("テーマ"), required=False, widget=forms.CheckboxSelectMultiple,
        help_text=_("選ばなければ、すべてのテーマの情報が届きます。"),
        error_messages={"invalid_choice": _("選べないテーマです: %(value)s")})
    language = forms.ChoiceField(label=_("言語"), choices=settings.LANGUAGES, initial="ja", widget=forms.RadioSelect,
                                 error_messages=REQUIRED)
    issues = forms.BooleanField(label=_("編集部が発行するメールマガジン"), required=False, initial=True)
    digest = forms.BooleanField(label=_("週刊ダイジェスト（毎週の新着情報）"), required=False, initial=True)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        districts, themes = selectors.japanese_terms()
        self.fields["districts"].choices = [(page.slug, page.title) for page in districts]
        self.fields["themes"].choices = [(page.slug, page.title) for page in themes]

    def clean(self):
        data = super().clean()
        if self.errors:
            return data
        try:
            data["choices"] = services.clean_choices(data.get("districts", []), data.get("themes", []),
                                                     data.get("language", "ja"), data.get("issues"), data.get("digest"))
        except services.SubscriptionError as error:
            self.add_error(error.field if error.field in self.fields else None, error.messages)
        return data


class SubscribeForm(ChoicesForm):
    email = forms.CharField(label=_("メールアドレス"), max_length=254, error_messages=REQUIRED,
                            widget=forms.EmailInput(attrs={"autocomplete": "email"}))
    agree = forms.BooleanField(
        label=_("メールマガジンの配信に同意します（配信はいつでも停止できます）"),
        error_messages={"required": _("配信への同意が必要です。")})

    field_order = ["email", "districts", "themes", "language", "issues", "digest", "agree"]

    def clean_email(self):
        try:
            return services.clean_email(self.cleaned_data["email"])
        except services.SubscriptionError as error:
            raise forms.ValidationError(error.messages) from error


class PreferencesForm(ChoicesForm):
    subscribed = forms.BooleanField(label=_("メールマガジンを受け取る"), required=False)

    field_order = ["subscribed", "districts", "themes", "language", "issues", "digest"]

    def clean(self):
        if not self.data.get(self.add_prefix("subscribed")):
            # Stopping needs no other choice to be valid.
            super(ChoicesForm, self).clean()
            self.cleaned_data["choices"] = {}
            return self.cleaned_data
        return super().clean()


class ReasonForm(forms.Form):
    reason = forms.CharField(label="理由", max_length=500, help_text="監査ログに記録されます。",
                             widget=forms.Textarea(attrs={"rows": 2}),
                             error_messages={"required": "理由を入力してください。"})
