"""
The newsletter's part of a member's data: their subscription (at their account's address, or linked
to the account) with its consent records in the export (開示); on withdrawal the subscription, its
consent records and its delivery records are erased.
"""

from members import personal_data

from .models import Subscriber


def _subscriptions(user):
    by_address = Subscriber.objects.filter(email_hash=user.email_hash) if user.email_hash else Subscriber.objects.none()
    return (Subscriber.objects.filter(user=user) | by_address).distinct()


def export_subscriptions(user):
    return [
        {"email": s.email, "status": s.get_status_display(), "language": s.language,
         "districts": [p.title for p in s.districts.all()], "themes": [p.title for p in s.themes.all()],
         "issues": s.issues, "digest": s.digest, "created_at": s.created_at.isoformat(),
         "confirmed_at": s.confirmed_at.isoformat() if s.confirmed_at else None,
         "consents": [{"event": c.get_event_display(), "source": c.get_source_display(), "choices": c.choices,
                       "text_version": c.text_version, "at": c.created_at.isoformat()} for c in s.consents.all()]}
        for s in _subscriptions(user).prefetch_related("districts", "themes", "consents")
    ]


def erase_subscriptions(user, keep_posts):
    """Whatever the member chose for their posts: a subscription is not a public contribution."""
    Subscriber.objects.filter(pk__in=_subscriptions(user).values("pk")).delete()


personal_data.register("newsletter", export=export_subscriptions, erase=erase_subscriptions)
