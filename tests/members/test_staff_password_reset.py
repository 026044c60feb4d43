import pytest
from django.core import mail

pytestmark = pytest.mark.django_db


def test_staff_reset_their_password_from_the_admin_by_email(client, editor):
    response = client.post("/admin/password_reset/", {"email": editor.email.upper()})
    assert response.status_code == 302
    assert len(mail.outbox) == 1 and mail.outbox[0].to == [editor.email]
    client.post("/admin/password_reset/", {"email": "nobody@example.jp"})
    assert len(mail.outbox) == 1
