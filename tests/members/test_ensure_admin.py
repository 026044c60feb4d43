import pytest
from django.contrib.auth import authenticate, get_user_model
from django.core.management import CommandError, call_command
from django.test import RequestFactory

pytestmark = pytest.mark.django_db


def test_the_administrator_is_created_once_and_found_whatever_the_case(tmp_path):
    password_file = tmp_path / "admin_password"
    password_file.write_text("Gen3rated-Passw0rd-Long\n")
    call_command("ensure_admin", "--email", "Admin@Example.jp", "--password-file", str(password_file))
    call_command("ensure_admin", "--email", "admin@example.jp", "--password-file", str(password_file))
    users = get_user_model().objects.by_email("admin@example.jp")
    assert users.count() == 1
    admin = users.get()
    assert admin.is_superuser and admin.groups.filter(name="Administrators").exists()
    assert authenticate(request=RequestFactory().post("/admin/login/"), username="ADMIN@example.jp", password="Gen3rated-Passw0rd-Long") == admin


def test_a_short_or_missing_password_file_is_refused(tmp_path):
    short = tmp_path / "short"
    short.write_text("abc")
    with pytest.raises(CommandError, match="短すぎます"):
        call_command("ensure_admin", "--email", "a@example.jp", "--password-file", str(short))
    with pytest.raises(CommandError, match="読めません"):
        call_command("ensure_admin", "--email", "a@example.jp", "--password-file", str(tmp_path / "nope"))
    assert not get_user_model().objects.filter(email="a@example.jp").exists()


def test_two_accounts_cannot_differ_only_in_case():
    from django.db import IntegrityError, transaction

    User = get_user_model()
    User.objects.create_user(email="taro@example.jp", password="x" * 12)
    with pytest.raises(IntegrityError), transaction.atomic():
        User.objects.create(email="TARO@example.jp")
