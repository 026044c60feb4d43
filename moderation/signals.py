"""
Receivers that keep other parts in step with contributions: image files. A member's export and
withdrawal are declared in ``personal_data.py``; the search index follows ``search_sources.py``.
"""

from django.db.models.signals import post_delete
from django.dispatch import receiver

from .models import PostImage


@receiver(post_delete, sender=PostImage)
def _image_deleted(sender, instance, **kwargs):
    instance.file.delete(save=False)  # the file goes with its row (withdrawal, retention purge)
