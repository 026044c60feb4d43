"""Repeated wrong passwords lock the account and the address for a while, in Japanese."""

import time
from datetime import timedelta

import pytest
from axes.models import AccessAttempt

pytestmark = pytest.mark.django_db

PASSWORD = "correct horse battery staple"
LOCKED = "一時的にログインできなくなっています"


def _login(client, email, password, ip="192.0.2.10"):
    return client.post("/admin/login/", {"username": email, "password": password}, REMOTE_ADDR=ip)


def test_five_wrong_passwords_lock_the_account_from_any_address_then_it_recovers(client, editor, settings):
    settings.AXES_COOLOFF_TIME = timedelta(seconds=1)
    for n in range(4):
        assert _login(client, editor.email, "wrong password", ip=f"192.0.2.{n + 1}").status_code == 200
    assert _login(client, editor.email, "wrong password", ip="192.0.2.5").status_code == 429, "the 5th locks"
    locked = _login(client, editor.email, PASSWORD, ip="198.51.100.7")
    assert locked.status_code == 429
    assert LOCKED in locked.content.decode()
    # The attempt records hold no e-mail address in plain text.
    assert not any(editor.email in (a.username or "") for a in AccessAttempt.objects.all())

    time.sleep(1.1)  # the cool-off has passed
    assert _login(client, editor.email, PASSWORD, ip="198.51.100.7").status_code == 302


def test_wrong_passwords_for_many_accounts_lock_the_address(client, moderator):
    for n in range(5):
        _login(client, f"nobody{n}@example.jp", "guess", ip="203.0.113.5")
    assert _login(client, moderator.email, PASSWORD, ip="203.0.113.5").status_code == 429
    assert _login(client, moderator.email, PASSWORD, ip="203.0.113.6").status_code == 302, "another address is fine"


def test_the_public_log_in_and_the_api_lock_too(client, django_user_model):
    from django.utils import timezone

    resident = django_user_model.objects.create_user(email="jumin@example.jp", password=PASSWORD,
                                                     self_registered=True, email_verified_at=timezone.now())
    for _ in range(4):
        client.post("/members/login/", {"username": resident.email, "password": "wrong"}, REMOTE_ADDR="192.0.2.50")
    page = client.post("/members/login/", {"username": resident.email, "password": "wrong"}, REMOTE_ADDR="192.0.2.50")
    assert page.status_code == 429 and LOCKED in page.content.decode()
    api = client.post("/api/v3/members/login", {"email": resident.email, "password": PASSWORD},
                      content_type="application/json", REMOTE_ADDR="192.0.2.51")
    assert api.status_code == 429 and api.json()["code"] == "locked_out"


def test_a_successful_log_in_leaves_no_e_mail_address_in_axes_tables(client, django_user_model):
    from axes.models import AccessLog
    from django.utils import timezone

    resident = django_user_model.objects.create_user(email="kiroku@example.jp", password=PASSWORD,
                                                     self_registered=True, email_verified_at=timezone.now())
    assert client.post("/members/login/", {"username": resident.email, "password": PASSWORD},
                       REMOTE_ADDR="192.0.2.60").status_code == 302
    client.post("/members/logout/", REMOTE_ADDR="192.0.2.60")
    # axes would log the account's e-mail in clear (outside the encrypted fields, into backups).
    assert not AccessLog.objects.exists()
    assert not any(resident.email in (a.username or "") for a in AccessAttempt.objects.all())
