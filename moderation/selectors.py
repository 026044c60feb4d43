"""
Reads of the moderation app: what a visitor, an author or a moderator may see, and the policy.

Visible = shown (and, for a post, in a shown thread on an active board). An author also sees
their own contributions in every state, with the reason; moderators see everything.
"""

from django.db.models import Count, Exists, OuterRef, Prefetch, Q
from django.utils import timezone

from .models import Board, Flag, ModerationSettings, Post, Status, Submission, Thread


def current_policy():
    return ModerationSettings.load()


def is_trusted(member, policy=None):
    """A member whose posts are shown without review: enough of their contributions were approved."""
    policy = policy or current_policy()
    if policy.trusted_after_approved_posts == 0:
        return True
    approved = Post.objects.filter(author=member, status=Status.SHOWN).count()
    if approved < policy.trusted_after_approved_posts:
        approved += Submission.objects.filter(author=member, status=Status.SHOWN).count()
    return approved >= policy.trusted_after_approved_posts


def visible_boards():
    return Board.objects.filter(active=True).select_related("district", "theme")


def visible_threads(board=None):
    """Threads whose opening post is shown, newest activity first, with their count of shown posts."""
    opening_shown = Post.objects.filter(thread=OuterRef("pk"), is_opening=True, status=Status.SHOWN)
    threads = Thread.objects.filter(Exists(opening_shown), board__active=True)
    if board is not None:
        threads = threads.filter(board=board)
    return threads.annotate(
        shown_posts=Count("posts", filter=Q(posts__status=Status.SHOWN)),
    ).select_related("board")


def thread_posts(thread, viewer=None):
    """
    The posts of a thread a viewer may read: shown ones, plus the viewer's own in any state but
    deleted (marked as such on the page).
    """
    condition = Q(status=Status.SHOWN)
    if viewer is not None and viewer.is_authenticated:
        condition |= Q(author=viewer) & ~Q(status=Status.DELETED)
    return (thread.posts.filter(condition).select_related("author").prefetch_related("images")
            .order_by("created_at", "pk"))


def visible_posts_for(district=None):
    posts = Post.objects.filter(status=Status.SHOWN, thread__board__active=True).filter(
        Exists(Post.objects.filter(thread=OuterRef("thread"), is_opening=True, status=Status.SHOWN)))
    if district is not None:
        posts = posts.filter(thread__board__district__translation_key=district.translation_key)
    return posts.select_related("thread", "thread__board", "author").order_by("-created_at", "-pk")


def visible_local_info(district=None):
    info = Submission.objects.filter(kind=Submission.Kind.LOCAL_INFO, status=Status.SHOWN)
    if district is not None:
        info = info.filter(district__translation_key=district.translation_key)
    return info.select_related("author", "district").order_by("-created_at", "-pk")


def can_edit(post, user, policy=None):
    """The author may edit a post (not deleted, not refused) within the edit window."""
    policy = policy or current_policy()
    if not user.is_authenticated or post.author_id != user.pk or post.status in (Status.DELETED, Status.REFUSED):
        return False
    return timezone.now() - post.created_at <= timezone.timedelta(minutes=policy.edit_window_minutes)


def open_flags():
    """The flags not yet dealt with, loaded with their posts as ``post.open_flags``."""
    return Prefetch("flags", queryset=Flag.objects.filter(resolved_at=None), to_attr="open_flags")


def queue(kind=None, district=None, older_than_hours=None):
    """
    The moderation queue: held or flagged posts and submissions, oldest first, as
    ``(kind, item)`` pairs. ``kind`` is ``post`` or a submission kind.
    """
    items = []
    if kind in (None, "", "post"):
        posts = Post.objects.filter(Q(status=Status.HELD) | Q(status=Status.SHOWN, flag_count__gt=0))
        if district:
            posts = posts.filter(thread__board__district=district)
        items += list(posts.select_related("thread", "thread__board__district", "author")
                      .prefetch_related(open_flags(), "images"))
    if kind in (None, "") or kind in Submission.Kind.values:
        submissions = Submission.objects.filter(status=Status.HELD)
        if kind:
            submissions = submissions.filter(kind=kind)
        if district:
            submissions = submissions.filter(district=district)
        items += list(submissions.select_related("district", "author", "target_page"))
    if older_than_hours:
        cutoff = timezone.now() - timezone.timedelta(hours=older_than_hours)
        items = [item for item in items if (item.queued_at or item.created_at) <= cutoff]
    return sorted(items, key=lambda item: (item.queued_at or item.created_at, item.pk))


def queue_size():
    """How many contributions wait for a moderator (two count queries: the admin menu shows it)."""
    posts = Post.objects.filter(Q(status=Status.HELD) | Q(status=Status.SHOWN, flag_count__gt=0)).count()
    return posts + Submission.objects.filter(status=Status.HELD).count()


def queue_counts():
    """Counts and oldest waiting time per kind, for the daily digest and the dashboard."""
    summary = {}
    for item in queue():
        label = item.kind_label
        waited = timezone.now() - (item.queued_at or item.created_at)
        count, oldest = summary.get(label, (0, timezone.timedelta(0)))
        summary[label] = (count + 1, max(oldest, waited))
    return summary

