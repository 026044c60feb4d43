"""
Receivers that keep other parts in step with contributions: image files, a member's withdrawal
and a member's data export (members app signals). The search index follows through
``search_sources.py``.
"""

from django.db.models.signals import post_delete
from django.dispatch import receiver

from members.services import member_data_requested, member_withdrawn

from .models import Post, PostImage, Status, Submission


@receiver(post_delete, sender=PostImage)
def _image_deleted(sender, instance, **kwargs):
    instance.file.delete(save=False)  # the file goes with its row (withdrawal, retention purge)


@receiver(member_withdrawn)
def _member_withdrawn(sender, user, keep_posts, **kwargs):
    """Posts stay under 「退会したユーザー」 (keep_posts) or go, with their images and the member's submissions."""
    if keep_posts:
        return
    Post.objects.filter(author=user).delete()
    Submission.objects.filter(author=user).exclude(status=Status.SHOWN, created_page__isnull=False).delete()


@receiver(member_data_requested)
def _member_data(sender, user, **kwargs):
    """The member's posts and submissions for their data export (開示), in every state."""
    posts = Post.objects.filter(author=user).select_related("thread", "thread__board").order_by("created_at")
    submissions = Submission.objects.filter(author=user).order_by("created_at")
    return {
        "posts": [
            {"id": p.pk, "board": p.thread.board.title, "thread": p.thread.title, "body": p.body,
             "status": p.get_status_display(), "reason": p.status_reason, "created_at": p.created_at.isoformat(),
             "images": p.images.count()}
            for p in posts
        ],
        "submissions": [
            {"id": s.pk, "kind": s.get_kind_display(), "title": s.title, "body": s.body, "data": s.data,
             "status": s.get_status_display(), "reason": s.status_reason, "created_at": s.created_at.isoformat()}
            for s in submissions
        ],
    }
