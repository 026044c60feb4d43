"""
A test-only stand-in for the moderation app's board posts (not built yet): just what the search
registry needs to prove its exclusions. Its table is created by tests/search/conftest.py.
"""

from django.conf import settings
from django.db import models


class BoardPost(models.Model):
    class Status(models.TextChoices):
        SHOWN = "shown", "表示"
        HELD = "held", "保留"
        HIDDEN = "hidden", "非表示"
        REFUSED = "refused", "却下"

    author = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    title = models.CharField(max_length=200)
    body = models.TextField()
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.HELD)
    posted_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        app_label = "portal_search"
        db_table = "test_search_boardpost"
