import pytest
from django.db import connection

from search.registry import Document, Source, register, unregister


@pytest.fixture(scope="session")
def board_table(django_db_setup, django_db_blocker):
    """The test-only BoardPost table, created once outside any transaction (SQLite's schema editor needs that)."""
    from .board import BoardPost

    with django_db_blocker.unblock(), connection.schema_editor() as editor:
        editor.create_model(BoardPost)
    yield BoardPost
    with django_db_blocker.unblock(), connection.schema_editor() as editor:
        editor.delete_model(BoardPost)


def _author_name(post):
    # What a moderation source may show: the public nickname, or 退会したユーザー; never more.
    if post.author is None or post.author.withdrawn_at is not None:
        return "退会したユーザー"
    return post.author.public_name


@pytest.fixture
def board_source(board_table, db):
    """BoardPost registered the way the moderation app will register its posts."""
    from django.contrib.auth import get_user_model

    from .board import BoardPost

    source = register(Source(
        name="test.board", type="post", label="掲示板", model=BoardPost,
        visible=lambda: BoardPost.objects.filter(status=BoardPost.Status.SHOWN).select_related("author"),
        document=lambda post: Document(title=post.title, url=f"/board/{post.pk}/",
                                       text=f"{post.body} 投稿者: {_author_name(post)}", date=post.posted_at),
        related=[(get_user_model(), lambda user: BoardPost.objects.filter(author=user))],
    ))
    yield BoardPost
    unregister(source.name)
