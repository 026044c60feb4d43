"""Helpers of C1's tests (requests, disclosure, stop of use): residents, boards, posts. Dummy data only."""

import itertools

from django.contrib.auth import get_user_model
from django.utils import timezone
from faker import Faker

fake = Faker("ja_JP")
_numbers = itertools.count(1)


def resident(**extra):
    n = next(_numbers)
    return get_user_model().objects.create_user(
        email=f"c1-resident{n}@example.jp", password="correct horse battery staple",
        nickname=extra.pop("nickname", f"住民{n}"), last_name=fake.last_name(), first_name=fake.first_name(),
        email_verified_at=timezone.now(), self_registered=True, **extra)


def shown_thread(board, author, title="防犯パトロールの話題", body="参加者を募集しています。"):
    from moderation.models import Post, Status, Thread

    thread = Thread.objects.create(board=board, title=title, author=author)
    post = Post.objects.create(thread=thread, author=author, body=body, body_html=f"<p>{body}</p>",
                               is_opening=True, status=Status.SHOWN)
    return thread, post


def board():
    from moderation.models import Board, Thread
    from moderation.services import ensure_boards

    ensure_boards()
    Thread.objects.all().delete()
    return Board.objects.get(slug="district-okubo")
