"""
Moderation on the real parts: PostgreSQL, the search engine (only visible posts are ever in its
index, found by a Japanese word inside the text, through the cross-source search) and mail over SMTP (refusals and the digest).
"""

import email.header

import pytest
from django.utils import timezone

from members.models import User
from moderation import services, tasks
from moderation.models import Board, Post, Status

pytestmark = pytest.mark.django_db


def _member(n, **extra):
    return User.objects.create_user(email=f"board{n}@example.jp", password="correct horse battery staple",
                                    nickname=f"住民{n}", email_verified_at=timezone.now(), **extra)


def _found(word):
    from search.engine import get_engine
    from search.query import Filters, search

    get_engine().refresh()
    outcome = search(word, Filters(types=("post",)))
    assert outcome.backend == "engine" and not outcome.fallback
    return [int(result.url.rsplit("#post-", 1)[1]) for result in outcome.results]


def _subject(message):
    return str(email.header.make_header(email.header.decode_header(message["Subject"])))


def test_only_visible_posts_are_in_the_search_engine(moderator, django_capture_on_commit_callbacks):
    services.ensure_boards()
    board = Board.objects.get(slug="district-okubo")
    policy = services.current_policy()
    policy.trusted_after_approved_posts = 1
    policy.save()
    with django_capture_on_commit_callbacks(execute=True):
        held = services.create_thread(_member(1), board, "落ち葉の季節", "公園の銀杏並木で落ち葉拾いをします。")
    assert held.status == Status.HELD
    assert _found("銀杏") == []
    with django_capture_on_commit_callbacks(execute=True):
        services.approve(held, moderator)
    assert _found("銀杏") == [held.pk]
    with django_capture_on_commit_callbacks(execute=True):
        services.hide(held, moderator, "確認のため一時的に非表示")
    assert _found("銀杏") == []
    with django_capture_on_commit_callbacks(execute=True):
        refused = services.create_thread(_member(2), board, "銀杏の実", "銀杏の実を拾いました。電話 090-1234-5678")
        services.refuse(refused, moderator, "電話番号が含まれています")
    assert _found("銀杏") == []
    assert Post.objects.filter(pk=refused.pk, status=Status.REFUSED).exists()  # kept for the record


def test_refusal_and_digest_arrive_over_smtp(moderator, smtp_server):
    services.ensure_boards()
    board = Board.objects.get(slug="theme-kosodate")
    author = _member(3)
    post = services.create_thread(author, board, "子ども服のおさがり", "サイズ90の服を譲ります。")
    assert post.status == Status.HELD  # the default policy: a new member's first posts are reviewed
    tasks.send_digest()
    digests = [m for m in smtp_server.messages if m["To"] == moderator.email]
    assert len(digests) == 1 and "確認待ちの投稿が1件" in _subject(digests[0])
    services.refuse(post, moderator, "譲渡は「譲ります掲示板」でお願いします")
    refusals = [m for m in smtp_server.messages if m["To"] == author.email]
    assert len(refusals) == 1
    body = refusals[0].get_payload(decode=True).decode(refusals[0].get_content_charset() or "utf-8")
    assert "掲載できませんでした" in _subject(refusals[0]) and "譲ります掲示板" in body
