"""
The ads admin's forms. They validate input and hand over to ``services``; a rule broken comes back
as a Japanese error on the field, and nothing is stored.
"""

import re

from django import forms
from django.core.exceptions import ValidationError
from wagtail.admin.forms import WagtailAdminModelForm

from members.models import mask_email
from pages.terms import district_model, theme_model

from . import selectors, services
from .validators import normalize_digits


def mask_text(value):
    """「山田 太郎」→「山***」, 「03-1234-5678」→「**-****-**78」: enough to recognise, not to use."""
    if not value:
        return "（未登録）"
    if re.fullmatch(r"[\d\-+() ]+", value):
        return re.sub(r"\d", "*", value[:-2]) + value[-2:]
    return value[:1] + "***"


def masked_contact(advertiser):
    return {"contact_name": mask_text(advertiser.contact_name), "contact_email": mask_email(advertiser.contact_email)
            if advertiser.contact_email else "（未登録）", "contact_phone": mask_text(advertiser.contact_phone)}


class AdvertiserForm(WagtailAdminModelForm):
    """The contact person's data is never put back into the page: the fields show it masked; left empty, it is kept."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        masked = masked_contact(self.instance) if self.instance.pk else {}
        for name in services.CONTACT_FIELDS:
            if name in self.fields:
                self.initial[name] = ""
                self.fields[name].widget.attrs["autocomplete"] = "off"
                if self.instance.pk:
                    self.fields[name].help_text = f"登録済み: {masked[name]}（空欄のままなら変更しません）"

    def clean_corporate_number(self):
        return normalize_digits(self.cleaned_data.get("corporate_number", ""))

    def _post_clean(self):
        # Empty contact fields keep the stored values (never shown in clear here).
        if self.instance.pk:
            stored = type(self.instance).objects.get(pk=self.instance.pk)
            for name in services.CONTACT_FIELDS:
                if name in self.cleaned_data and not self.cleaned_data[name]:
                    self.cleaned_data[name] = getattr(stored, name)
        super()._post_clean()


class BookingForm(WagtailAdminModelForm):
    month = forms.CharField(label="月で指定（YYYY-MM）", required=False, max_length=7,
                            help_text="入力すると、その月の1日から末日までを掲載期間にします（開始日・終了日より優先）。")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name, model in (("districts", district_model()), ("themes", theme_model())):
            if name in self.fields:
                self.fields[name].queryset = model.objects.filter(locale__language_code="ja").order_by("path")
        for name in ("starts_on", "ends_on"):
            if name in self.fields:
                self.fields[name].required = False

    def clean(self):
        cleaned = super().clean()
        month = (cleaned.get("month") or "").strip()
        if month:
            try:
                cleaned["starts_on"], cleaned["ends_on"] = selectors.month_range(month)
            except ValueError:
                self.add_error("month", "月は YYYY-MM の形で入力してください（例: 2026-12）。")
                return cleaned
            self.instance.starts_on, self.instance.ends_on = cleaned["starts_on"], cleaned["ends_on"]
        for name, label in (("starts_on", "掲載開始日"), ("ends_on", "掲載終了日")):
            if not cleaned.get(name) and name not in self.errors:
                self.add_error(name, f"{label}を入力するか、月で指定してください。")
        if cleaned.get("placement") and "placement" in self.changed_data:
            try:
                services.check_placement_change(self.instance, cleaned["placement"])
            except ValidationError as error:
                self.add_error(None, error)
        return cleaned


class CreativeForm(WagtailAdminModelForm):
    """The image is checked against the chosen booking's placement; saving goes through ``services.save_creative``."""

    def clean(self):
        cleaned = super().clean()
        booking, image = cleaned.get("booking"), cleaned.get("image")
        if booking is not None and image is not None and ("image" in self.changed_data or "booking" in self.changed_data):
            try:
                services.check_image(image, booking.placement)
            except ValidationError as error:
                self.add_error("image", error)
        return cleaned

    def save(self, commit=True):
        creative = super().save(commit=False)
        uploaded = self.cleaned_data.get("image") if "image" in self.changed_data else None
        if commit:
            services.save_creative(creative, getattr(self, "for_user", None), self.changed_data, uploaded=uploaded)
            self.save_m2m()
        return creative


class ReviewForm(forms.Form):
    decision = forms.ChoiceField(label="審査の結果", widget=forms.RadioSelect,
                                 choices=[("approve", "承認する（掲載してよい）"), ("refuse", "不承認にする")])
    reason = forms.CharField(label="理由（不承認のときは必須。監査ログに残ります）", required=False, max_length=1000,
                             widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for code, label in services.CHECKLIST:
            self.fields[f"check_{code}"] = forms.BooleanField(label=label, required=False)

    def checklist(self):
        return {code: self.cleaned_data.get(f"check_{code}", False) for code in services.CHECKLIST_CODES}

    def checklist_fields(self):
        return [self[f"check_{code}"] for code in services.CHECKLIST_CODES]


class SwitchForm(forms.Form):
    action = forms.ChoiceField(label="操作", widget=forms.RadioSelect,
                               choices=[("stop", "すべての広告を止める"), ("resume", "広告の配信を再開する")])
    message = forms.CharField(label="停止中に枠へ表示するお知らせ（任意）", required=False, max_length=500,
                              widget=forms.Textarea(attrs={"rows": 3}))
    reason = forms.CharField(label="理由（監査ログに残ります）", max_length=500)


class RevealForm(forms.Form):
    reason = forms.CharField(label="表示する理由（監査ログに残ります）", max_length=500)


class MonthForm(forms.Form):
    month = forms.RegexField(label="対象の月", regex=r"^\d{4}-(0[1-9]|1[0-2])$", max_length=7,
                             error_messages={"invalid": "月は YYYY-MM の形で入力してください（例: 2026-11）。"})
