"""
The Wagtail editor in a real browser (headless Chromium): the side panel's live preview shows the
page (the CSP lets the admin frame it), a Japanese title gets a romanised slug, and the two-step
workflow clicked through the edit screen advances, refuses the reviewer at the final step and
publishes on a second moderator's approval (autosave included, which once repeated the approval).
"""

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY, get_user_model
from django.contrib.auth.models import Group
from django.contrib.sessions.backends.db import SessionStore
from django.test import override_settings
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice

from pages.editorial import APPROVAL_TASK, REVIEW_TASK
from pages.models import ArticleIndexPage, ArticlePage

pytestmark = pytest.mark.django_db

SCREENSHOTS = Path(__file__).resolve().parents[2] / "test-results"
FAST_HASHER = ["django.contrib.auth.hashers.MD5PasswordHasher"]
STAFF = {"admin": "Administrators", "editor": "Editors", "reviewer": "Moderators", "approver": "Moderators"}
DRAFT_TITLE = "ブラウザで確認する下書き記事"


def _session_for(user):
    """A session as after both factors (password and TOTP), for the browser's cookie."""
    device = TOTPDevice.objects.create(user=user, name="ブラウザ試験", confirmed=True)
    session = SessionStore()
    session.update({SESSION_KEY: str(user.pk), BACKEND_SESSION_KEY: "members.backends.EmailHashBackend",
                    HASH_SESSION_KEY: user.get_session_auth_hash(), DEVICE_ID_SESSION_KEY: device.persistent_id})
    session.create()
    return session.session_key


@pytest.fixture(scope="module")
def staff(django_db_setup, django_db_blocker):
    """Staff of each group with a session, committed for the live server; removed after."""
    User = get_user_model()
    with django_db_blocker.unblock(), override_settings(PASSWORD_HASHERS=FAST_HASHER):
        users = {}
        for name, group in STAFF.items():
            user = User.objects.create_user(email=f"browser-{name}@example.jp", password="correct horse battery",
                                            nickname=f"ブラウザ{name}", last_name="試験", first_name="太郎")
            user.groups.add(Group.objects.get(name=group))
            users[name] = (user, _session_for(user))
    yield users
    with django_db_blocker.unblock():
        ArticlePage.objects.filter(title=DRAFT_TITLE).delete()
        User.objects.filter(pk__in=[user.pk for user, _ in users.values()]).delete()


@pytest.fixture
def admin_tab(browser, site_url, staff):
    contexts = []

    def open_as(name, path):
        context = browser.new_context(locale="ja-JP", viewport={"width": 1400, "height": 1000})
        context.route(re.compile(r"^https?://(?!127\.0\.0\.1[:/]).*"), lambda route: route.abort())  # gravatar
        context.add_cookies([{"name": settings.SESSION_COOKIE_NAME, "value": staff[name][1], "url": site_url}])
        tab = context.new_page()
        tab.csp_violations = []
        tab.on("console", lambda msg: tab.csp_violations.append(msg.text) if "Content Security Policy" in msg.text
               else None)
        tab.goto(site_url + path)
        contexts.append(context)
        return tab

    yield open_as
    for context in contexts:
        context.close()


def _edit_path(page):
    return f"/admin/pages/{page.pk}/edit/"


def test_the_preview_panel_shows_the_article(admin_tab):
    article = ArticlePage.objects.live().filter(locale__language_code="ja").first()
    tab = admin_tab("admin", _edit_path(article))
    tab.locator("button[data-side-panel-toggle='preview']").click()
    frame_element = tab.locator("iframe[src*='/preview/']")
    frame_element.wait_for()
    frame = frame_element.content_frame
    frame.locator("h1").wait_for(timeout=15000)
    assert frame.locator("h1").inner_text() == article.title
    assert article.title in frame_element.element_handle().content_frame().title()
    assert tab.csp_violations == [], tab.csp_violations
    SCREENSHOTS.mkdir(exist_ok=True)
    tab.screenshot(path=str(SCREENSHOTS / "editor-preview.png"))


def test_a_japanese_title_gets_a_romanised_slug_in_the_editor(admin_tab):
    parent = ArticleIndexPage.objects.get()
    tab = admin_tab("editor", f"/admin/pages/add/pages/articlepage/{parent.pk}/")
    tab.locator("#id_title").fill("大久保の子育てサロン")
    tab.locator("#id_title").blur()
    tab.wait_for_function("() => document.getElementById('id_slug').value === 'okubo-no-kosodate-salon'",
                          timeout=10000)


def _click_approve(tab):
    tab.locator("footer [data-w-dropdown-target='toggle']").last.click()
    tab.locator("footer button[data-workflow-action-name='approve']").first.click()
    tab.wait_for_url(re.compile(r"/admin/pages/\d+/$"))
    tab.wait_for_timeout(1500)  # the edit screen's autosave, if any, has had its chance


@pytest.fixture(scope="module")
def draft_in_review(django_db_setup, django_db_blocker, staff):
    """A draft article submitted by the editor, committed (the live server's own connection must
    see it, as it sees the staff); removed after."""
    with django_db_blocker.unblock():
        parent = ArticleIndexPage.objects.get()
        page = ArticlePage(title=DRAFT_TITLE, slug="browser-draft", live=False, lead="ブラウザ試験の下書きです。",
                           body=[("paragraph", "<p>内容確認と公開承認を画面から行います。</p>")])
        parent.add_child(instance=page)
        editor = staff["editor"][0]
        page.save_revision(user=editor, log_action=True)
        page.get_workflow().start(page, editor)
    yield page
    with django_db_blocker.unblock():
        ArticlePage.objects.filter(pk=page.pk).delete()


def test_the_workflow_through_the_edit_screen_with_four_eyes(admin_tab, draft_in_review, django_db_blocker):
    page = draft_in_review

    def step():
        with django_db_blocker.unblock():
            fresh = ArticlePage.objects.get(pk=page.pk)
            state = fresh.current_workflow_state
            return fresh.live, state.current_task_state.task.name if state else None

    assert step() == (False, REVIEW_TASK)
    _click_approve(admin_tab("reviewer", _edit_path(page)))
    assert step() == (False, APPROVAL_TASK), "approving on the edit screen advances; it does not restart 内容確認"

    refused = admin_tab("reviewer", _edit_path(page))
    assert refused.locator("footer [data-workflow-action-name='approve']").count() == 0
    assert "「内容確認」を承認した人とは別の人が承認します" in refused.locator(".messages").inner_text()
    refused.screenshot(path=str(SCREENSHOTS / "editor-four-eyes-refused.png"))

    _click_approve(admin_tab("approver", _edit_path(page)))
    assert step() == (True, None), "the second moderator's approval publishes, and stays published"
