"""The admin's forms for incidents and training records (validated again by the services)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from members.models import PERSONAL_FIELDS, User

from .incidents import data_item_label
from .models.incidents import Incident
from .models.training import Course

DATA_ITEM_CHOICES = [(name, data_item_label(name)) for name in PERSONAL_FIELDS]
TEXT_FIELDS = ("description", "secondary_damage", "member_response", "publication", "cause", "measures",
               "prevention", "other_notes")


class IncidentForm(forms.ModelForm):
    data_items = forms.MultipleChoiceField(label=_("漏えい等が発生し、又は発生したおそれがある個人データの項目"),
                                           choices=DATA_ITEM_CHOICES, required=False,
                                           widget=forms.CheckboxSelectMultiple)
    discovered_at = forms.DateTimeField(label=_("発覚日時"), widget=forms.DateTimeInput(attrs={"type": "datetime-local"}))

    class Meta:
        model = Incident
        fields = ("title", "category", "discovered_at", "description", "data_items", "affected_count",
                  "encrypted_keys_intact", "wrongful_purpose", *TEXT_FIELDS[1:])


class EventForm(forms.Form):
    what = forms.CharField(label=_("経過"), widget=forms.Textarea(attrs={"rows": 2}), max_length=2000)


class AffectedFromAuditForm(forms.Form):
    staff = forms.ModelChoiceField(label=_("職員"), queryset=User.objects.none())
    start = forms.DateTimeField(label=_("開始"), widget=forms.DateTimeInput(attrs={"type": "datetime-local"}))
    end = forms.DateTimeField(label=_("終了"), widget=forms.DateTimeInput(attrs={"type": "datetime-local"}))

    def __init__(self, *args, staff_queryset=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["staff"].queryset = staff_queryset if staff_queryset is not None else User.objects.none()

    def clean(self):
        data = super().clean()
        if data.get("start") and data.get("end") and data["start"] > data["end"]:
            raise forms.ValidationError(_("終了は開始より後にしてください。"))
        return data


class TrainingRecordForm(forms.Form):
    course = forms.ModelChoiceField(label=_("研修"), queryset=Course.objects.all())
    attendee = forms.ModelChoiceField(label=_("受講者"), queryset=User.objects.none())
    date = forms.DateField(label=_("受講日"), widget=forms.DateInput(attrs={"type": "date"}))
    version = forms.CharField(label=_("受講した版（空欄なら現在の版）"), max_length=40, required=False)
    pledge = forms.BooleanField(label=_("誓約書を提出した"), required=False)

    def __init__(self, *args, staff_queryset=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["attendee"].queryset = staff_queryset if staff_queryset is not None else User.objects.none()


class CourseForm(forms.ModelForm):
    class Meta:
        model = Course
        fields = ("name", "version", "valid_months", "required", "description")
