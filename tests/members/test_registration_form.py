"""
The registration form as a browser and a screen reader get it: the default button, the
postal-code look-up beside its field, the error summary, ids that aria-describedby names,
autocomplete tokens, fieldsets, what is optional; and reCAPTCHA with test keys and real keys.
"""

import re
from html.parser import HTMLParser

import pytest

from members.forms import MemberDataForm, RegistrationForm

pytestmark = pytest.mark.django_db


class Elements(HTMLParser):
    """Every start tag of a page, in document order, with its attributes."""

    def __init__(self, html):
        super().__init__()
        self.tags = []
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))

    def by_id(self, element_id):
        return next((attrs for _tag, attrs in self.tags if attrs.get("id") == element_id), None)

    def in_form(self):
        """The tags of the page's main member form (the one with the CSRF token and fields)."""
        start = next(i for i, (tag, attrs) in enumerate(self.tags) if tag == "form" and "member-form" in
                     attrs.get("class", ""))
        return self.tags[start + 1:]


@pytest.fixture
def real_captcha_keys(settings):
    settings.RECAPTCHA_PUBLIC_KEY = "6Lc-site-key-for-tests"
    settings.RECAPTCHA_PRIVATE_KEY = "6Lc-secret-key-for-tests"


def page(client, data=None):
    response = client.post("/members/register/", data) if data is not None else client.get("/members/register/")
    return response.content.decode(), Elements(response.content.decode())


def test_the_default_button_registers_and_the_look_up_sits_after_the_postal_code(client):
    _html, elements = page(client)
    form = elements.in_form()
    buttons = [attrs for tag, attrs in form if tag == "button"]
    assert buttons[0].get("type") == "submit" and "name" not in buttons[0], \
        "the first submit button (Enter's) submits the registration"
    assert buttons[0].get("tabindex") == "-1" and buttons[0].get("aria-hidden") == "true"
    look_up = next(i for i, (tag, attrs) in enumerate(form) if attrs.get("name") == "lookup_postal")
    postal = next(i for i, (tag, attrs) in enumerate(form) if attrs.get("name") == "postal_code")
    prefecture = next(i for i, (tag, attrs) in enumerate(form) if attrs.get("name") == "prefecture")
    assert postal < look_up < prefecture, "the look-up button is right after the postal code"
    assert "formnovalidate" in form[look_up][1]
    assert [attrs for tag, attrs in form if tag == "button"][-1].get("name") is None


def test_autocomplete_tokens_let_browsers_fill_the_form(client):
    _html, elements = page(client)
    expected = {"email": "email", "password1": "new-password", "password2": "new-password", "nickname": "nickname",
                "last_name": "family-name", "first_name": "given-name", "date_of_birth": "bday",
                "postal_code": "postal-code", "prefecture": "address-level1", "municipality": "address-level2",
                "street": "address-line1", "building": "address-line2"}
    for name, token in expected.items():
        assert elements.by_id(f"id_{name}").get("autocomplete") == token, name
    assert "autocomplete" not in elements.by_id("id_gender_0"), "gender has no autocomplete token"


def test_groups_are_fieldsets_and_the_kana_reading_is_optional(client):
    html, elements = page(client)
    legends = re.findall(r"<legend[^>]*>(.*?)</legend>", html, re.S)
    texts = [re.sub(r"<[^>]+>", "", legend) for legend in legends]
    for legend in ("ログインに使う情報", "お名前など", "住所", "利用規約とプライバシーポリシー"):
        assert legend in texts
    assert any(text.startswith("性別") for text in texts), "the gender radios are a group with a legend"
    assert elements.by_id("id_gender_0")["type"] == "radio"
    assert "required" not in elements.by_id("id_last_name_kana") and "required" in elements.by_id("id_last_name")
    kana_label = re.search(r'<label[^>]*for="id_last_name_kana"[^>]*>(.*?)</label>', html, re.S).group(1)
    assert "任意" in kana_label
    assert not RegistrationForm(captcha=False).fields["first_name_kana"].required
    assert not MemberDataForm().fields["last_name_kana"].required


def test_an_empty_submission_gets_a_summary_linking_to_each_field(client):
    html, elements = page(client, {"email": ""})  # what a browser posts: every field, empty
    summary = re.search(r'<div class="error-summary" role="alert"[^>]*>(.*?)</div>', html, re.S).group(1)
    heading = re.search(r"<h2[^>]*>", summary).group(0)
    assert 'tabindex="-1"' in heading and "autofocus" in heading, "its heading takes the focus"
    targets = re.findall(r'href="#(id_[a-z0-9_]+)"', summary)
    assert {"id_email", "id_password1", "id_nickname", "id_gender", "id_postal_code", "id_agree_terms",
            "id_agree_privacy"} <= set(targets)
    assert "id_last_name_kana" not in targets and "id_building" not in targets
    for target in targets:
        assert elements.by_id(target) is not None, f"#{target} exists"
    assert targets.index("id_email") < targets.index("id_password1") < targets.index("id_nickname"), \
        "listed in the order the fields are shown"


def test_error_and_help_texts_are_named_by_aria_describedby(client):
    html, elements = page(client, {"email": "not-an-address"})
    email = elements.by_id("id_email")
    assert email["aria-describedby"] == "id_email_error" and email["aria-invalid"] == "true"
    assert elements.by_id("id_email_error") is not None
    assert "メールアドレスを正しく入力してください" in html
    password = elements.by_id("id_password1")
    assert password["aria-describedby"].split() == ["id_password1_helptext", "id_password1_error"]
    assert elements.by_id("id_password1_helptext") and elements.by_id("id_password1_error")
    gender_group = next(attrs for tag, attrs in elements.tags if tag == "fieldset" and
                        "id_gender_error" in attrs.get("aria-describedby", ""))
    assert gender_group, "a radio group's error is named by its fieldset"


def test_the_consents_link_to_the_terms_and_the_privacy_policy(client, settings):
    html, _elements = page(client)
    consents = html[html.index("利用規約とプライバシーポリシー</legend>"):html.index('id="id_agree_privacy"')]
    assert 'href="/members/terms/"' in consents and 'href="/members/privacy/"' in consents


def test_with_test_keys_nothing_of_google_is_on_the_page(client, settings):
    html, _elements = page(client)
    assert "google.com" not in html and "g-recaptcha" not in html and "captcha-unavailable" not in html
    assert "google" not in client.get("/members/register/").headers["Content-Security-Policy"]
    assert "開発用の設定のため、ロボット確認は省略されます" not in html, "the note is for DEBUG only"
    settings.DEBUG = True
    assert "開発用の設定のため、ロボット確認は省略されます" in page(client)[0]


def test_with_real_keys_the_widget_and_what_to_do_without_it_are_on_the_page(client, real_captcha_keys):
    response = client.get("/members/register/")
    html = response.content.decode()
    assert re.search(r'<script src="https://www\.google\.com/recaptcha/api\.js\?hl=ja"></script>', html)
    assert re.search(r'<div[^>]* class="g-recaptcha"[^>]*></div>', html), "an empty box for Google to fill"
    assert "<script>" not in html, "no inline script (the CSP allows none)"
    assert "https://www.google.com/recaptcha/" in response.headers["Content-Security-Policy"]
    top = html[html.index('class="member-form"'):html.index('id="id_email"')]
    assert "<noscript>" in top and "JavaScript" in top, "without JavaScript the top of the form says what to do"
    assert "ロボット確認を読み込めませんでした。ネットワークを確認してページを再読み込みしてください" in top
    assert 'class="notice notice--error captcha-unavailable"' in top


def test_board_and_submission_forms_get_the_same_captcha_behaviour(client, django_user_model, real_captcha_keys):
    from django.utils import timezone

    member = django_user_model.objects.create_user(email="captcha-board@example.jp", password="x" * 12,
                                                   nickname="ボード確認", email_verified_at=timezone.now())
    client.force_login(member)
    html = client.get("/submissions/new/local_info/").content.decode()
    assert 'class="g-recaptcha"' in html and "captcha-unavailable" in html
    response = client.post("/submissions/new/local_info/", {"title": "t", "body": "b"})
    assert "ロボット確認を読み込めませんでした" in response.content.decode()
