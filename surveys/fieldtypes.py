"""
The question types editors build surveys and calls from, and the Django form fields they become.

Wagtail's form builder (``wagtail.contrib.forms``) knows e-mail, URL, dropdowns and so on; a
survey needs other things (a 1–5 scale, multiple choice with a maximum, a length limit per text
question), so the types are ours and the builder has one ``create_<type>_field`` per type. The
same form class validates the public form, the API's ``answers`` and the editor's preview.
"""

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from wagtail.contrib.forms.forms import FormBuilder

SHORT, LONG, SINGLE, MULTIPLE, SCALE, NUMBER, DATE = "short", "long", "single", "multiple", "scale", "number", "date"

FIELD_TYPES = [
    (SHORT, _("短い文章")),
    (LONG, _("長い文章")),
    (SINGLE, _("選択（ひとつ）")),
    (MULTIPLE, _("選択（複数）")),
    (SCALE, _("5段階評価")),
    (NUMBER, _("数値")),
    (DATE, _("日付")),
]
FREE_TEXT = (SHORT, LONG)
CHOICE_TYPES = (SINGLE, MULTIPLE)
DEFAULT_MAX_LENGTH = {SHORT: 200, LONG: 2000}
SCALE_CHOICES = [(str(n), str(n)) for n in range(1, 6)]


def split_choices(text):
    """The editor's choices: one per line (or separated by commas when on one line), blanks dropped."""
    lines = [line.strip() for line in (text or "").strip().splitlines()]
    if len(lines) <= 1:
        lines = [part.strip() for part in (text or "").split(",")]
    return [line for line in lines if line]


def max_length_of(field):
    return field.max_length or DEFAULT_MAX_LENGTH.get(field.field_type)


class MaxChoicesField(forms.MultipleChoiceField):
    widget = forms.CheckboxSelectMultiple

    def __init__(self, *, max_choices=None, **kwargs):
        super().__init__(**kwargs)
        self.max_choices = max_choices

    def validate(self, value):
        super().validate(value)
        if self.max_choices and len(value) > self.max_choices:
            raise ValidationError(_("選べるのは%(count)d個までです。"), code="max_choices",
                                  params={"count": self.max_choices})


class SurveyFormBuilder(FormBuilder):
    """Wagtail's builder with our question types."""

    def create_short_field(self, field, options):
        return forms.CharField(max_length=max_length_of(field), **options)

    def create_long_field(self, field, options):
        return forms.CharField(max_length=max_length_of(field), widget=forms.Textarea(attrs={"rows": 5}), **options)

    def create_single_field(self, field, options):
        return forms.ChoiceField(choices=[(c, c) for c in split_choices(field.choices)], widget=forms.RadioSelect,
                                 **options)

    def create_multiple_field(self, field, options):
        options["initial"] = []
        return MaxChoicesField(choices=[(c, c) for c in split_choices(field.choices)],
                               max_choices=field.max_choices, **options)

    def create_scale_field(self, field, options):
        return forms.TypedChoiceField(choices=SCALE_CHOICES, coerce=int, widget=forms.RadioSelect, **options)

    def create_number_field(self, field, options):
        return forms.DecimalField(max_digits=12, decimal_places=2, **options)

    def create_date_field(self, field, options):
        return forms.DateField(widget=forms.DateInput(attrs={"type": "date"}), **options)

    def get_field_options(self, field):
        options = super().get_field_options(field)
        options["initial"] = None
        return options


def stored(value):
    """A cleaned answer as JSON keeps it (numbers as numbers, dates as ISO text)."""
    if hasattr(value, "isoformat"):
        return value.isoformat()
    if value.__class__.__name__ == "Decimal":
        return int(value) if value == value.to_integral_value() else float(value)
    return value
