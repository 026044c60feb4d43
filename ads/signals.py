"""A change to any ads row renews the eligible set (``selection``) in every process."""

from django.db import transaction
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.dispatch import receiver

from . import selection
from .models import AdsSwitch, Advertiser, Booking, Creative


def _changed(**kwargs):
    selection.invalidate()  # this process at once; the others after the commit
    transaction.on_commit(selection.invalidate)


for _model in (Advertiser, Booking, Creative, AdsSwitch):
    post_save.connect(_changed, sender=_model, dispatch_uid=f"ads.changed.save.{_model.__name__}")
    post_delete.connect(_changed, sender=_model, dispatch_uid=f"ads.changed.delete.{_model.__name__}")


@receiver(m2m_changed, sender=Booking.districts.through, dispatch_uid="ads.changed.districts")
@receiver(m2m_changed, sender=Booking.themes.through, dispatch_uid="ads.changed.themes")
def _targets_changed(**kwargs):
    _changed()
