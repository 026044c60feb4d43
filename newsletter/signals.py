"""
A subscription made before its owner registered (or verified their address) is linked to the
account once the account's address is verified, so the member's export and withdrawal include it.
Only a verified address links: an unverified registration with someone else's address gets nothing.
"""

from .models import Subscriber


def link_member(sender, instance, **kwargs):
    if instance.email_verified_at is None or not instance.email_hash or instance.withdrawn_at is not None:
        return
    Subscriber.objects.filter(email_hash=instance.email_hash, user__isnull=True).update(user=instance)
