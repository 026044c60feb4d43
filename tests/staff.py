"""Log a staff member into the admin as they would after both factors (password and TOTP)."""

from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice


def login_staff(client, user):
    client.force_login(user)
    device = TOTPDevice.objects.devices_for_user(user, confirmed=True).first() or TOTPDevice.objects.create(
        user=user, name="テスト端末", confirmed=True
    )
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
