"""
The member admin keeps residents and staff apart: two tabs in the member list, staff named by
their name in the audit log (residents only by nickname and number), details read as Japanese
text, and the member's page lists what every app declares of the member's activity.
"""

import datetime

import pytest
from django.contrib.auth import get_user_model
from django.utils import timezone
from faker import Faker

from members import personal_data, services
from members.models import AuditEntry
from members.selectors import details_text
from tests.members.test_encryption import make_member
from tests.members.test_staff_access import AUDIT_LOG, LIST, assert_no_personal_data, table_rows
from tests.staff import login_staff

pytestmark = pytest.mark.django_db
User = get_user_model()


@pytest.fixture
def resident():
    fake = Faker("ja_JP")
    fake.seed_instance(20261127)
    return make_member(fake)


def nicknames(client, **query):
    return [row[0] for row in table_rows(client.get(LIST, query).content.decode())]


# --- the member list's two tabs ---------------------------------------------------------------

def test_residents_by_default_staff_on_their_own_tab_with_their_roles(client, administrator, editor, moderator,
                                                                       resident):
    User.objects.create_superuser(email="boss@example.jp", password="x" * 20, nickname="ボス")
    login_staff(client, administrator)
    page = client.get(LIST).content.decode()
    assert 'aria-current="page">住民会員</a>' in page and "?people=staff" in page
    residents = nicknames(client)
    assert resident.nickname in residents
    assert not {administrator.nickname, editor.nickname, moderator.nickname, "ボス"} & set(residents)

    staff_rows = {row[0]: row for row in table_rows(client.get(LIST, {"people": "staff"}).content.decode())}
    assert resident.nickname not in staff_rows
    assert staff_rows[editor.nickname][1] == "編集者"
    assert staff_rows[moderator.nickname][1] == "審査担当"
    assert staff_rows[administrator.nickname][1] == "管理者"
    assert staff_rows["ボス"][1] == "スーパーユーザー"
    staff_page = client.get(LIST, {"people": "staff"}).content.decode()
    assert 'aria-current="page">スタッフ</a>' in staff_page
    assert f"{len(staff_rows)}件が見つかりました" in staff_page and "matches" not in staff_page  # in Japanese

    # An unknown tab is the residents' one, never everybody.
    assert set(nicknames(client, people="everyone")) == set(residents)


def test_the_tabs_combine_with_the_status_filter_and_the_search(client, administrator, resident):
    quiet = User.objects.create_user(email="quiet@example.jp", nickname="お休み職員", is_staff=True, is_active=False)
    login_staff(client, administrator)
    assert nicknames(client, people="staff", status="suspended") == [quiet.nickname]
    assert nicknames(client, status="suspended") == []
    assert nicknames(client, q=resident.nickname) == [resident.nickname]
    assert nicknames(client, people="staff", q=resident.nickname) == []


# --- staff by their name in the audit log -----------------------------------------------------

def test_the_audit_log_names_staff_by_name_and_residents_by_nickname_only(client, administrator, moderator,
                                                                          resident):
    moderator.last_name, moderator.first_name = "審査", "花子"
    moderator.save()
    services.suspend_member(administrator, resident, "迷惑投稿の繰り返しのため")
    services.suspend_member(administrator, moderator, "異動のため")
    login_staff(client, administrator)
    body = client.get(AUDIT_LOG).content.decode()
    rows = {row[4]: row for row in table_rows(body)}
    assert rows["迷惑投稿の繰り返しのため"][1:4] == ["テスト 太郎（スタッフ）", "利用停止",
                                           f"{resident.nickname} (#{resident.pk})"]
    assert rows["異動のため"][3] == "審査 花子（スタッフ）"
    assert_no_personal_data(body, resident)  # a resident's name is never looked up


def test_a_deleted_staff_member_stays_as_recorded(client, administrator, make_staff, resident):
    leaver = make_staff("Administrators")
    services.suspend_member(leaver, resident, "退職前の操作")
    recorded = f"{leaver.nickname} (#{leaver.pk})"
    leaver.delete()
    login_staff(client, administrator)
    [row] = [row for row in table_rows(client.get(AUDIT_LOG).content.decode()) if row[4] == "退職前の操作"]
    assert row[1] == recorded


# --- the details, in words --------------------------------------------------------------------

def entry(**details):
    return AuditEntry(action="moderation_approve", details=details)


def test_a_decision_reads_as_its_target_and_the_change_of_state():
    text = details_text(entry(target="post:9", kind="掲示板", before={"status": "held", "title": "迷い猫", "body": "x"},
                              after={"status": "shown", "title": "迷い猫", "body": "x"}))
    assert text == "対象: 掲示板『迷い猫』、変更前: 確認待ち → 変更後: 公開中"


def test_an_edit_reads_as_the_text_before_and_after_cut_on_the_page_whole_in_the_csv():
    long = "燃えないゴミは何曜日に出せばよいでしょうか。" * 5
    details = {"target": "post:9", "kind": "掲示板", "before": {"status": "shown", "title": "ゴミ", "body": long},
               "after": {"status": "shown", "title": "ゴミ", "body": "燃えないゴミの日を教えてください。"}}
    text = details_text(entry(**details))
    assert text.startswith("対象: 掲示板『ゴミ』、本文: 「燃えないゴミは何曜日")
    assert "…」 → 「燃えないゴミの日を教えてください。」" in text and "変更前" not in text
    assert long in details_text(entry(**details), limit=None)


def test_a_sanction_a_page_an_export_and_a_deletion_read_in_words():
    until = datetime.datetime(2026, 12, 3, 1, 30, tzinfo=datetime.UTC)  # 10:30 in Tokyo
    assert details_text(entry(target="sanction:4", sanction="suspend", until=until.isoformat())) == \
        "処分: 投稿の一時停止、期限: 2026年12月3日 10:30"
    assert details_text(entry(target="sanction:5", sanction="ban", until=None)) == "処分: 投稿の禁止"
    assert details_text(entry(target="submission:3", kind="お店・団体の登録",
                              before={"status": "held", "title": "喫茶まちかど"},
                              after={"status": "shown", "title": "喫茶まちかど"}, page_id=120)) == \
        "対象: お店・団体の登録『喫茶まちかど』、変更前: 確認待ち → 変更後: 公開中、作成したページ: ID 120"
    assert details_text(entry(filters={"action": "suspend_member", "date_from": "2026-11-01"}, format="csv")) == \
        "書き出し条件: 操作=利用停止、開始日=2026-11-01、形式: CSV"
    assert details_text(entry(filters={}, format="csv")) == "書き出し条件: なし（全件）、形式: CSV"
    assert details_text(entry(subject_id=12)) == "会員番号 12"
    assert details_text(entry()) == ""


def test_unknown_details_are_words_too_never_json():
    text = details_text(entry(target="booking:1", seats=3, options={"window": True}, tags=["朝", "夜"]))
    assert text == "対象: booking:1、seats: 3、options: window=True、tags: 朝、夜"
    assert "{" not in text and '"' not in text


def test_the_audit_log_page_and_its_csv_show_the_words(client, administrator, resident):
    number = resident.pk
    services.delete_member(administrator, resident, "本人からの削除依頼")
    login_staff(client, administrator)
    [row] = [row for row in table_rows(client.get(AUDIT_LOG).content.decode()) if row[4] == "本人からの削除依頼"]
    assert row[6] == f"会員番号 {number}"
    csv = b"".join(client.get(AUDIT_LOG, {"export": "csv"}).streaming_content).decode("utf-8-sig")
    assert f"会員番号 {number}" in csv and "subject_id" not in csv


# --- the member's activity, declared by each app ----------------------------------------------

@pytest.fixture
def sections():
    saved = dict(personal_data._SECTIONS)
    yield
    personal_data._SECTIONS.clear()
    personal_data._SECTIONS.update(saved)


def _bookings(user, limit):
    now = timezone.now()
    return [{"title": f"会議室の予約{n}", "state": "予約済み", "date": now - datetime.timedelta(days=n),
             "url": f"/bookings/{n}/"} for n in range(1, 4)][:limit]


def test_an_app_lists_a_members_activity_on_their_page(client, administrator, resident, sections):
    personal_data.register("bookings", activity=_bookings)
    rows = personal_data.activity_of(resident, limit=2)
    assert [row["title"] for row in rows] == ["会議室の予約1", "会議室の予約2"]  # newest first, at most the limit
    login_staff(client, administrator)
    html = client.get(f"{LIST}{resident.pk}/").content.decode()
    section = html[html.index('id="member-activity"'):html.index('id="member-consents"')]
    assert '<a href="/bookings/1/">会議室の予約1</a>' in section and "予約済み" in section
    assert_no_personal_data(html, resident)


def test_a_section_declaring_nothing_or_taken_by_another_app_is_an_error(sections):
    with pytest.raises(ValueError, match="declares nothing"):
        personal_data.register("empty")
    with pytest.raises(ValueError, match="another app"):
        personal_data.register("posts", activity=_bookings)

