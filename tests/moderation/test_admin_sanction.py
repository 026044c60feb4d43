"""The sanction form: titled with the member, beside their latest contributions and earlier sanctions."""

import datetime
import re

import pytest
from django.utils import timezone

from moderation import services
from moderation.models import Post, Sanction, Status, Submission, Thread
from tests.moderation.test_admin import messages_of
from tests.staff import login_staff

pytestmark = pytest.mark.django_db


def _posts(member, board, count):
    """``count`` posts of the member, one a day (the newest last), in states that vary."""
    states = [Status.SHOWN, Status.REFUSED, Status.HIDDEN, Status.HELD, Status.DELETED]
    start = timezone.now() - datetime.timedelta(days=count + 1)
    for n in range(count):
        thread = Thread.objects.create(board=board, title=f"話題その{n + 1}", author=member)
        Post.objects.create(thread=thread, author=member, body=f"本文{n + 1}", body_html=f"<p>本文{n + 1}</p>",
                            is_opening=True, status=states[n % len(states)],
                            created_at=start + datetime.timedelta(days=n))


def listed(html, heading_id):
    """The rows of the table after the heading ``heading_id``, as lists of cell texts."""
    section = html[html.index(f'id="{heading_id}"'):]
    section = section[:section.index("</section>")]
    rows = re.findall(r"<tr>(.*?)</tr>", section, re.S)
    return [[re.sub(r"<[^>]+>", "", cell).strip() for cell in re.findall(r"<td>(.*?)</td>", row, re.S)]
            for row in rows if "<td>" in row]


def test_the_form_is_titled_with_the_member_and_lists_their_ten_latest_posts_with_state(
        client, moderator, member, board):
    _posts(member, board, 12)
    submission = services.submit(member, Submission.Kind.LOCAL_INFO, "朝市のお知らせ", "毎月第2日曜日に開きます。")
    login_staff(client, moderator)
    html = client.get(f"/admin/moderation/members/{member.pk}/sanction/").content.decode()
    title = f"{member.nickname}さんへの処分"
    assert re.search(rf"<h1[^>]*>\s*{title}\s*</h1>", html) and f"<title>{title}" in html
    assert "会員への処分" not in html  # the generic title is gone from the heading and the breadcrumbs
    rows = listed(html, "member-contributions")
    assert len(rows) == 10
    assert [row[2] for row in rows] == ["『朝市のお知らせ』"] + [f"『話題その{n}』" for n in range(12, 3, -1)]
    assert rows[0][1] == "地域の情報" and rows[0][3] == submission.get_status_display()
    assert [row[3] for row in rows[1:5]] == ["掲載不可", "公開中", "投稿者が削除", "確認待ち"]  # 12th, 11th, ...
    assert "『話題その1』" not in html and "『話題その3』" not in html  # older than the ten


def test_earlier_sanctions_are_listed_and_a_new_one_is_said_by_name(client, moderator, member):
    services.sanction(member, moderator, Sanction.Kind.WARN, "宣伝の書き込みへの注意")
    login_staff(client, moderator)
    url = f"/admin/moderation/members/{member.pk}/sanction/"
    html = client.get(url).content.decode()
    [earlier] = listed(html, "member-sanctions")
    assert earlier[1:4] == ["注意", "—", "宣伝の書き込みへの注意"]
    assert "この会員の投稿はありません。" in html

    response = client.post(url, {"kind": "suspend", "days": "3", "reason": "注意の後も宣伝が続いたため"})
    assert messages_of(response)[0]["text"] == (f"{member.nickname}さんへの処分「投稿の一時停止」を記録し、"
                                                "会員にメールで知らせました。")
    later = listed(client.get(url).content.decode(), "member-sanctions")
    assert [row[1] for row in later] == ["投稿の一時停止", "注意"]  # newest first


def test_a_member_without_a_history_is_told_so(client, moderator, member):
    login_staff(client, moderator)
    html = client.get(f"/admin/moderation/members/{member.pk}/sanction/").content.decode()
    assert "これまでの処分はありません。" in html and "この会員の投稿はありません。" in html
