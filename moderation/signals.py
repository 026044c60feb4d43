"""
Receivers that keep other parts in step with contributions: the search index (only visible
posts are ever in it), a member's withdrawal and a member's data export (members app signals).
"""

from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from members.services import member_data_requested, member_withdrawn

from .models import Post, PostImage, Status, Submission
from .services import sync_search_index


@receiver(post_save, sender=Post)
def _post_saved(sender, instance, raw=False, **kwargs):
    # Wagtail's own handler adds what ``Post.get_indexed_objects`` allows; a post that stops
    # being visible must also leave the index at once.
    if not raw:
        sync_search_index(instance)


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
