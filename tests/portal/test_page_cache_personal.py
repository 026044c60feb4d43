"""
Never personal: a member's pages, forms carrying a CSRF token, the admin, previews, and anything for a
logged-in visitor are never stored in the anonymous page cache nor served from it.
"""

import pytest
from django.core.cache import caches
from django.core.management import call_command
from django.utils import timezone
from faker import Faker

from members.models import User
from moderation.models import Board
from pages.models import ArticlePage
from surveys.models import SurveyPage
from tests.staff import login_staff

pytestmark = pytest.mark.django_db
fake = Faker("ja_JP")


@pytest.fixture(autouse=True)
def page_cache(settings):
    settings.PAGE_CACHE_SECONDS = 600
    caches["pages"].clear()
    caches["page_versions"].clear()
    yield caches["pages"]
    caches["pages"].clear()


@pytest.fixture
def member(db):
    return User.objects.create_user(
        email=f"s1-{fake.user_name()}@example.jp", password="correct horse battery staple", nickname="みどり123",
        last_name=fake.last_name(), first_name=fake.first_name(), email_verified_at=timezone.now(), self_registered=True)


def _anonymous_header(html):
    return "会員登録" in html and "マイページ" not in html


def test_a_member_never_gets_the_cached_anonymous_page_and_is_never_stored(client, member):
    client.get("/")
    assert client.get("/")["X-Page-Cache"] == "hit"
    client.force_login(member)
    mine = client.get("/")
    assert mine["X-Page-Cache"] == "bypass" and "マイページ" in mine.content.decode()
    assert "cookie" in mine.get("Vary", "").lower()  # the personal answer still varies for shared caches
    client.logout()
    client.cookies.clear()
    again = client.get("/")
    assert again["X-Page-Cache"] == "hit" and _anonymous_header(again.content.decode())


def test_what_a_member_sees_first_is_never_shown_to_the_next_anonymous_visitor(client, member):
    client.force_login(member)
    assert "マイページ" in client.get("/").content.decode()
    client.logout()
    client.cookies.clear()
    first = client.get("/")
    assert first["X-Page-Cache"] == "miss" and _anonymous_header(first.content.decode())


@pytest.mark.parametrize("url", ["/members/me/", "/board/mine/", "/forms/mine/"])
def test_a_members_own_pages_are_never_stored(client, member, url):
    client.force_login(member)
    response = client.get(url)
    assert response.status_code == 200, url
    assert response["X-Page-Cache"] == "bypass"
    client.logout()
    client.cookies.clear()
    assert client.get(url)["X-Page-Cache"] == "bypass"  # to the login page, uncached


@pytest.mark.parametrize("url", ["/members/login/", "/members/register/", "/members/password-reset/", "/newsletter/"])
def test_forms_carrying_a_csrf_token_are_never_stored(client, url):
    for _ in range(2):
        response = client.get(url)
        assert response.status_code == 200 and response["X-Page-Cache"] == "bypass", url
        assert "csrfmiddlewaretoken" in response.content.decode()


def test_a_page_with_a_form_is_recognised_by_its_csrf_token(client):
    call_command("seed_demo", "--no-index")  # the capabilities' demo data: surveys among them
    survey = SurveyPage.objects.live().filter(locale__language_code="ja").first()
    response = client.get(survey.url)
    assert response.status_code == 200
    assert response["X-Page-Cache"] == "bypass"
    assert "csrfmiddlewaretoken" in response.content.decode() or response.cookies


def test_board_posting_is_never_stored(client, member):
    client.force_login(member)
    slug = Board.objects.filter(active=True).values_list("slug", flat=True).first()
    response = client.get(f"/board/{slug}/new/")
    assert response.status_code == 200 and response["X-Page-Cache"] == "bypass"


def test_the_admin_is_never_stored(client, editor):
    login_staff(client, editor)
    assert client.get("/admin/")["X-Page-Cache"] == "bypass"
    client.logout()
    client.cookies.clear()
    assert client.get("/admin/login/")["X-Page-Cache"] == "bypass"


def test_a_preview_is_never_stored(client, editor, settings):
    page = ArticlePage.objects.live().first()
    login_staff(client, editor)
    admin_preview = client.get(f"/admin/pages/{page.pk}/edit/preview/")
    assert admin_preview["X-Page-Cache"] == "bypass"
    client.logout()
    client.cookies.clear()
    headless = client.get("/api/v3/preview/", {"content_type": "pages.articlepage", "token": "x"})
    assert headless["X-Page-Cache"] == "bypass"
    for query in ({"preview": "1"}, {"token": "abc"}):
        client.get(page.url, query)
        assert client.get(page.url, query)["X-Page-Cache"] == "bypass"


@pytest.mark.parametrize("credentials", ["authorization", "session", "messages"])
def test_a_request_with_credentials_or_a_waiting_message_passes_by(client, credentials):
    client.get("/api/v3/content/")
    assert client.get("/api/v3/content/")["X-Page-Cache"] == "hit"
    if credentials == "authorization":
        response = client.get("/api/v3/content/", HTTP_AUTHORIZATION="Bearer not-a-real-token")
    else:
        client.cookies["sessionid" if credentials == "session" else "messages"] = "something"
        response = client.get("/api/v3/content/")
    assert response["X-Page-Cache"] == "bypass"


@pytest.mark.parametrize("url", ["/api/v3/search/?q=%E6%96%B0%E5%AE%BF", "/api/v3/ads/?placement=home-top",
                                 "/api/v3/members/me", "/ads/reports/", "/healthz"])
def test_counted_or_personal_urls_are_never_stored(client, url):
    client.get(url)
    assert client.get(url)["X-Page-Cache"] == "bypass"


def test_a_post_is_never_answered_from_the_cache(client):
    client.get("/")
    assert client.post("/", {})["X-Page-Cache"] == "bypass"
