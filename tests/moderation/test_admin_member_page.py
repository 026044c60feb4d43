"""
What the member admin shows of moderation, declared by moderation (members imports nothing of it):
a member's posts and submissions on their page, and the queue's decisions read in words in the
audit log.
"""

import datetime
import re

import pytest
from django.utils import timezone

from moderation import services
from moderation.models import Post, Sanction, Status, Submission
from tests.members.test_staff_access import table_rows
from tests.staff import login_staff

pytestmark = pytest.mark.django_db
QUEUE = "/admin/moderation/queue/"


def rows_of(html, start, end):
    part = html[html.index(start):html.index(end)]
    return [[re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", cell)).strip() for cell in re.findall(r"<td>(.*?)</td>", row, re.S)]
            for row in re.findall(r"<tr>(.*?)</tr>", part, re.S) if "<td>" in row]


def test_the_members_page_lists_their_posts_and_submissions_with_state_and_link(
        client, administrator, moderator, member, board, policy):
    thread = services.create_thread(member, board, "防災訓練の日程", "今年はいつですか。")
    reply = services.reply(member, thread.thread, "去年は十月でした。")
    services.hide(reply, moderator, "確認のため")
    info = services.submit(member, Submission.Kind.LOCAL_INFO, "朝市のお知らせ", "毎月第2日曜日に開きます。")
    Post.objects.filter(pk=thread.pk).update(created_at=timezone.now() - datetime.timedelta(days=2))
    login_staff(client, administrator)
    html = client.get(f"/admin/members/{member.pk}/").content.decode()
    rows = rows_of(html, 'id="member-activity"', 'id="member-consents"')
    assert [row[1:] for row in rows] == [
        ["地域の情報", "『朝市のお知らせ』", info.get_status_display()],
        ["掲示板", "『防災訓練の日程』への返信", "非表示"],
        ["掲示板", "『防災訓練の日程』", "公開中"],
    ]
    assert f'href="/board/threads/{thread.thread_id}/#post-{thread.pk}"' in html  # shown: where it is shown
    assert f'href="/admin/moderation/items/post:{reply.pk}/edit/"' in html  # hidden: its text in the admin
    assert member.email not in html and member.last_name not in html


def test_a_member_without_contributions_is_told_so(client, administrator, member):
    login_staff(client, administrator)
    assert "投稿・情報提供はありません。" in client.get(f"/admin/members/{member.pk}/").content.decode()


def test_the_queues_decisions_read_in_words_in_the_audit_log(client, administrator, moderator, member, board):
    policy = services.current_policy()
    policy.trusted_after_approved_posts = 3
    policy.save()
    post = services.create_thread(member, board, "迷い猫", "茶色の猫を探しています。")
    login_staff(client, moderator)
    client.post(QUEUE, {"single": f"refuse|post:{post.pk}", f"reason-post:{post.pk}": "写真に個人宅が写っているため"})
    services.moderator_edit(Post.objects.get(pk=post.pk), moderator, "茶色の猫を探しています（連絡は掲示板で）。", "電話番号を削除")
    services.sanction(member, moderator, Sanction.Kind.SUSPEND, "繰り返しのため", days=7)
    login_staff(client, administrator)
    html = client.get("/admin/audit-log/").content.decode()
    rows = {row[4]: row for row in table_rows(html)}
    assert rows["写真に個人宅が写っているため"][6] == "対象: 掲示板『迷い猫』、変更前: 確認待ち → 変更後: 掲載不可"
    assert rows["電話番号を削除"][6] == ("対象: 掲示板『迷い猫』、本文: 「茶色の猫を探しています。」 → "
                                  "「茶色の猫を探しています（連絡は掲示板で）。」")
    assert rows["繰り返しのため"][6].startswith("処分: 投稿の一時停止、期限: ")
    assert rows["写真に個人宅が写っているため"][1].endswith("（スタッフ）")
    assert "&quot;" not in html[html.index("<tbody"):] and "post:" not in rows["電話番号を削除"][6]
    assert Post.objects.get(pk=post.pk).status == Status.REFUSED
