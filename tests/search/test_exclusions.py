"""
Point 1 of the search issue: nothing held, hidden, refused, unpublished, private, or any member's
personal data is ever found. Each test makes the thing findable first (so it can fail), then
takes it out of sight the way the site does, and searches the API and the site for it.
"""

import pytest
from django.contrib.auth import get_user_model
from wagtail.models import PageViewRestriction

from members.services import withdraw_member
from pages.models import ArticlePage, EventPage
from search.models import SearchDocument

pytestmark = pytest.mark.django_db

WORD = "ぴかぴか水鉄砲大会"  # a fictional word found nowhere else


def api_hits(client, q):
    data = client.get("/api/v3/search/", {"q": q}).json()
    return [(r["type"], r["id"]) for r in data["results"]]


def site_hits(client, q):
    outcome = client.get("/search/", {"q": q}).context["outcome"]
    return [(r.type, int(r.id)) for r in outcome.results]


def _publish_with_word(page):
    page.title = f"{WORD}のお知らせ"
    page.save_revision().publish()
    return page


def test_a_draft_change_is_not_found_until_published(client):
    article = ArticlePage.objects.live().first()
    article.title = f"{WORD}の下書き"
    article.save_revision()  # a draft: the live page still has its old title
    assert ("article", article.pk) not in api_hits(client, WORD)
    article.get_latest_revision().publish()
    assert ("article", article.pk) in api_hits(client, WORD)


def test_a_never_published_page_is_not_found(client):
    live = EventPage.objects.live().first()
    draft = EventPage(title=f"{WORD}の新しいイベント", start=live.start, end=live.end, venue="会場",
                      organiser="主催", live=False)
    live.get_parent().add_child(instance=draft)
    draft.save_revision()
    assert draft.pk and ("event", draft.pk) not in api_hits(client, WORD)
    assert not SearchDocument.objects.filter(source="pages.event", object_id=str(draft.pk)).exists()


def test_an_unpublished_page_leaves_the_index(client):
    article = _publish_with_word(ArticlePage.objects.live().first())
    assert ("article", article.pk) in api_hits(client, WORD)
    article.unpublish()
    assert ("article", article.pk) not in api_hits(client, WORD)
    assert ("article", article.pk) not in site_hits(client, WORD)


def test_a_private_page_and_its_subtree_leave_the_index_and_come_back(client):
    event = _publish_with_word(EventPage.objects.live().first())
    assert ("event", event.pk) in api_hits(client, WORD)
    # Restrict the section above it: the whole subtree is private.
    restriction = PageViewRestriction.objects.create(page=event.get_parent(), restriction_type="password",
                                                     password="secret")
    assert ("event", event.pk) not in api_hits(client, WORD)
    assert ("event", event.pk) not in site_hits(client, WORD)
    restriction.delete()
    assert ("event", event.pk) in api_hits(client, WORD)


def test_a_deleted_page_leaves_the_index(client):
    article = _publish_with_word(ArticlePage.objects.live().first())
    pk = article.pk
    article.delete()
    assert ("article", pk) not in api_hits(client, WORD)
    assert not SearchDocument.objects.filter(object_id=str(pk), source="pages.article").exists()


@pytest.fixture
def board(db):
    """The 大久保 board, a trusting policy (posts shown at once) and a verified member who posts."""
    from django.utils import timezone

    from moderation.models import Board, ModerationSettings
    from moderation.services import ensure_boards

    ensure_boards()
    policy = ModerationSettings.load()
    policy.trusted_after_approved_posts = 0
    policy.save()
    return Board.objects.get(slug="district-okubo"), timezone.now()


PASSWORD = "correct horse battery staple"


def _member(n, when, **extra):
    return get_user_model().objects.create_user(
        email=f"pika{n}.member@example.jp", password=PASSWORD, email_verified_at=when, **extra)


@pytest.mark.parametrize("decision", ["hide", "refuse"])
def test_a_post_not_shown_is_never_found(client, board, moderator, decision):
    from moderation import services

    post = services.create_thread(_member(1, board[1], nickname="水遊び"), board[0], f"{WORD}について",
                                  "水鉄砲で遊びました。")
    assert ("post", post.pk) in api_hits(client, WORD)
    getattr(services, decision)(post, moderator, "確認のため")
    assert ("post", post.pk) not in api_hits(client, WORD)
    assert ("post", post.pk) not in site_hits(client, WORD)


def test_a_held_post_is_not_found_before_it_is_approved(client, board, moderator):
    from moderation import services

    policy = services.current_policy()
    policy.trusted_after_approved_posts = 1
    policy.save()
    post = services.create_thread(_member(2, board[1], nickname="新人"), board[0], f"{WORD}の相談", "本文です。")
    assert post.status == "held"
    assert ("post", post.pk) not in api_hits(client, WORD)
    services.approve(post, moderator)
    assert ("post", post.pk) in api_hits(client, WORD)


def test_a_withdrawn_members_data_is_never_found(client, board):
    from moderation import services

    member = _member(3, board[1], nickname="ぴかぴか太郎", last_name="水野", first_name="鉄砲丸")
    post = services.create_thread(member, board[0], "公園の遊具", "すべり台が新しくなりました。")
    assert ("post", post.pk) in api_hits(client, "すべり台")
    # Posts are found by their text only: never by the author's nickname, name or e-mail.
    for personal in ["ぴかぴか太郎", "鉄砲丸", "水野 鉄砲丸", "pika3.member@example.jp", "pika3.member"]:
        assert api_hits(client, personal) == [], personal
    withdraw_member(member, keep_posts=True, password=PASSWORD)
    # The post stays (under 退会したユーザー) and is found by its text; the member is not found at all.
    assert ("post", post.pk) in api_hits(client, "すべり台")
    for personal in ["ぴかぴか太郎", "鉄砲丸", "pika3.member@example.jp"]:
        assert api_hits(client, personal) == [], personal


def test_search_documents_hold_no_personal_field():
    fields = {f.name for f in SearchDocument._meta.get_fields()}
    assert not fields & {"author", "user", "email", "first_name", "last_name", "nickname", "address", "phone"}


def test_a_withdrawn_members_deleted_posts_leave_the_index(client, board):
    from moderation import services

    member = _member(4, board[1], nickname="みずでっぽう")
    post = services.create_thread(member, board[0], "ぴかぴか水鉄砲の貸し出し", "本文")
    assert ("post", post.pk) in api_hits(client, "ぴかぴか水鉄砲")
    withdraw_member(member, keep_posts=False, password=PASSWORD)
    assert ("post", post.pk) not in api_hits(client, "ぴかぴか水鉄砲")
    assert not SearchDocument.objects.filter(source="moderation.post", object_id=str(post.pk)).exists()
