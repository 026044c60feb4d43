"""The privacy page publishes what APPI requires: operator, purposes, safety measures, the request procedure, complaints."""

import pytest

pytestmark = pytest.mark.django_db


def test_the_privacy_page_names_the_operator_and_the_request_desk(client, settings):
    settings.PORTAL_OPERATOR_NAME = "株式会社テスト運営"
    settings.PORTAL_OPERATOR_ADDRESS = "東京都新宿区見本町1-1"
    settings.PORTAL_OPERATOR_REPRESENTATIVE = "代表取締役 見本 一郎"
    settings.PORTAL_OPERATOR_CONTACT = "privacy@example.invalid"
    settings.COMPLIANCE_CASE_TARGET_DAYS = 10
    html = client.get("/members/privacy/").content.decode()
    for text in ("株式会社テスト運営", "東京都新宿区見本町1-1", "代表取締役 見本 一郎", "privacy@example.invalid",
                 "利用目的", "組織的な措置", "人的な措置", "物理的な措置", "技術的な措置", "開示等の請求の手続",
                 "苦情・問い合わせの窓口", "10日以内", "区の定めにより30日以内"):
        assert text in html, text
    assert 'href="/members/me/privacy/requests/"' in html and 'href="/members/me/privacy/"' in html


def test_the_defaults_look_like_dummies(client):
    html = client.get("/members/privacy/").content.decode()
    assert "未設定" in html
