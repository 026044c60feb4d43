"""
The moderation app's part of a member's data: their posts and submissions, in every state, the
reports (通報) they filed and the measures (処分) taken on them, in the export (開示); on withdrawal
posts and submissions stay under 「退会したユーザー」 or go, as the member chose; and on the member's page
in the admin (staff), the latest of them with their state.
"""

from django.urls import reverse

from members import personal_data

from . import registry, selectors
from .models import Flag, Post, Sanction, Status, Submission


def export_posts(user):
    posts = Post.objects.filter(author=user).select_related("thread", "thread__board").order_by("created_at")
    return [
        {"id": p.pk, "board": p.thread.board.title, "thread": p.thread.title, "body": p.body,
         "status": p.get_status_display(), "reason": p.status_reason, "created_at": p.created_at.isoformat(),
         "images": p.images.count()}
        for p in posts
    ]


def export_submissions(user):
    return [
        {"id": s.pk, "kind": s.get_kind_display(), "title": s.title, "body": s.body, "data": s.data,
         "status": s.get_status_display(), "reason": s.status_reason, "created_at": s.created_at.isoformat()}
        for s in Submission.objects.filter(author=user).order_by("created_at")
    ]


def export_flags(user):
    """The reports (通報) the member filed: which post, why, when, and whether staff have dealt with it."""
    return [
        {"post": f.post_id, "reason": f.get_reason_display(), "comment": f.comment, "created_at": f.created_at.isoformat(),
         "resolved_at": f.resolved_at.isoformat() if f.resolved_at else None}
        for f in Flag.objects.filter(reporter=user).order_by("created_at", "pk")
    ]


def export_sanctions(user):
    """The measures staff took on the member's posting, with their reason and period."""
    return [
        {"kind": s.get_kind_display(), "reason": s.reason, "created_at": s.created_at.isoformat(),
         "until": s.until.isoformat() if s.until else None, "lifted_at": s.lifted_at.isoformat() if s.lifted_at else None}
        for s in Sanction.objects.filter(member=user).order_by("created_at", "pk")
    ]


def erase_posts(user, keep_posts):
    """Posts (with their images) go unless the member chose to leave them under 「退会したユーザー」."""
    if not keep_posts:
        Post.objects.filter(author=user).delete()


def erase_submissions(user, keep_posts):
    """Submissions go too; one that became a published page is the page's record and stays."""
    if not keep_posts:
        Submission.objects.filter(author=user).exclude(status=Status.SHOWN, created_page__isnull=False).delete()


def _activity(kind_name):
    """The member's latest contributions of one kind, as rows for the member's page in the admin."""
    def rows(user, limit):
        return [_activity_row(item) for item in selectors.member_contributions(user, limit, kinds=[kind_name])]
    return rows


def _activity_row(item):
    """Where staff open it: where it is shown (the thread, the page it became), else its text in the queue's editor."""
    kind = registry.kind_of(item)
    return {"title": selectors.item_name(item), "kind": kind.label_of(item), "state": item.get_status_display(),
            "date": item.created_at, "url": kind.url(item) or reverse("moderation:edit", args=[kind.key(item)])}


personal_data.register("posts", export=export_posts, erase=erase_posts, activity=_activity("post"))
personal_data.register("submissions", export=export_submissions, erase=erase_submissions,
                       activity=_activity("submission"))
personal_data.register("flags", export=export_flags)  # kept on withdrawal: the record of a report dealt with
personal_data.register("sanctions", export=export_sanctions)
