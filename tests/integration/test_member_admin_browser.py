"""
「個人情報を表示」 in a real browser (headless Chromium): an administrator logs in with the password
and the authenticator's code (TOTP), opens a resident's page, ticks two of the fields (none is
ticked beforehand), submits with a reason, and sees those two values only; the audit trail lists
those two fields only.
"""

import base64
import re
from pathlib import Path

import pyotp
import pytest
from django.contrib.auth.models import Group
from django.test import override_settings
from django.utils import timezone

pytestmark = pytest.mark.django_db

PASSWORD = "member-admin-browser-passphrase-2026"
FAST_HASHER = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # the hasher the tests' settings use
SCREENSHOTS = Path(__file__).resolve().parents[2] / "test-results"
REASON = "本人からの住所変更の問い合わせに対応するため"


@pytest.fixture(scope="module")
def people(django_db_setup, django_db_blocker):
    """An administrator with an enrolled authenticator and a resident, committed for the live server; removed after."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from members.models import AuditEntry, User

    stamp = f"{timezone.now().timestamp():.0f}"
    with django_db_blocker.unblock(), override_settings(PASSWORD_HASHERS=FAST_HASHER):
        administrator = User.objects.create_user(
            email=f"browser-admin-{stamp}@example.jp", password=PASSWORD, nickname=f"ブラウザ管理者{stamp}",
            last_name="管理", first_name="一郎")
        administrator.groups.add(Group.objects.get(name="Administrators"))
        device = TOTPDevice.objects.create(user=administrator, name="テスト端末", confirmed=True)
        resident = User.objects.create_user(
            email=f"browser-resident-{stamp}@example.jp", password=PASSWORD, nickname=f"ブラウザ住民{stamp}",
            last_name="大久保", first_name="花子", last_name_kana="おおくぼ", first_name_kana="はなこ",
            postal_code="169-0072", prefecture="東京都", municipality="新宿区", street="大久保二丁目1-1",
            building="ポータル荘101", email_verified_at=timezone.now(), self_registered=True)
    yield {"administrator": administrator, "resident": resident,
           "totp": pyotp.TOTP(base64.b32encode(device.bin_key).decode())}
    with django_db_blocker.unblock():
        AuditEntry.objects.filter(actor=administrator).delete()
        User.objects.filter(pk__in=[administrator.pk, resident.pk]).delete()


@pytest.fixture
def tab(browser, site_url):
    context = browser.new_context(locale="ja-JP", viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.site_url = site_url
    yield page
    context.close()


def log_in(tab, people):
    """The admin's log-in: e-mail and password, then the 6-digit code of the enrolled authenticator."""
    administrator = people["administrator"]
    tab.goto(f"{tab.site_url}/admin/login/")
    tab.fill("input[name=username]", administrator.email)
    tab.fill("input[name=password]", PASSWORD)
    with tab.expect_navigation():
        tab.locator("form button[type=submit]").first.click()
    assert "/admin/2fa/verify/" in tab.url, tab.url
    tab.fill("input[name=otp_token]", people["totp"].now())
    with tab.expect_navigation():
        tab.locator("form button[type=submit]").first.click()
    assert "/admin/2fa/" not in tab.url and "/admin/login/" not in tab.url, tab.url


def test_only_the_two_ticked_fields_are_shown_and_logged(tab, people, django_db_blocker):
    from members.audit import MemberAction
    from members.models import AuditEntry

    resident = people["resident"]
    log_in(tab, people)
    response = tab.goto(f"{tab.site_url}/admin/members/{resident.pk}/")
    assert response.status == 200
    boxes = tab.locator("input[name='reveal-items']")
    assert boxes.count() == 12
    assert tab.locator("input[name='reveal-items']:checked").count() == 0  # nothing ticked beforehand

    tab.get_by_label("閲覧する理由").fill(REASON)
    tab.get_by_label("姓", exact=True).check()
    tab.get_by_label("町名・番地", exact=True).check()
    with tab.expect_navigation():
        tab.get_by_role("button", name="個人情報を表示").click()

    shown = tab.locator("[data-personal-data]")
    assert shown.count() == 1
    labels = [text.strip() for text in shown.locator("dt").all_inner_texts()]
    values = [text.strip() for text in shown.locator("dd").all_inner_texts()]
    assert (labels, values) == (["姓", "町名・番地"], ["大久保", "大久保二丁目1-1"])
    page_text = tab.locator("main").inner_text()
    for other in ("花子", "おおくぼ", "はなこ", "169-0072", "ポータル荘101", resident.email):
        assert other not in page_text, other
    assert tab.locator("input[name='reveal-items']:checked").count() == 0  # the form is fresh again
    SCREENSHOTS.mkdir(exist_ok=True)
    tab.screenshot(path=str(SCREENSHOTS / "member-reveal.png"), full_page=True)

    with django_db_blocker.unblock():
        entry = AuditEntry.objects.filter(action=MemberAction.REVEAL, subject=resident).get()
    assert entry.actor == people["administrator"] and entry.reason == REASON
    assert entry.fields == ["last_name", "street"]

    # The audit log says so in words: the two fields, by their Japanese names, and the staff member by name.
    tab.goto(f"{tab.site_url}/admin/audit-log/?action={MemberAction.REVEAL}")
    row = tab.locator("table.listing tbody tr", has_text=REASON)
    assert row.count() == 1
    cells = [re.sub(r"\s+", " ", text).strip() for text in row.locator("td").all_inner_texts()]
    assert "姓、町名・番地" in cells and "管理 一郎（スタッフ）" in cells
