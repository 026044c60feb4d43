"""
reCAPTCHA for every public form residents fill (registration, board posts, submissions, and the
later capabilities' forms): the field, and the page policy that lets Google's widget load.
Other apps import these from here.

With Google's test keys (DEBUG and the tests use them) Google passes every token, so asking it
proves nothing: the widget is not rendered, no script is loaded and nothing is verified remotely.
The forms then work on a machine with no network (`make run`), and in DEBUG the form says so.
With real keys, a form whose widget never loaded (no JavaScript, Google unreachable) says so at
its top (``members/_form.html``), and a submission without a token gets the same explanation.
"""

from urllib.error import URLError

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from django_recaptcha.constants import TEST_PRIVATE_KEY, TEST_PUBLIC_KEY
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

# The widget's language follows the page's (Google's language codes).
WIDGET_LANGUAGES = {"ja": "ja", "en": "en", "zh-hans": "zh-CN", "ko": "ko"}
UNAVAILABLE_MESSAGE = _("ロボット確認を読み込めませんでした。ネットワークを確認してページを再読み込みしてください。")


def uses_test_keys():
    """Google's test keys (refused in production by django_recaptcha's system check)."""
    return settings.RECAPTCHA_PRIVATE_KEY == TEST_PRIVATE_KEY or settings.RECAPTCHA_PUBLIC_KEY == TEST_PUBLIC_KEY


def page_policy():
    """The Content-Security-Policy a page with the widget needs; None (the site's own) when it is not shown."""
    return None if uses_test_keys() else RECAPTCHA_POLICY


class CaptchaWidget(ReCaptchaV2Checkbox):
    """
    Google's checkbox with our template: no inline script (our CSP allows none), an empty box
    that the page's CSS recognises when Google's script did not fill it, and nothing at all
    with the test keys (a note in DEBUG).
    """

    template_name = "members/captcha_widget.html"

    def get_context(self, name, value, attrs):
        self.api_params = {"hl": WIDGET_LANGUAGES.get(get_language(), "ja")}
        context = super().get_context(name, value, attrs)
        context.update({"offline": uses_test_keys(), "debug": settings.DEBUG})
        return context


class CaptchaField(ReCaptchaField):
    """reCAPTCHA whose every failure (not ticked, not loaded, Google unreachable) is a form error."""

    default_error_messages = {
        "captcha_invalid": _("「私はロボットではありません」の確認ができませんでした。もう一度お試しください。"),
        "captcha_error": _("確認サービスに接続できませんでした。しばらくしてから再度お試しください。"),
        "required": _("「私はロボットではありません」にチェックを入れてください。"),
        "unavailable": UNAVAILABLE_MESSAGE,
    }

    def __init__(self, **kwargs):
        # No data-callback: the inline callback script the package renders is removed (our CSP
        # allows no inline script; see members/templates/members/captcha_widget.html).
        super().__init__(widget=CaptchaWidget(attrs={"data-callback": False}), **kwargs)

    @property
    def online(self):
        """Whether the widget is shown and checked with Google (real keys)."""
        return not uses_test_keys()

    def clean(self, value):
        if not self.online:
            return ""  # the test keys pass every token: nothing to show, nothing to ask Google
        if value is None:
            # The widget's field was not posted at all: Google's script never ran in the page.
            raise ValidationError(self.error_messages["unavailable"], code="unavailable")
        return super().clean(value)

    def validate(self, value):
        try:
            super().validate(value)
        except URLError as exc:  # the package only catches HTTPError (a subclass)
            raise ValidationError(self.error_messages["captcha_error"], code="captcha_error") from exc
