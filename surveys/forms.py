"""
The editor's form of surveys and calls, and the public forms residents fill.

Editor (``CallPageForm``): the portal's page form (``pages.services.PortalPageForm``) with Wagtail's
form-builder checks (``WagtailAdminFormPageForm``: no two questions with one name), and two rules:

- **Questions are frozen once answered.** Answers are stored by question name; changing a
  question under them would make the results lie. The editor copies the page (「コピー」) to a
  new version instead.
- **An anonymous survey asks for no one's identity**: no name, e-mail, phone or address
  (matched on the question's label, in Japanese and English).
"""

import re

from django import forms
from django.utils.translation import gettext_lazy as _
from wagtail.contrib.forms.forms import WagtailAdminFormPageForm

from members.captcha import CaptchaField
from pages.services import PortalPageForm

IDENTITY_WORDS = re.compile(r"氏名|名前|お名前|なまえ|メール|電話|住所|番地|e-?mail|phone|address|\bname\b", re.IGNORECASE)
FROZEN_MESSAGE = "回答が届いているため、質問は変更できません。ページを「コピー」して新しい版を作ってください。"


def name_new_questions(formset):
    """A question the editor left without a name gets the first free ``q<n>`` (its answers' key for good)."""
    forms_ = [form for form in formset.forms if form.is_valid() and not form.cleaned_data.get("DELETE")]
    used = {form.instance.clean_name for form in forms_ if form.instance.clean_name}
    number = 1
    for form in forms_:
        if form.instance.clean_name:
            continue
        while f"q{number}" in used:
            number += 1
        form.instance.clean_name = f"q{number}"
        used.add(form.instance.clean_name)


class CallPageForm(PortalPageForm, WagtailAdminFormPageForm):
    def clean(self):
        formset = self.formsets.get("form_fields")
        if formset is not None:
            name_new_questions(formset)
        cleaned = super().clean()
        if formset is None:
            return cleaned
        if self._answered() and formset.has_changed():
            self.add_error(None, FROZEN_MESSAGE)
        if cleaned.get("audience") == "anyone" and not hasattr(self.instance, "capacity"):
            for form in formset.forms:
                label = (form.cleaned_data or {}).get("label", "") if hasattr(form, "cleaned_data") else ""
                if label and not form.cleaned_data.get("DELETE") and IDENTITY_WORDS.search(label):
                    form.add_error("label", "どなたでも答えられるアンケートでは、氏名・メールアドレス・電話番号・住所は聞けません。")
        return cleaned

    def _answered(self):
        instance = self.instance
        if not instance.pk:
            return False
        related = getattr(instance, "responses", None) or getattr(instance, "applications", None)
        return related is not None and related.exists()


class CaptchaForm(forms.Form):
    """reCAPTCHA for an anonymous answer or application on the site."""

    captcha = CaptchaField(label=_("ロボットではないことの確認"))


class ApplicantForm(forms.Form):
    """What a call asks of its applicant beyond the questions: only the items it needs."""

    name = forms.CharField(label=_("氏名"), max_length=100)
    email = forms.EmailField(label=_("メールアドレス"), max_length=254,
                             help_text=_("結果のお知らせを送ります。"))
    phone = forms.RegexField(label=_("電話番号"), regex=r"^[0-9０-９\-－()（） ]{10,15}$", max_length=20,
                             error_messages={"invalid": _("電話番号は 03-1234-5678 の形式で入力してください。")})
    address = forms.CharField(label=_("住所"), max_length=200)
    eligible = forms.BooleanField(label=_("応募資格を満たしています"))

    def __init__(self, *args, page, member=None, **kwargs):
        super().__init__(*args, **kwargs)
        keep = set()
        if member is None:
            keep |= {"email"} | ({"name"} if page.ask_name else set()) | ({"address"} if page.ask_address else set())
        keep |= {"phone"} if page.ask_phone else set()
        keep |= {"eligible"} if page.eligibility else set()
        for name in list(self.fields):
            if name not in keep:
                del self.fields[name]
        if "eligible" in self.fields:
            self.fields["eligible"].help_text = page.eligibility
