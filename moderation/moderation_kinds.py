"""
The moderation app's own kinds: board posts and residents' submissions, declared exactly as
another app declares its own (``moderation.registry``), so nothing in the queue, the decisions
or screening is written for these two alone.

What is particular to them is here: a post's text includes its thread's title when it opens
the thread, a decision on a post deals with its reports, a moderator's edit re-renders its HTML;
an approved shop, correction or event submission becomes a draft page in the editorial workflow
(built by ``pages.services`` from plain values) and cannot be brought back by 「再表示」.
"""

from django.urls import reverse
from django.utils import timezone

from pages import services as page_services

from .models import Post, Status, Submission
from .registry import Kind, register
from .selectors import open_flags
from .services import MAX_TITLE, clean_text, render_body

# --- board posts -------------------------------------------------------------------------------


def _post_text(post):
    return f"{post.thread.title}\n{post.body}" if post.is_opening else post.body


def _resolve_flags(post):
    """The reports so far are dealt with by the decision (later ones count again)."""
    post.flags.filter(resolved_at=None).update(resolved_at=timezone.now())


def _edit_post(post, body, title):
    post.body, post.body_html, post.edited_at = body, render_body(body), timezone.now()
    if title is not None and post.is_opening:
        post.thread.title = clean_text(title, "title", MAX_TITLE)
        post.thread.save(update_fields=["title"])


def _post_url(post):
    """The post in its thread, while anyone may see it there."""
    if post.status != Status.SHOWN:
        return ""
    return f"{reverse('board:thread', args=[post.thread_id])}#post-{post.pk}"


register(Kind(
    name="post", label="掲示板", model=Post,
    text=_post_text, district="thread__board__district", related=("thread", "thread__board__district"),
    prefetch=lambda: [open_flags(), "images"],
    on_decided=_resolve_flags, apply_edit=_edit_post, url=_post_url,
    details_template="moderation/admin/details/post.html",
))


# --- submissions ---------------------------------------------------------------------------------

def _credit(submission):
    """The nickname a page credits: only if the resident agreed, and not once they have withdrawn."""
    author = submission.author
    return author.nickname if submission.credit_nickname and author.nickname and not author.withdrawn_at else ""


def page_from_submission(submission, moderator):
    """The page (draft, in the workflow) an approved shop, correction or event submission becomes."""
    themes = list(submission.themes.all())
    if submission.kind == Submission.Kind.SHOP_CORRECTION:
        return page_services.draft_shop_correction(submission.target_page, submission.data, moderator)
    if submission.kind == Submission.Kind.NEW_SHOP:
        return page_services.draft_shop(
            submission.title, submission.body, submission.data, districts=[submission.district] if
            submission.district else [], themes=themes, user=moderator, credit=_credit(submission))
    return page_services.draft_event(submission.title, submission.body, submission.data, district=submission.district,
                                     themes=themes, user=moderator, credit=_credit(submission))


def _approve_submission(submission, moderator):
    """Local information is simply shown; the other kinds become pages (the audit entry names the page)."""
    if not submission.is_page_kind:
        return {}
    submission.created_page = page_from_submission(submission, moderator)
    return {"page_id": submission.created_page.pk}


def _submission_restore_refusal(submission):
    return "お店・イベントの投稿は「承認」でページにします。" if submission.is_page_kind else ""


def _submission_url(submission):
    """The page it became (or corrects), in the admin; local information on the site once shown."""
    page_id = submission.created_page_id or submission.target_page_id
    if page_id:
        return reverse("wagtailadmin_pages:edit", args=[page_id])
    if submission.kind == Submission.Kind.LOCAL_INFO and submission.status == Status.SHOWN:
        return reverse("board:local_info_detail", args=[submission.pk])
    return ""


register(Kind(
    name="submission", label="情報提供", model=Submission,
    subkinds=("kind", Submission.Kind.choices), district="district", related=("district", "target_page"),
    on_approve=_approve_submission, restore_refusal=_submission_restore_refusal, url=_submission_url,
    details_template="moderation/admin/details/submission.html",
))
