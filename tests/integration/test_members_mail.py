"""The verification e-mail travels through a real SMTP server, and its link completes the registration."""

import email.header
import re
from unittest import mock

import pytest
from django.contrib.auth import get_user_model
from django_recaptcha.client import RecaptchaResponse

from tests.members.test_registration import PASSWORD, resident, web_form

pytestmark = pytest.mark.django_db


def test_the_verification_mail_arrives_over_smtp_and_its_link_verifies(client, smtp_server):
    data = resident(21)
    with mock.patch("django_recaptcha.fields.client.submit", return_value=RecaptchaResponse(is_valid=True)):
        assert client.post("/members/register/", web_form(data)).status_code == 302
    received = [m for m in smtp_server.messages if m["To"] == data["email"]]
    assert len(received) == 1
    message = received[0]
    subject = str(email.header.make_header(email.header.decode_header(message["Subject"])))
    body = message.get_payload(decode=True).decode(message.get_content_charset() or "utf-8")
    assert "メールアドレスの確認" in subject and data["nickname"] in body
    path = re.search(r"https?://[^/\s]+(/members/verify/\S+/)", body).group(1)
    assert client.get(path).status_code == 200
    user = get_user_model().objects.by_email(data["email"]).get()
    assert user.email_verified_at is not None
    assert client.post("/members/login/", {"username": data["email"], "password": PASSWORD}).status_code == 302
