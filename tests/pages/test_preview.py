"""Draft preview for a headless front end: the admin hands a signed token to the front end."""

from urllib.parse import parse_qs, urlsplit

import pytest
from django.urls import reverse

from pages.models import ArticlePage
from tests.staff import login_staff

from .workflow_helpers import article_form

pytestmark = pytest.mark.django_db


@pytest.fixture
def headless(settings):
    settings.HEADLESS_PREVIEW_URL = "https://front.example.jp/preview"
    settings.WAGTAIL_HEADLESS_PREVIEW = {**settings.WAGTAIL_HEADLESS_PREVIEW,
                                         "CLIENT_URLS": {"default": "https://front.example.jp/preview"}}


def _preview(client, user, page, title):
    login_staff(client, user)
    url = reverse("wagtailadmin_pages:preview_on_edit", args=(page.pk,))
    data = article_form(title, page.slug)
    assert client.post(url, data).json()["is_valid"] is True
    return client.get(url)


def test_the_front_end_gets_the_unsaved_draft_by_token(client, editor, headless):
    page = ArticlePage.objects.live().first()
    response = _preview(client, editor, page, "下書きの見出し")
    assert response.status_code == 200
    preview_url = response.context["preview_url"]
    assert preview_url.startswith("https://front.example.jp/preview/")
    query = parse_qs(urlsplit(preview_url).query)

    client.logout()
    api = client.get("/api/v3/preview/", {"content_type": query["content_type"][0], "token": query["token"][0]})
    assert api.status_code == 200
    assert api.json()["title"] == "下書きの見出し"
    assert api.json()["meta"]["type"] == "pages.ArticlePage"
    page.refresh_from_db()
    assert page.title != "下書きの見出し", "previewing saves nothing to the page"


def test_a_forged_or_expired_token_is_refused(client, editor, headless, settings):
    page = ArticlePage.objects.live().first()
    response = _preview(client, editor, page, "下書き")
    query = parse_qs(urlsplit(response.context["preview_url"]).query)
    forged = client.get("/api/v3/preview/", {"content_type": "pages.articlepage", "token": query["token"][0] + "x"})
    assert (forged.status_code, forged.json()["code"]) == (404, "not_found")
    settings.PREVIEW_TOKEN_MAX_AGE = -1
    expired = client.get("/api/v3/preview/", {"content_type": "pages.articlepage", "token": query["token"][0]})
    assert expired.status_code == 404
    wrong_type = client.get("/api/v3/preview/", {"content_type": "auth.user", "token": query["token"][0]})
    assert wrong_type.status_code == 404


def test_without_a_headless_front_end_the_site_previews_itself(client, editor):
    page = ArticlePage.objects.live().first()
    response = _preview(client, editor, page, "自前プレビュー")
    assert response.status_code == 200
    assert "自前プレビュー" in response.content.decode()


def test_the_admin_may_frame_a_preview_but_never_a_public_page(client, editor):
    """The side panel's preview is an iframe of the admin: only there is framing by ourselves allowed."""
    page = ArticlePage.objects.live().first()
    preview = _preview(client, editor, page, "枠の中のプレビュー")
    assert "frame-ancestors 'self'" in preview["Content-Security-Policy"]
    assert "script-src 'self'" in preview["Content-Security-Policy"], "otherwise the public page's policy"
    assert preview["X-Frame-Options"] == "SAMEORIGIN"

    client.logout()
    public = client.get(page.url)
    assert "frame-ancestors 'none'" in public["Content-Security-Policy"]
    assert "frame-ancestors 'self'" not in public["Content-Security-Policy"]
    assert public["X-Frame-Options"] == "DENY"


def test_a_headless_preview_may_frame_the_front_end_only(client, editor, headless):
    page = ArticlePage.objects.live().first()
    policy = _preview(client, editor, page, "見出し")["Content-Security-Policy"]
    assert "frame-src https://front.example.jp;" in policy
    assert "frame-ancestors 'self'" in policy
