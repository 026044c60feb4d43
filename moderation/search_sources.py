"""
What the moderation app lets residents find (see ``search.registry``): visible board posts and
the local information residents sent in. Held, hidden, refused and deleted contributions are not
in ``visible()``, so they are never in the index and leave it the moment they stop being visible.
Documents carry no author at all (not even the nickname).
"""

import html

from django.urls import reverse
from django.utils.html import strip_tags
from django.utils.translation import gettext_lazy as _

from search.registry import Document, Source, register

from .models import Board, Post, Submission, Thread
from .selectors import visible_local_info, visible_posts_for


def post_document(post):
    board = post.thread.board
    return Document(
        title=post.thread.title, url=f"{reverse('board:thread', args=[post.thread_id])}#post-{post.pk}",
        text=html.unescape(strip_tags(post.body_html)), date=post.created_at,
        districts=[board.district.slug] if board.district_id else [],
        themes=[board.theme.slug] if board.theme_id else [], keywords=board.title,
    )


def local_info_document(item):
    return Document(
        title=item.title, url=reverse("board:local_info_detail", args=[item.pk]), text=item.body,
        date=item.created_at, districts=[item.district.slug] if item.district_id else [],
        themes=[theme.slug for theme in item.themes.all()],
    )


def _thread_posts(thread):
    return thread.posts.values_list("pk", flat=True)


def _when_opening_status_changed(post):
    """An opening post's status decides its whole thread; only a change of it re-checks the replies."""
    if post.is_opening and getattr(post, "loaded_status", None) != post.status:
        return _thread_posts(post.thread)
    return []


register(Source(
    name="moderation.post", type="post", label=_("掲示板"), model=Post,
    visible=lambda: visible_posts_for().select_related("thread__board__district", "thread__board__theme"),
    document=post_document,
    related=[
        # An opening post held, hidden or deleted hides its whole thread; a renamed thread or a
        # closed board changes every post in it. (Documents have no author: a member's changes,
        # log-ins included, touch nothing here; deleted posts leave through their own deletion.)
        (Post, _when_opening_status_changed),
        (Thread, _thread_posts),
        (Board, lambda board: Post.objects.filter(thread__board=board).values_list("pk", flat=True)),
    ],
))

register(Source(
    name="moderation.local_info", type="local_info", label=_("住民からの情報"), model=Submission,
    visible=visible_local_info, document=local_info_document,
    prefetch=lambda queryset: queryset.prefetch_related("themes"),
))
