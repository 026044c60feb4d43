"""
reCAPTCHA for every public form residents fill (registration, board posts, submissions, and the
later capabilities' forms): the field, and the page policy that lets Google's widget load.
Other apps import these from here.
"""

from urllib.error import URLError

from django.core.exceptions import ValidationError
from django_recaptcha.fields import ReCaptchaField
from django_recaptcha.widgets import ReCaptchaV2Checkbox

# The Content-Security-Policy of a page that shows the widget (every other page allows no
# third-party source).
RECAPTCHA_POLICY = (
    "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; "
    "script-src 'self' https://www.google.com/recaptcha/ https://www.gstatic.com/recaptcha/; "
    "frame-src https://www.google.com/recaptcha/ https://recaptcha.google.com/recaptcha/; "
    "object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'"
)


class CaptchaField(ReCaptchaField):
    """reCAPTCHA whose failure to reach Google is a form error, not a server error."""

    default_error_messages = {
        "captcha_invalid": "「私はロボットではありません」の確認ができませんでした。もう一度お試しください。",
        "captcha_error": "確認サービスに接続できませんでした。しばらくしてから再度お試しください。",
        "required": "「私はロボットではありません」にチェックを入れてください。",
    }

    def __init__(self, **kwargs):
        # No data-callback: the inline callback script the package renders is removed (our CSP
        # allows no inline script; see members/templates/django_recaptcha/includes/js_v2_checkbox.html).
        super().__init__(widget=ReCaptchaV2Checkbox(attrs={"data-callback": False}, api_params={"hl": "ja"}),
                         **kwargs)

    def validate(self, value):
        try:
            super().validate(value)
        except URLError as exc:  # the package only catches HTTPError (a subclass)
            raise ValidationError(self.error_messages["captcha_error"], code="captcha_error") from exc
