"""
Staff access to members in the Wagtail admin: the member list shows nothing personal, personal
data is shown only with the permission and a stated reason (and logged), suspend / reactivate /
delete are logged, and the audit log exports as CSV (logged too). Editors and moderators reach
none of it.
"""

import csv
import datetime
import io
import json
import re

import pytest
from django.contrib.auth import authenticate, get_user_model
from django.contrib.auth.models import Permission
from django.test import Client, RequestFactory
from django.utils import timezone
from faker import Faker

from members import services
from members.audit import MemberAction
from members.models import PERSONAL_FIELDS, AuditEntry, Consent
from tests.members.test_encryption import make_member
from tests.staff import login_staff

pytestmark = pytest.mark.django_db

User = get_user_model()
PASSWORD = "long enough passphrase"  # make_member's
LIST = "/admin/members/"
AUDIT_LOG = "/admin/audit-log/"


@pytest.fixture
def fake():
    fake = Faker("ja_JP")
    fake.seed_instance(20261126)
    return fake


@pytest.fixture
def member(fake):
    created = make_member(fake)
    Consent.objects.create(user=created, document=Consent.Document.TERMS, version="2026-11")
    Consent.objects.create(user=created, document=Consent.Document.PRIVACY, version="2026-11")
    return User.objects.get(pk=created.pk)


def secrets_of(member):
    """The values that identify the person: none may appear where no reason was given."""
    values = [member.email, member.last_name, member.first_name, member.last_name_kana, member.first_name_kana,
              member.postal_code, member.street, member.building, f"{member.last_name} {member.first_name}",
              member.date_of_birth.isoformat(), f"{member.date_of_birth:%Y年}{member.date_of_birth.month}月"]
    return [value for value in values if value]


def assert_no_personal_data(body, member):
    for value in secrets_of(member):
        assert value not in body, f"{value!r} is in the page"


def assert_denied(response, what=""):
    """Wagtail's permission denied: back to the dashboard with its message, nothing else."""
    assert response.status_code == 302 and response["Location"] == "/admin/", (what, response.status_code)


def menu_labels(client):
    """Every label in the admin's sidebar menu (rendered as JSON props for its script)."""
    html = client.get("/admin/").content.decode()
    props = re.search(r'<script id="wagtail-sidebar-props" type="application/json">(.*?)</script>', html, re.S)
    labels = set()

    def walk(node):
        if isinstance(node, dict):
            labels.update(value for key, value in node.items() if key == "label" and isinstance(value, str))
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(json.loads(props.group(1)))
    return labels


def body_of(response):
    if response.streaming:
        return b"".join(response.streaming_content).decode("utf-8-sig")
    return response.content.decode()


def table_rows(html):
    """The listing's rows, as lists of cell texts."""
    listing = re.search(r'<table class="listing">(.*?)</table>', html, re.S)
    rows = []
    for row in re.findall(r"<tr[^>]*>(.*?)</tr>", listing.group(1) if listing else "", re.S):
        cells = re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)
        rows.append([re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", cell)).strip() for cell in cells])
    return [row for row in rows if row]


def can_log_in(member):
    return authenticate(request=RequestFactory().post("/admin/login/"), username=member.email,
                        password=PASSWORD) is not None


def reveal(client, member, reason="問い合わせ対応のため本人確認", items=PERSONAL_FIELDS):
    return client.post(f"{LIST}{member.pk}/reveal/", {"reveal-reason": reason, "reveal-items": list(items)})


# --- revealing personal data ------------------------------------------------------------------

def test_an_administrator_reveals_personal_data_with_a_reason_and_exactly_one_entry_records_it(
        client, administrator, member):
    login_staff(client, administrator)
    before = timezone.now()
    response = reveal(client, member)

    assert response.status_code == 200
    body = response.content.decode()
    for value in (member.email, member.last_name, member.first_name, member.last_name_kana, member.first_name_kana,
                  member.postal_code, member.prefecture, member.municipality, member.street, member.building,
                  f"{member.date_of_birth.year}年{member.date_of_birth.month}月{member.date_of_birth.day}日"):
        assert value in body
    assert "回答しない" in body  # the gender, by its Japanese label
    assert "no-store" in response["Cache-Control"]

    entry = AuditEntry.objects.get()
    assert entry.action == MemberAction.REVEAL
    assert (entry.actor, entry.subject) == (administrator, member)
    assert entry.actor_label == f"{administrator.nickname} (#{administrator.pk})"
    assert entry.subject_label == f"{member.nickname} (#{member.pk})"
    assert entry.reason == "問い合わせ対応のため本人確認"
    assert entry.fields == list(PERSONAL_FIELDS)
    assert before <= entry.created_at <= timezone.now()

    # Shown on that response only: nothing kept in the session, and the page shows nothing again.
    session_dump = repr(dict(client.session.items()))
    assert_no_personal_data(session_dump, member)
    assert_no_personal_data(client.get(f"{LIST}{member.pk}/").content.decode(), member)


def test_only_the_chosen_fields_are_shown_and_logged(client, administrator, member):
    login_staff(client, administrator)
    body = reveal(client, member, items=["last_name", "first_name"]).content.decode()
    assert member.last_name in body and member.first_name in body
    for value in (member.email, member.street, member.building, member.postal_code):
        assert value not in body
    assert AuditEntry.objects.get().fields == ["last_name", "first_name"]


def test_the_reveal_form_offers_every_field_by_its_japanese_name_none_ticked(client, administrator, member):
    login_staff(client, administrator)
    body = client.get(f"{LIST}{member.pk}/").content.decode()
    boxes = re.findall(r'<input type="checkbox" name="reveal-items" value="(\w+)"[^>]*?( checked)?>\s*([^<]+)</label>',
                       body)
    assert [(name, checked, label.strip()) for name, checked, label in boxes] == [
        (name, "", str(User._meta.get_field(name).verbose_name)) for name in PERSONAL_FIELDS]
    assert "姓（よみがな）" in body and "建物名・部屋番号" in body


@pytest.mark.parametrize("reason, message", [
    ("", "閲覧する理由を入力してください。"),
    ("   ", "閲覧する理由を入力してください。"),
    ("確認", "閲覧する理由を5文字以上で入力してください。"),  # the service's rule
])
def test_without_a_reason_the_form_says_so_and_nothing_is_shown_or_logged(
        client, administrator, member, reason, message):
    login_staff(client, administrator)
    response = reveal(client, member, reason=reason)
    assert response.status_code == 200
    body = response.content.decode()
    assert message in body
    assert_no_personal_data(body, member)
    assert not AuditEntry.objects.exists()


def test_no_field_chosen_is_a_form_error(client, administrator, member):
    login_staff(client, administrator)
    body = reveal(client, member, items=[]).content.decode()
    assert "表示する項目を1つ以上選んでください。" in body
    assert not AuditEntry.objects.exists()


def test_a_member_manager_without_the_personal_data_permission_cannot_reveal(client, make_staff, member):
    manager = make_staff("Editors")
    manager.user_permissions.add(Permission.objects.get(codename="view_user", content_type__app_label="members"))
    login_staff(client, manager)
    page = client.get(f"{LIST}{member.pk}/")
    assert page.status_code == 200
    assert "reveal-reason" not in page.content.decode()
    response = reveal(client, member)
    assert_denied(response)
    assert_no_personal_data(response.content.decode(), member)
    assert not AuditEntry.objects.exists()


# --- editors and moderators -------------------------------------------------------------------

def staff_urls(member):
    reason = {"reason": "テストのための操作です", "suspend-reason": "テストのための操作です",
              "reactivate-reason": "テストのための操作です", "delete-reason": "テストのための操作です",
              "delete-confirm": "on", "reveal-reason": "テストのための操作です", "reveal-items": list(PERSONAL_FIELDS)}
    return [
        ("get", LIST, None),
        ("get", f"{LIST}results/", None),
        ("get", f"{LIST}?q={member.email}", None),
        ("get", f"{LIST}{member.pk}/", None),
        ("post", f"{LIST}{member.pk}/reveal/", reason),
        ("post", f"{LIST}{member.pk}/suspend/", reason),
        ("post", f"{LIST}{member.pk}/reactivate/", reason),
        ("post", f"{LIST}{member.pk}/delete/", reason),
        ("get", AUDIT_LOG, None),
        ("get", f"{AUDIT_LOG}results/", None),
        ("get", f"{AUDIT_LOG}?export=csv", None),
    ]


@pytest.mark.parametrize("group", ["Editors", "Moderators"])
def test_editors_and_moderators_are_denied_everywhere_and_never_get_the_data(client, make_staff, member, group):
    staff = make_staff(group)
    # An entry whose text is personal data: the audit log and its CSV must not reach them either.
    existing = AuditEntry.objects.create(actor=member, actor_label="x", action=MemberAction.REVEAL,
                                         subject=member, subject_label="y", reason=member.street)
    login_staff(client, staff)
    for method, url, data in staff_urls(member):
        response = getattr(client, method)(url, data or {})
        assert_denied(response, url)
        assert_no_personal_data(body_of(response), member)
        followed = client.get(response["Location"]).content.decode()
        assert "アクセス権がありません。" in followed
        assert_no_personal_data(followed, member)
    assert AuditEntry.objects.get() == existing  # nothing logged, nothing changed
    member.refresh_from_db()
    assert member.is_active

    assert not {"会員管理", "会員一覧", "監査ログ"} & menu_labels(client)


def test_an_editor_cannot_tell_an_unknown_member_id_from_a_known_one(client, editor, member):
    login_staff(client, editor)
    assert_denied(client.get(f"{LIST}999999/"))
    assert_denied(client.get(f"{LIST}{member.pk}/"))


def test_a_visitor_or_a_resident_is_sent_to_the_log_in(client, member):
    for method, url, data in staff_urls(member):
        response = getattr(client, method)(url, data or {})
        assert response.status_code == 302 and "/login/" in response["Location"], url
    client.force_login(member)
    for method, url, data in staff_urls(member):
        response = getattr(client, method)(url, data or {})
        assert response.status_code in (302, 403), url
        assert_no_personal_data(body_of(response), member)
    assert not AuditEntry.objects.exists()


# --- the member list --------------------------------------------------------------------------

def test_the_list_shows_nickname_masked_email_status_and_date_but_no_personal_data(client, administrator, member):
    withdrawn = User.objects.create_user(email="gone@example.jp", nickname="もういない", withdrawn_at=timezone.now(),
                                         is_active=False)
    suspended = User.objects.create_user(email="paused@example.jp", nickname="お休み中", is_active=False)
    User.objects.create_user(email="new@example.jp", nickname="登録したて", self_registered=True)
    login_staff(client, administrator)
    response = client.get(LIST)
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    body = response.content.decode()
    assert member.nickname in body and member.masked_email in body
    assert f"{timezone.localdate(member.date_joined).year}年" in body
    statuses = [row[2] for row in table_rows(body)]
    assert {"有効", "利用停止", "メール未確認", "退会"} <= set(statuses)
    assert withdrawn.nickname in body and suspended.nickname in body
    assert_no_personal_data(body, member)
    assert "gone@example.jp" not in body and "paused@example.jp" not in body and "new@example.jp" not in body
    # The staff fixture's own name (テスト 太郎) is in no row either.
    assert not any("太郎" in cell or "テスト" in cell for row in table_rows(body) for cell in row)


@pytest.mark.parametrize("status, shown", [("suspended", "お休み中"), ("unverified", "登録したて"),
                                           ("active", None)])
def test_the_status_filter(client, administrator, member, status, shown):
    User.objects.create_user(email="paused@example.jp", nickname="お休み中", is_active=False)
    User.objects.create_user(email="new@example.jp", nickname="登録したて", self_registered=True)
    login_staff(client, administrator)
    nicknames = [row[0] for row in table_rows(client.get(LIST, {"status": status}).content.decode())]
    if shown:
        assert nicknames == [shown]
    else:
        assert member.nickname in nicknames and not {"お休み中", "登録したて"} & set(nicknames)


def test_search_by_nickname_part_and_by_the_whole_email_only(client, administrator, member, fake):
    other = make_member(fake)
    login_staff(client, administrator)
    search_box = client.get(LIST).content.decode()
    assert "メールアドレスは暗号化のため完全一致のみで探せます。" in search_box

    by_nickname = client.get(LIST, {"q": member.nickname[1:-1].upper()}).content.decode()
    assert member.nickname in by_nickname and other.nickname not in by_nickname

    by_email = client.get(f"{LIST}results/", {"q": f" {member.email.upper()} "}).content.decode()
    assert member.nickname in by_email and other.nickname not in by_email
    assert_no_personal_data(by_email, member)

    partial = client.get(LIST, {"q": member.email.split("@")[1]}).content.decode()
    assert member.nickname not in partial


def test_the_list_is_paginated(client, administrator, fake):
    for _ in range(31):
        make_member(fake)
    login_staff(client, administrator)
    first = client.get(LIST)
    assert first.context["paginator"].num_pages >= 2
    assert len(first.context["object_list"]) == 30
    assert client.get(LIST, {"p": 2}).status_code == 200


# --- the member's page and the actions -------------------------------------------------------

def test_the_members_page_shows_the_account_and_consents_without_personal_data(client, administrator, member):
    login_staff(client, administrator)
    response = client.get(f"{LIST}{member.pk}/")
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    body = response.content.decode()
    for text in (member.nickname, member.masked_email, "有効", "利用規約", "プライバシーポリシー", "2026-11",
                 "利用停止にする", "削除する"):
        assert text in body
    assert_no_personal_data(body, member)


def test_suspend_stops_log_in_and_reactivate_restores_it_both_logged(client, administrator, member):
    resident = Client()
    resident.force_login(member)
    login_staff(client, administrator)
    assert can_log_in(member)

    response = client.post(f"{LIST}{member.pk}/suspend/", {"suspend-reason": "迷惑投稿の繰り返しのため"})
    assert response.status_code == 302 and response["Location"] == f"{LIST}{member.pk}/"
    member.refresh_from_db()
    assert not member.is_active
    assert not can_log_in(member)
    assert not resident.get("/").wsgi_request.user.is_authenticated  # a session already open ends too
    assert "利用停止" in client.get(f"{LIST}{member.pk}/").content.decode()

    response = client.post(f"{LIST}{member.pk}/reactivate/", {"reactivate-reason": "本人から説明があったため"})
    assert response.status_code == 302
    member.refresh_from_db()
    assert member.is_active and can_log_in(member)

    entries = list(AuditEntry.objects.order_by("created_at", "pk"))
    assert [(e.action, e.actor, e.subject, e.reason) for e in entries] == [
        (MemberAction.SUSPEND, administrator, member, "迷惑投稿の繰り返しのため"),
        (MemberAction.REACTIVATE, administrator, member, "本人から説明があったため"),
    ]


def test_an_action_without_a_reason_changes_nothing(client, administrator, member):
    login_staff(client, administrator)
    response = client.post(f"{LIST}{member.pk}/suspend/", {"suspend-reason": "  "})
    assert response.status_code == 200
    assert "理由を入力してください。" in response.content.decode()
    member.refresh_from_db()
    assert member.is_active and not AuditEntry.objects.exists()


def test_delete_is_logged_and_needs_a_reason_and_a_confirmation(client, administrator, member):
    login_staff(client, administrator)
    pk, label = member.pk, f"{member.nickname} (#{member.pk})"
    refused = client.post(f"{LIST}{pk}/delete/", {"delete-reason": "本人からの削除依頼"})
    assert "削除してよいか確認のチェックを入れてください。" in refused.content.decode()
    assert User.objects.filter(pk=pk).exists()

    response = client.post(f"{LIST}{pk}/delete/", {"delete-reason": "本人からの削除依頼", "delete-confirm": "on"})
    assert response.status_code == 302 and response["Location"] == LIST
    assert not User.objects.filter(pk=pk).exists()
    assert not Consent.objects.filter(user_id=pk).exists()
    entry = AuditEntry.objects.get()
    assert (entry.action, entry.actor, entry.subject_label, entry.reason) == (
        MemberAction.DELETE, administrator, label, "本人からの削除依頼")
    assert entry.details == {"subject_id": pk}


def test_staff_cannot_suspend_or_delete_themselves_or_a_superuser(client, administrator):
    boss = User.objects.create_superuser(email="boss@example.jp", password="x" * 20, nickname="ボス")
    login_staff(client, administrator)
    for target, message in ((administrator, "自分自身のアカウントは利用停止・削除できません。"),
                            (boss, "スーパーユーザーのアカウントは利用停止・削除できません。")):
        page = client.get(f"{LIST}{target.pk}/").content.decode()
        assert "利用停止にする" not in page and "削除する" not in page
        for action in ("suspend", "delete"):
            response = client.post(f"{LIST}{target.pk}/{action}/",
                                   {f"{action}-reason": "テストのための操作です", f"{action}-confirm": "on"})
            assert response.status_code == 200
            assert message in response.content.decode()
        target.refresh_from_db()
        assert target.is_active
    assert not AuditEntry.objects.exists()


def test_actions_answer_post_only_and_check_the_csrf_token(administrator, member):
    client = Client(enforce_csrf_checks=True)
    login_staff(client, administrator)
    for action in ("reveal", "suspend", "reactivate", "delete"):
        assert client.get(f"{LIST}{member.pk}/{action}/").status_code == 405
    response = client.post(f"{LIST}{member.pk}/suspend/", {"suspend-reason": "CSRFの確認のため"})
    assert response.status_code == 403
    member.refresh_from_db()
    assert member.is_active and not AuditEntry.objects.exists()


# --- the audit log and its export -------------------------------------------------------------

@pytest.fixture
def logged(client, administrator, member):
    """A reveal and a suspension, through the pages."""
    login_staff(client, administrator)
    reveal(client, member, reason="問い合わせ対応のため", items=["email", "street"])
    client.post(f"{LIST}{member.pk}/suspend/", {"suspend-reason": "迷惑投稿の繰り返しのため"})
    return AuditEntry.objects.order_by("pk")


def test_the_audit_log_lists_entries_and_filters_them(client, administrator, member, logged):
    response = client.get(AUDIT_LOG)
    assert response.status_code == 200
    body = response.content.decode()
    for text in ("個人情報の閲覧", "利用停止", "問い合わせ対応のため", "迷惑投稿の繰り返しのため",
                 "メールアドレス、町名・番地", f"{member.nickname} (#{member.pk})"):
        assert text in body
    # Staff by their name; the resident by nickname and number only (never their name).
    assert [row[1] for row in table_rows(body)] == ["テスト 太郎（スタッフ）"] * 2
    assert f"{administrator.nickname} (#{administrator.pk})" not in body
    assert_no_personal_data(body, member)

    only_suspensions = client.get(AUDIT_LOG, {"action": MemberAction.SUSPEND}).content.decode()
    assert "迷惑投稿の繰り返しのため" in only_suspensions and "問い合わせ対応のため" not in only_suspensions

    today = timezone.localdate()
    in_range = client.get(AUDIT_LOG, {"created_at_from": today.isoformat(), "created_at_to": today.isoformat()})
    assert len(in_range.context["object_list"]) == 2
    last_year = (today - datetime.timedelta(days=365)).isoformat()
    out_of_range = client.get(AUDIT_LOG, {"created_at_from": last_year, "created_at_to": last_year})
    assert len(out_of_range.context["object_list"]) == 0


def read_csv(response):
    raw = b"".join(response.streaming_content)
    assert raw.startswith(b"\xef\xbb\xbf"), "UTF-8 with a byte-order mark, for Excel"
    return list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))


def test_the_csv_export_contains_the_entries_and_logs_itself(client, administrator, member, logged):
    response = client.get(AUDIT_LOG, {"export": "csv"})
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert "attachment" in response["Content-Disposition"]
    rows = read_csv(response)
    assert rows[0] == ["日時", "操作者", "操作", "対象", "理由", "項目", "詳細"]
    by_action = {row[2]: row for row in rows[1:]}
    assert by_action["個人情報の閲覧"][1] == "テスト 太郎（スタッフ）"
    assert by_action["個人情報の閲覧"][3:6] == [f"{member.nickname} (#{member.pk})", "問い合わせ対応のため",
                                          "メールアドレス、町名・番地"]
    assert by_action["利用停止"][4] == "迷惑投稿の繰り返しのため"
    assert_no_personal_data("\n".join(",".join(row) for row in rows), member)

    export = AuditEntry.objects.get(action=MemberAction.EXPORT_LOG)
    assert export.actor == administrator and export.details == {"filters": {}, "format": "csv"}


def test_a_filtered_export_has_only_those_entries_and_records_the_filter(client, administrator, logged):
    today = timezone.localdate().isoformat()
    response = client.get(AUDIT_LOG, {"export": "csv", "action": MemberAction.SUSPEND,
                                      "created_at_from": today, "created_at_to": today})
    rows = read_csv(response)
    assert [row[2] for row in rows[1:]] == ["利用停止"]
    export = AuditEntry.objects.get(action=MemberAction.EXPORT_LOG)
    assert export.details["filters"] == {"action": "suspend_member", "date_from": today, "date_to": today}
    assert f"書き出し条件: 操作=利用停止、開始日={today}、終了日={today}" in client.get(AUDIT_LOG).content.decode()


def test_csv_cells_cannot_be_formulas(client, administrator):
    prankster = User.objects.create_user(email="prank@example.jp", nickname='=HYPERLINK("http://x","y")')
    services.suspend_member(administrator, prankster, "+危険な理由")
    login_staff(client, administrator)
    rows = read_csv(client.get(AUDIT_LOG, {"export": "csv"}))
    row = next(row for row in rows if row[2] == "利用停止")
    assert row[3].startswith("'=HYPERLINK") and row[4] == "'+危険な理由"


def test_the_menu_shows_member_management_to_administrators(client, administrator):
    login_staff(client, administrator)
    assert {"会員管理", "会員一覧", "監査ログ"} <= menu_labels(client)
