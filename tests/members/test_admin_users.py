"""Administrators manage accounts in Wagtail's admin; the encrypted e-mail stays unique."""

import pytest
from django.contrib.auth import get_user_model

from tests.staff import login_staff

pytestmark = pytest.mark.django_db


def _form(email):
    return {"email": email, "first_name": "花子", "last_name": "新宿", "password1": "a long Passw0rd here",
            "password2": "a long Passw0rd here", "is_active": "on"}


def test_an_administrator_adds_a_user_and_a_second_one_with_the_same_address_is_refused(client, administrator):
    login_staff(client, administrator)
    first = client.post("/admin/users/new/", _form("hanako@example.jp"))
    assert first.status_code == 302, first.content.decode()[:500]
    created = get_user_model().objects.by_email("hanako@example.jp").get()
    assert created.last_name == "新宿"

    again = client.post("/admin/users/new/", _form("Hanako@Example.jp"))
    assert again.status_code == 200
    assert "このメールアドレスは登録できません" in again.content.decode()
    assert get_user_model().objects.by_email("hanako@example.jp").count() == 1


def test_an_editor_cannot_open_the_user_admin(client, editor):
    login_staff(client, editor)
    assert client.get("/admin/users/").status_code in (302, 403)
    assert client.get(f"/admin/users/edit/{editor.pk}/").status_code in (302, 403)


def test_wagtails_user_admin_shows_staff_only_never_residents(client, administrator, editor):
    resident = get_user_model().objects.create_user(email="kazuko@example.jp", password="x" * 12,
                                                    nickname="かずこ", last_name="大久保", first_name="和子")
    login_staff(client, administrator)
    listing = client.get("/admin/users/").content.decode()
    assert editor.email in listing, "staff accounts are listed"
    assert "kazuko@example.jp" not in listing and "大久保" not in listing
    assert client.get(f"/admin/users/edit/{resident.pk}/").status_code == 404
    assert client.get(f"/admin/users/delete/{resident.pk}/").status_code == 404
    assert client.get(f"/admin/users/edit/{editor.pk}/").status_code == 200
