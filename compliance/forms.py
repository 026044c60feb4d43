"""The compliance app's forms: a member's request (profile), staff recording a request received otherwise."""

from django import forms
from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _

from .models import Case


class RequestForm(forms.Form):
    """A member's request from their profile (the account is theirs: no name or identity document asked)."""

    type = forms.ChoiceField(label=_("請求の種類"), choices=Case.Type.choices)
    reply_method = forms.ChoiceField(label=_("回答の受け取り方"), choices=Case.ReplyMethod.choices,
                                     initial=Case.ReplyMethod.SCREEN)
    details = forms.CharField(label=_("請求の内容（任意）"), required=False, max_length=2000, widget=forms.Textarea(
        attrs={"rows": 5}), help_text=_("訂正してほしい項目と正しい内容など。身分証明書の写しは送らないでください。"))


class StaffCaseForm(forms.Form):
    """A request received by letter, phone, at the counter or via the ward."""

    type = forms.ChoiceField(label=_("請求の種類"), choices=Case.Type.choices)
    channel = forms.ChoiceField(label=_("受付経路"), choices=[c for c in Case.Channel.choices if c[0] != "profile"])
    received_at = forms.DateTimeField(label=_("受付日時"), widget=forms.DateTimeInput(attrs={"type": "datetime-local"}))
    reply_method = forms.ChoiceField(label=_("回答の方法（請求者が選んだもの）"), choices=Case.ReplyMethod.choices)
    member_id = forms.IntegerField(label=_("会員番号（分かるとき）"), required=False, min_value=1)
    requester_name = forms.CharField(label=_("請求者の氏名（会員番号が分からないとき）"), required=False, max_length=100)
    requester_contact = forms.CharField(label=_("請求者の連絡先（住所・電話など）"), required=False, max_length=200)
    details = forms.CharField(label=_("請求の内容"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 4}))
    for_ward = forms.BooleanField(label=_("区のために対応する（区の期限: 30日、延長30日）"), required=False)

    def clean_member_id(self):
        number = self.cleaned_data.get("member_id")
        if number is None:
            return None
        member = get_user_model().objects.filter(pk=number, withdrawn_at__isnull=True).first()
        if member is None:
            raise forms.ValidationError(_("この番号の会員はいません。"))
        return member
