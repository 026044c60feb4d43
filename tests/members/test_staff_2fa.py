"""Everyone who can enter the Wagtail admin needs a second factor (TOTP); residents do not."""

import re

import pyotp
import pytest
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

pytestmark = pytest.mark.django_db

PASSWORD = "correct horse battery staple"


def _password_login(client, user):
    response = client.post("/admin/login/", {"username": user.email, "password": PASSWORD})
    assert response.status_code == 302, "the password is accepted"


def test_an_editor_enrols_an_authenticator_before_reaching_the_admin(client, editor):
    _password_login(client, editor)
    response = client.get("/admin/pages/")
    assert response.status_code == 302 and response["Location"].startswith("/admin/2fa/setup/")

    setup = client.get(response["Location"])
    html = setup.content.decode()
    assert setup.status_code == 200 and "<svg" in html and "2段階認証の設定" in html
    secret = re.search(r"<code data-secret>([A-Z2-7]+)</code>", html).group(1)

    wrong = client.post("/admin/2fa/setup/", {"otp_token": "000000", "next": "/admin/pages/"})
    assert "確認コードが正しくありません" in wrong.content.decode() or "秒ほど待って" in wrong.content.decode()
    assert client.get("/admin/").status_code == 302, "still locked out of the admin"

    TOTPDevice.objects.filter(user=editor).update(throttling_failure_count=0, throttling_failure_timestamp=None)
    right = client.post("/admin/2fa/setup/", {"otp_token": pyotp.TOTP(secret).now(), "next": "/admin/pages/"})
    assert right.status_code == 302 and right["Location"] == "/admin/pages/"
    assert client.get("/admin/").status_code == 200
    assert TOTPDevice.objects.filter(user=editor, confirmed=True).count() == 1


def test_a_moderator_with_a_device_enters_the_code_after_the_password(client, moderator):
    device = TOTPDevice.objects.create(user=moderator, name="phone", confirmed=True)
    _password_login(client, moderator)
    response = client.get("/admin/")
    assert response["Location"].startswith("/admin/2fa/verify/")

    wrong = client.post("/admin/2fa/verify/", {"otp_token": "12345x"})
    assert "6桁の数字を入力してください" in wrong.content.decode()
    assert client.get("/admin/").status_code == 302

    code = f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits):06d}"
    right = client.post("/admin/2fa/verify/", {"otp_token": code})
    assert right.status_code == 302
    assert client.get("/admin/").status_code == 200


def test_a_password_alone_cannot_enrol_a_second_device(client, moderator):
    TOTPDevice.objects.create(user=moderator, name="phone", confirmed=True)
    _password_login(client, moderator)
    response = client.get("/admin/2fa/setup/")
    assert response["Location"].startswith("/admin/2fa/verify/")
    assert TOTPDevice.objects.filter(user=moderator).count() == 1


def test_residents_are_not_asked_for_a_second_factor(client, django_user_model):
    resident = django_user_model.objects.create_user(email="resident@example.jp", password=PASSWORD, nickname="住民")
    client.force_login(resident)
    assert client.get("/").status_code == 200
    # The admin is simply not theirs: Wagtail sends them to its log-in, not to enrolment.
    assert "/2fa/" not in client.get("/admin/")["Location"]
