import pytest

from moderation import services
from moderation.models import Status

pytestmark = pytest.mark.django_db


def test_trusted_member_post_is_shown_and_new_member_post_is_held(board, member, make_member):
    settings = services.current_policy()
    settings.trusted_after_approved_posts = 1
    settings.save()
    post = services.create_thread(member, board, "公園の落ち葉拾い", "今度の日曜日に集まりませんか。")
    assert post.status == Status.HELD
    assert post.screening[0]["code"] == "new_member"
