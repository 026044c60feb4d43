"""
A resident registers, verifies the e-mail, logs in, edits, exports and withdraws: through the
web pages and through the API. The tests run with Google's test keys, which pass every token:
nothing is shown or sent to Google then. With real keys (``real_captcha_keys``), Google's answer
is replaced (no network here).
"""

import json
import re
from unittest import mock
from urllib.error import URLError

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django_recaptcha.client import RecaptchaResponse
from faker import Faker

pytestmark = pytest.mark.django_db
User = get_user_model()
PASSWORD = "Shinjuku-2026-passphrase"


@pytest.fixture
def captcha_ok():
    with mock.patch("django_recaptcha.fields.client.submit", return_value=RecaptchaResponse(is_valid=True)) as m:
        yield m


@pytest.fixture
def real_captcha_keys(settings):
    """Keys that are not Google's test keys: the widget is shown and every token is checked with Google."""
    settings.RECAPTCHA_PUBLIC_KEY = "6Lc-site-key-for-tests"
    settings.RECAPTCHA_PRIVATE_KEY = "6Lc-secret-key-for-tests"


def resident(seed=1):
    fake = Faker("ja_JP")
    fake.seed_instance(seed)
    return {
        "email": fake.unique.email(), "nickname": f"住民{seed}{fake.user_name()}"[:20],
        "last_name": fake.last_name(), "first_name": fake.first_name(),
        "last_name_kana": fake.last_kana_name(), "first_name_kana": fake.first_kana_name(),
        "date_of_birth": "1985-04-01", "gender": "unanswered", "postal_code": "160-0022",
        "prefecture": "東京都", "municipality": "新宿区", "street": "新宿1-2-3", "building": "",
    }


def web_form(data, **extra):
    """What the browser posts: with the test keys no reCAPTCHA token at all (the widget is not shown)."""
    return {**data, "password1": PASSWORD, "password2": PASSWORD, "agree_terms": "on", "agree_privacy": "on", **extra}


def verification_link(message):
    return re.search(r"https?://\S+/members/verify/\S+/", message.body).group(0)


def test_register_verify_login_edit_export_withdraw_on_the_web(client, settings):
    data = resident(1)
    with mock.patch("django_recaptcha.fields.client.submit") as google:
        response = client.post("/members/register/", web_form(data))
    assert not google.called, "with the test keys nothing is sent to Google"
    assert response.status_code == 302 and response["Location"] == "/members/register/sent/"
    assert len(mail.outbox) == 1 and data["nickname"] in mail.outbox[0].body
    user = User.objects.by_email(data["email"]).get()
    assert {(c.document, c.version) for c in user.consents.all()} == {
        ("terms", settings.TERMS_VERSION), ("privacy", settings.PRIVACY_POLICY_VERSION)}

    # Not before the e-mail is verified.
    assert client.post("/members/login/", {"username": data["email"], "password": PASSWORD}).status_code == 200
    link = verification_link(mail.outbox[0])
    assert client.get(link.split("testserver", 1)[1]).status_code == 200
    assert client.post("/members/login/", {"username": data["email"], "password": PASSWORD}).status_code == 302

    profile = client.get("/members/me/")
    assert profile.status_code == 200 and data["last_name"] in profile.content.decode()
    edit = {**{k: v for k, v in data.items() if k != "email"}, "street": "新宿5-6-7"}
    assert client.post("/members/me/", edit).status_code == 302
    assert User.objects.get(pk=user.pk).street == "新宿5-6-7"

    export = client.get("/members/me/export/")
    exported = json.loads(export.content)
    assert export["Content-Disposition"].startswith("attachment")
    assert exported["personal_data"]["street"] == "新宿5-6-7"
    assert {c["document"] for c in exported["consents"]} == {"terms", "privacy"}

    gone = client.post("/members/me/withdraw/", {"posts": "keep", "password": PASSWORD, "confirm": "on"})
    assert gone.status_code == 302
    withdrawn = User.objects.get(pk=user.pk)
    assert withdrawn.withdrawn_at and withdrawn.last_name == "" and withdrawn.street == ""
    assert withdrawn.public_name == "退会したユーザー"
    assert not User.objects.by_email(data["email"]).exists()
    assert client.get("/members/me/").status_code == 302, "logged out"


def test_a_registered_address_gets_the_same_answer_and_a_notice_by_mail(client):
    data = resident(2)
    client.post("/members/register/", web_form(data))
    again = client.post("/members/register/", web_form({**data, "nickname": "別の名前"}))
    assert again.status_code == 302 and again["Location"] == "/members/register/sent/"
    assert User.objects.by_email(data["email"]).count() == 1
    assert "すでに登録されています" in mail.outbox[-1].body


@pytest.mark.parametrize(("field", "value", "message"), [
    ("email", "not-an-address", "メールアドレスを正しく入力してください"),
    ("last_name_kana", "Yamada", "ひらがなまたはカタカナで入力してください"),
    ("postal_code", "16000", "郵便番号は7桁の数字で入力してください"),
    ("date_of_birth", "2999-01-01", "生年月日を正しく入力してください"),
    ("nickname", "", "この項目は必須です"),
])
def test_bad_input_gets_a_japanese_error_and_stores_nothing(client, field, value, message):
    data = resident(3)
    response = client.post("/members/register/", web_form({**data, field: value}))
    assert response.status_code == 200 and message in response.content.decode()
    assert not User.objects.by_email(data["email"]).exists() and mail.outbox == []


def test_consent_and_a_strong_password_are_required(client):
    data = web_form(resident(4))
    data.pop("agree_privacy")
    data["password1"] = data["password2"] = "password123"
    html = client.post("/members/register/", data).content.decode()
    assert "プライバシーポリシーへの同意が必要です" in html
    assert "パスワード" in html and User.objects.count() == User.objects.exclude(nickname__startswith="住民").count()


def test_captcha_failure_and_an_unreachable_captcha_service_are_form_errors(client, real_captcha_keys):
    data = web_form(resident(5), **{"g-recaptcha-response": "token"})
    with mock.patch("django_recaptcha.fields.client.submit", return_value=RecaptchaResponse(is_valid=False)):
        assert "確認ができませんでした" in client.post("/members/register/", data).content.decode()
    with mock.patch("django_recaptcha.fields.client.submit", side_effect=URLError("no network")):
        response = client.post("/members/register/", data)
        assert response.status_code == 200 and "確認サービスに接続できませんでした" in response.content.decode()
    assert not User.objects.by_email(resident(5)["email"]).exists()


def test_with_real_keys_the_token_is_checked_with_google(client, real_captcha_keys, captcha_ok):
    data = resident(19)
    response = client.post("/members/register/", web_form(data, **{"g-recaptcha-response": "token"}))
    assert response.status_code == 302 and captcha_ok.call_args.kwargs["recaptcha_response"] == "token"
    assert User.objects.by_email(data["email"]).exists()


def test_a_missing_token_with_real_keys_says_the_check_did_not_load(client, real_captcha_keys):
    """Google's script never ran (blocked, offline): the form says so, at its top, with what to do."""
    with mock.patch("django_recaptcha.fields.client.submit") as google:
        response = client.post("/members/register/", web_form(resident(14)))
    html = response.content.decode()
    assert response.status_code == 200 and not google.called
    summary = html[html.index('class="error-summary"'):html.index("</ul>", html.index('class="error-summary"'))]
    assert "ロボット確認を読み込めませんでした。ネットワークを確認してページを再読み込みしてください" in summary
    assert 'href="#id_captcha"' in summary
    assert not User.objects.by_email(resident(14)["email"]).exists()


def test_an_unticked_box_with_real_keys_asks_to_tick_it(client, real_captcha_keys):
    html = client.post("/members/register/", web_form(resident(15), **{"g-recaptcha-response": ""})).content.decode()
    assert "「私はロボットではありません」にチェックを入れてください" in html


def test_the_postal_code_fills_the_address_and_keeps_passwords_and_consents(client):
    data = {**web_form(resident(6)), "prefecture": "", "municipality": "", "street": "",
            "postal_code": "１６９－００７３", "lookup_postal": "1"}
    response = client.post("/members/register/", data)
    html = response.content.decode()
    assert 'value="東京都"' in html and 'value="新宿区"' in html and 'value="百人町"' in html
    assert html.count(f'value="{PASSWORD}"') == 2, "both password fields keep what was typed"
    assert re.search(r'<input type="checkbox" name="agree_terms"[^>]* checked', html)
    assert re.search(r'<input type="checkbox" name="agree_privacy"[^>]* checked', html)
    assert "郵便番号から住所を入力しました" in html and 'class="error-summary"' not in html, "a look-up is not a submission"
    assert not User.objects.by_email(data["email"]).exists()


def test_a_page_without_passwords_typed_shows_none(client):
    html = client.post("/members/register/", {**web_form(resident(16)), "email": "bad"}).content.decode()
    assert PASSWORD not in html, "after a failed submission the passwords are not sent back"


def test_the_kana_reading_is_optional_on_the_web_and_in_the_api(client):
    data = {**resident(17), "last_name_kana": "", "first_name_kana": ""}
    assert client.post("/members/register/", web_form(data)).status_code == 302
    assert User.objects.by_email(data["email"]).get().last_name_kana == ""
    client.get("/api/v3/members/csrf")
    headers = {"X-CSRFToken": client.cookies["csrftoken"].value}
    body = {k: v for k, v in resident(18).items() if not k.endswith("_kana")}
    body.update({"password": PASSWORD, "agree_terms": True, "agree_privacy": True})
    response = client.post("/api/v3/members/register", body, content_type="application/json", headers=headers)
    assert response.status_code == 202, response.content


def test_the_terms_of_use_show_their_version_and_the_consent_links_to_them(client, settings):
    settings.TERMS_VERSION = "2027-01"
    terms = client.get("/members/terms/")
    assert terms.status_code == 200 and "利用規約" in terms.content.decode() and "2027-01" in terms.content.decode()
    register = client.get("/members/register/").content.decode()
    assert 'href="/members/terms/"' in register and 'href="/members/privacy/"' in register


def test_the_whole_flow_through_the_api(client):
    client.get("/api/v3/members/csrf")
    headers = {"X-CSRFToken": client.cookies["csrftoken"].value}
    data = resident(7)
    body = {**data, "password": PASSWORD, "agree_terms": True, "agree_privacy": True}
    response = client.post("/api/v3/members/register", body, content_type="application/json", headers=headers)
    assert response.status_code == 202
    token = verification_link(mail.outbox[-1]).rstrip("/").rsplit("/", 1)[1]

    login = {"email": data["email"], "password": PASSWORD}
    refused = client.post("/api/v3/members/login", login, content_type="application/json", headers=headers)
    assert (refused.status_code, refused.json()["code"]) == (401, "invalid_credentials")
    assert client.post("/api/v3/members/verify", {"token": token}, content_type="application/json").status_code == 200
    assert client.post("/api/v3/members/verify", {"token": token + "x"},
                       content_type="application/json").json()["code"] == "invalid_token"
    logged_in = client.post("/api/v3/members/login", login, content_type="application/json", headers=headers)
    assert logged_in.status_code == 200 and logged_in.json()["email"] == data["email"]
    headers = {"X-CSRFToken": client.cookies["csrftoken"].value}  # rotated at log-in

    me_response = client.get("/api/v3/members/me")
    assert "no-store" in me_response["Cache-Control"], "personal data is never cached"
    me = me_response.json()
    assert me["last_name"] == data["last_name"] and me["email_verified"] is True
    patched = client.patch("/api/v3/members/me", {"building": "コーポ新宿101"}, content_type="application/json",
                           headers=headers)
    assert patched.status_code == 200 and patched.json()["building"] == "コーポ新宿101"
    bad = client.patch("/api/v3/members/me", {"postal_code": "abc"}, content_type="application/json", headers=headers)
    assert (bad.status_code, bad.json()["code"]) == (422, "validation_error")
    assert User.objects.by_email(data["email"]).get().building == "コーポ新宿101", "nothing lost"
    export = client.get("/api/v3/members/me/export").json()
    assert export["personal_data"]["building"] == "コーポ新宿101"

    gone = client.delete("/api/v3/members/me", {"password": PASSWORD, "keep_posts": False},
                         content_type="application/json", headers=headers)
    assert gone.status_code == 204
    assert client.get("/api/v3/members/me").status_code == 401


def test_api_writes_need_the_csrf_token(client):
    body = {**resident(8), "password": PASSWORD, "agree_terms": True, "agree_privacy": True}
    client = client.__class__(enforce_csrf_checks=True)
    response = client.post("/api/v3/members/register", body, content_type="application/json")
    assert (response.status_code, response.json()["code"]) == (403, "csrf_failed")


def test_password_reset_mails_a_link_only_to_a_registered_address(client):
    data = resident(9)
    client.post("/members/register/", web_form(data))
    mail.outbox.clear()
    client.post("/members/password-reset/", {"email": data["email"].upper()})
    client.post("/members/password-reset/", {"email": "nobody@example.jp"})
    assert [message.to for message in mail.outbox] == [[data["email"]], ["nobody@example.jp"]]
    link, notice = mail.outbox[0].body, mail.outbox[1].body
    assert re.search(r"/members/password-reset/[^/\s]+/[^/\s]+/", link)
    # An address with no account is told so (the same work as a link: no enumeration by timing).
    assert "登録された会員はいません" in notice and not re.search(r"/members/password-reset/[^/\s]+/[^/\s]+/", notice)


def test_a_changed_email_is_used_only_once_verified(client):
    data = resident(10)
    client.post("/members/register/", web_form(data))
    client.get(verification_link(mail.outbox[-1]).split("testserver", 1)[1])
    client.post("/members/login/", {"username": data["email"], "password": PASSWORD})
    mail.outbox.clear()

    wrong = client.post("/members/me/email/", {"email": "new@example.jp", "password": "nope"})
    assert wrong.status_code == 400 and "パスワードが正しくありません" in wrong.content.decode()
    assert client.post("/members/me/email/", {"email": "new@example.jp", "password": PASSWORD}).status_code == 302
    assert mail.outbox[-1].to == ["new@example.jp"]
    user = User.objects.by_email(data["email"]).get()
    assert user.email == data["email"], "the old address stays until the new one is verified"

    assert client.get(verification_link(mail.outbox[-1]).split("testserver", 1)[1]).status_code == 200
    user.refresh_from_db()
    assert user.email == "new@example.jp" and user.pending_email == ""
    assert not User.objects.by_email(data["email"]).exists()


def test_changing_to_an_address_already_registered_reveals_nothing(client):
    first, second = resident(11), resident(12)
    for data in (first, second):
        client.post("/members/register/", web_form(data))
        client.get(verification_link(mail.outbox[-1]).split("testserver", 1)[1])
    client.post("/members/login/", {"username": second["email"], "password": PASSWORD})
    mail.outbox.clear()
    assert client.post("/members/me/email/", {"email": first["email"], "password": PASSWORD}).status_code == 302
    assert "すでに登録されています" in mail.outbox[-1].body
    assert User.objects.by_email(second["email"]).get().pending_email == ""


def test_the_api_changes_the_email_after_verification(client):
    data = resident(13)
    client.post("/members/register/", web_form(data))
    client.get(verification_link(mail.outbox[-1]).split("testserver", 1)[1])
    client.get("/api/v3/members/csrf")
    headers = {"X-CSRFToken": client.cookies["csrftoken"].value}
    client.post("/api/v3/members/login", {"email": data["email"], "password": PASSWORD},
                content_type="application/json", headers=headers)
    headers = {"X-CSRFToken": client.cookies["csrftoken"].value}
    bad = client.post("/api/v3/members/me/email", {"email": "x", "password": PASSWORD},
                      content_type="application/json", headers=headers)
    assert (bad.status_code, bad.json()["code"]) == (422, "validation_error")
    sent = client.post("/api/v3/members/me/email", {"email": "api-new@example.jp", "password": PASSWORD},
                       content_type="application/json", headers=headers)
    assert sent.status_code == 202
    token = verification_link(mail.outbox[-1]).rstrip("/").rsplit("/", 1)[1]
    assert client.post("/api/v3/members/verify", {"token": token}, content_type="application/json").status_code == 200
    assert client.get("/api/v3/members/me").json()["email"] == "api-new@example.jp"
