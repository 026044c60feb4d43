"""
Free-text answers as a moderated kind: a member's free-text answers to one survey (``Comment``) go
through the one screening pipeline and, where held, the moderation queue. Only a shown comment
can appear, and only on the public results page of a survey that publishes them.
"""

from django.urls import reverse

from moderation.registry import Kind, register

from .models import Comment


def _title(comment):
    return comment.page.title


def _url(comment):
    if comment.status != "shown" or not comment.page.publish_comments:
        return ""
    return comment.page.url + "results/" if comment.page.url else ""


def _admin_url(comment):
    return reverse("surveys_admin:results", args=[comment.page_id])


register(Kind(
    name="survey_comment", label="アンケートの自由記述", model=Comment,
    title=_title, related=("page",), url=lambda comment: _url(comment) or _admin_url(comment),
    counts_towards_trust=False,
))
