"""The disclosure package: today's export plus flags, sanctions, requests, staff views (who, when, why, what) and third parties."""

import json

import pytest
from django.utils import timezone

from compliance import cases, disclosure
from compliance.models import Case
from members.services import reveal_personal_data
from moderation.models import Flag, Sanction
from tests.compliance.c1_helpers import board, resident, shown_thread

pytestmark = pytest.mark.django_db
PAGE, JSON_URL = "/members/me/privacy/", "/members/me/privacy/data.json"


def test_the_package_holds_the_export_and_what_the_law_adds(administrator, moderator):
    member, reporter = resident(), resident()
    _thread, post = shown_thread(board(), member)
    Flag.objects.create(post=post, reporter=member, reason=Flag.Reason.SPAM, comment="宣伝のようです")
    Sanction.objects.create(member=member, kind=Sanction.Kind.WARN, reason="言葉づかいへの注意", created_by=moderator)
    cases.file_request(member, Case.Type.DISCLOSURE, Case.ReplyMethod.SCREEN, "すべて開示してください")
    data = disclosure.package(member)
    assert data["personal_data"]["last_name"] == member.last_name
    assert data["posts"][0]["body"] == "参加者を募集しています。"
    assert data["flags"] == [{"post": post.pk, "reason": "宣伝・スパム", "comment": "宣伝のようです",
                              "created_at": data["flags"][0]["created_at"], "resolved_at": None}]
    assert data["sanctions"][0]["reason"] == "言葉づかいへの注意" and data["sanctions"][0]["kind"] == "注意"
    assert data["requests"][0]["type"] == "開示" and data["requests"][0]["details"] == "すべて開示してください"
    assert {"consents", "newsletter", "surveys"} <= set(data)
    assert data["third_party_provisions"] == {"records": [], "statement": disclosure.third_party_statement()}
    assert "第三者提供の記録はありません" in data["third_party_provisions"]["statement"]
    json.dumps(data, ensure_ascii=False)  # JSON-ready
    assert not any(f["reason"] for f in disclosure.package(reporter)["flags"])


def test_staff_views_show_role_when_why_and_which_items(administrator):
    member = resident()
    reveal_personal_data(administrator, member, "問い合わせへの回答のため", fields=("email", "postal_code"))
    views = disclosure.staff_views(member)
    assert len(views) == 1
    view = views[0]
    assert view["who"] == "運営スタッフ（管理者）" and administrator.last_name not in view["who"]
    assert view["why"] == "問い合わせへの回答のため" and view["fields"] == ["メールアドレス", "郵便番号"]
    assert abs((timezone.now() - view["at"]).total_seconds()) < 60


def test_the_case_page_opened_by_staff_is_listed_as_a_view(administrator):
    member = resident()
    case = cases.file_request(member, Case.Type.DISCLOSURE, Case.ReplyMethod.SCREEN, "")
    cases.open_case(administrator, case)
    assert [v["why"] for v in disclosure.staff_views(member)] == ["開示等の請求への対応"]


def test_the_members_page_lists_the_staff_views_and_the_none_for_third_parties(client, administrator):
    member = resident()
    reveal_personal_data(administrator, member, "郵送物の宛先確認のため", fields=("street",))
    client.force_login(member)
    html = client.get(PAGE).content.decode()
    assert "あなたの情報の開示" in html and "郵送物の宛先確認のため" in html and "町名・番地" in html
    assert "運営スタッフ（管理者）" in html and "第三者提供の記録はありません" in html
    assert member.last_name in html


def test_the_json_download_is_the_package(client, administrator):
    member = resident()
    reveal_personal_data(administrator, member, "本人からの電話問い合わせ対応", fields=("email",))
    client.force_login(member)
    response = client.get(JSON_URL)
    assert response["Content-Disposition"].startswith("attachment")
    data = json.loads(response.content)
    assert data["staff_views"][0]["why"] == "本人からの電話問い合わせ対応"
    assert data["account"]["id"] == member.pk


def test_a_member_never_sees_anothers_package(client, administrator):
    member, other = resident(), resident()
    reveal_personal_data(administrator, other, "他の会員についての確認", fields=("email",))
    client.force_login(member)
    html = client.get(PAGE).content.decode()
    data = json.loads(client.get(JSON_URL).content)
    assert other.last_name not in html and "他の会員についての確認" not in html
    assert data["account"]["id"] == member.pk and data["staff_views"] == []
    assert other.email not in json.dumps(data, ensure_ascii=False)


def test_visitors_get_no_package(client):
    assert client.get(PAGE).status_code == 302 and client.get(JSON_URL).status_code == 302
