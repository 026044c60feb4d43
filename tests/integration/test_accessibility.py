"""
Accessibility of every public page type, checked by axe-core in Chromium: the WCAG 2.0, 2.1 and
2.2 A and AA rules, at a desktop size (1280×800) and a phone's (390×844).

- Every page type: no violation.
- The forms, blank and showing their errors (registration submitted empty, a wrong log-in, an
  empty thread): no violation and no "incomplete" result either (something axe could not decide,
  such as a contrast it could not measure, is a finding on a form).

axe-core comes bundled inside axe-playwright-python: nothing is fetched while the tests run.
"""

import uuid

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.utils import timezone
from faker import Faker

pytestmark = [pytest.mark.integration, pytest.mark.django_db]

TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
VIEWPORTS = {"desktop": {"width": 1280, "height": 800}, "mobile": {"width": 390, "height": 844}}
PASSWORD = "Shinjuku-accessibility-2026"

PAGES = ["home", "district", "theme", "article", "special", "shop", "event_index", "event", "search",
         "ward_notices", "board", "thread", "submission_form", "local_info", "register", "login", "profile",
         "terms", "privacy", "not_found"]
# Pages that are forms: "incomplete" results count as findings there too.
FORMS = {"register", "login", "profile", "submission_form", "thread_form"}
MEMBERS_ONLY = {"profile", "submission_form", "thread_form"}


def _page_paths():
    from moderation import selectors as board
    from pages.models import ArticlePage, DistrictPage, EventIndexPage, EventPage, ShopPage, SpecialPage, ThemePage

    thread = board.visible_threads().first()
    return {
        "home": "/",
        "district": DistrictPage.objects.live().get(slug="okubo").url,
        "theme": ThemePage.objects.live().first().url,
        "article": ArticlePage.objects.live().first().url,
        "special": SpecialPage.objects.live().first().url,
        "shop": ShopPage.objects.live().first().url,
        "event_index": EventIndexPage.objects.live().first().url,
        "event": EventPage.objects.live().first().url,
        "search": "/search/?q=大久保",
        "ward_notices": "/ward-notices/",
        "board": f"/board/{thread.board.slug}/",
        "thread": f"/board/threads/{thread.pk}/",
        "thread_form": f"/board/{thread.board.slug}/new/",
        "submission_form": "/submissions/new/local_info/",
        "local_info": "/local-info/",
        "register": "/members/register/",
        "login": "/members/login/",
        "profile": "/members/me/",
        "terms": "/members/terms/",
        "privacy": "/members/privacy/",
        "not_found": "/no-such-page-here/",
    }


@pytest.fixture(scope="module")
def site(site_url, django_db_blocker):
    """The pages' addresses and a verified member (generated) to see the members' pages with."""
    from members.models import User

    fake = Faker("ja_JP")
    with django_db_blocker.unblock():
        member = User.objects.create_user(
            email=f"a11y-{uuid.uuid4().hex[:10]}@example.jp", password=PASSWORD,
            nickname=f"{fake.last_kana_name()}{uuid.uuid4().hex[:6]}", last_name=fake.last_name(),
            first_name=fake.first_name(), date_of_birth=fake.date_of_birth(minimum_age=20, maximum_age=80),
            gender="unanswered", postal_code="160-0022", prefecture="東京都", municipality="新宿区",
            street=fake.town(), email_verified_at=timezone.now(), self_registered=True)
        paths = _page_paths()
    return {"url": site_url, "paths": paths, "email": member.email}


@pytest.fixture(scope="module")
def member_state(browser, site):
    """A logged-in session (cookies), made once through the log-in form."""
    context = browser.new_context(locale="ja-JP")
    tab = context.new_page()
    tab.goto(site["url"] + "/members/login/")
    tab.fill("#id_username", site["email"])
    tab.fill("#id_password", PASSWORD)
    tab.click("main form button[type=submit]")
    tab.wait_for_url("**/members/me/")
    state = context.storage_state()
    context.close()
    return state


@pytest.fixture
def open_tab(browser, site, member_state):
    contexts = []

    def open_tab(viewport, member=False):
        context = browser.new_context(viewport=VIEWPORTS[viewport], locale="ja-JP",
                                      storage_state=member_state if member else None)
        contexts.append(context)
        return context.new_page()

    yield open_tab
    for context in contexts:
        context.close()


def axe_findings(tab, include_incomplete):
    """axe's violations (and incomplete results): rule id, impact and the first elements' selectors."""
    kinds = ["violations", "incomplete"] if include_incomplete else ["violations"]
    results = Axe().run(tab, options={"runOnly": {"type": "tag", "values": TAGS}, "resultTypes": kinds}).response
    return [f"{kind} {rule['id']} ({rule.get('impact')}): {[node['target'] for node in rule['nodes'][:5]]}"
            for kind in kinds for rule in results[kind]]


@pytest.mark.parametrize("viewport", VIEWPORTS)
@pytest.mark.parametrize("name", PAGES)
def test_every_page_type_has_no_accessibility_violation(open_tab, site, name, viewport):
    tab = open_tab(viewport, member=name in MEMBERS_ONLY)
    response = tab.goto(site["url"] + site["paths"][name])
    assert response.status == (404 if name == "not_found" else 200), tab.url
    assert axe_findings(tab, include_incomplete=name in FORMS) == []


def _register_submitted_empty(tab, site):
    tab.goto(site["url"] + site["paths"]["register"])
    tab.click("main form button.button[type=submit]:not([name])")


def _login_wrong(tab, site):
    tab.goto(site["url"] + site["paths"]["login"])
    tab.fill("#id_username", site["email"])
    tab.fill("#id_password", "not-the-password")
    tab.click("main form button[type=submit]")


def _thread_form_empty(tab, site):
    tab.goto(site["url"] + site["paths"]["thread_form"])
    tab.click("main form button[type=submit]")


FORMS_WITH_ERRORS = {"register": _register_submitted_empty, "login": _login_wrong, "thread_form": _thread_form_empty}


@pytest.mark.parametrize("viewport", VIEWPORTS)
@pytest.mark.parametrize("form", FORMS_WITH_ERRORS)
def test_forms_showing_their_errors_have_no_violation_and_nothing_incomplete(open_tab, site, form, viewport):
    tab = open_tab(viewport, member=form in MEMBERS_ONLY)
    FORMS_WITH_ERRORS[form](tab, site)
    tab.wait_for_load_state()
    summary = tab.locator(".error-summary")
    assert summary.count() == 1 and summary.get_attribute("role") == "alert"
    assert tab.evaluate("() => document.activeElement.classList.contains('error-summary__title')"), \
        "the summary's heading has the focus"
    for link in summary.locator("a").all():
        target = link.get_attribute("href")
        assert tab.locator(target).count() == 1, f"{target} leads to its field"
    assert axe_findings(tab, include_incomplete=True) == []


@pytest.mark.parametrize("viewport", VIEWPORTS)
def test_the_thread_form_has_nothing_incomplete(open_tab, site, viewport):
    tab = open_tab(viewport, member=True)
    assert tab.goto(site["url"] + site["paths"]["thread_form"]).status == 200
    assert axe_findings(tab, include_incomplete=True) == []
