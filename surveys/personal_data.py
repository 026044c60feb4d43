"""
The surveys app's part of a member's data: their survey answers and their applications in the
export (開示); on withdrawal the applications are erased, and the answers either erased with the
member's other contributions or kept without the member (``keep_posts``: counted, no longer theirs).
"""

import json

from django.urls import reverse

from members import personal_data

from .models import Application, Comment, Response


def export_surveys(user):
    return {
        "answers": [{"survey": r.page.title, "answers": r.answers, "at": r.created_at.isoformat()}
                    for r in Response.objects.filter(member=user).select_related("page")],
        "applications": [{"call": a.page.title, "state": a.get_state_display(), "phone": a.phone,
                          "answers": json.loads(a.answers or "{}"), "at": a.created_at.isoformat()}
                         for a in Application.objects.filter(member=user).select_related("page")],
    }


def erase_surveys(user, keep_posts):
    Application.objects.filter(member=user).delete()
    if keep_posts:  # published comments stay under 「退会したユーザー」; the answers are counted, no longer theirs
        Response.objects.filter(member=user).update(member=None)
    else:
        Comment.objects.filter(author=user).delete()
        Response.objects.filter(member=user).delete()


def activity(user, limit):
    return [{"title": a.page.title, "kind": "応募", "state": a.get_state_display(), "date": a.created_at,
             "url": reverse("surveys_admin:applicants", args=[a.page_id])}
            for a in Application.objects.filter(member=user).select_related("page").order_by("-created_at")[:limit]]


personal_data.register("surveys", export=export_surveys, erase=erase_surveys, activity=activity)
