"""The public site in a real browser (headless Chromium): no script errors, accessible basics."""

from pathlib import Path

import pytest

from pages.models import ArticlePage, DistrictPage, EventPage, ShopPage

pytestmark = pytest.mark.django_db

SCREENSHOTS = Path(__file__).resolve().parents[2] / "test-results"


@pytest.fixture
def page_of(browser, site_url):
    opened = []

    def open_page(path, width=1280):
        context = browser.new_context(viewport={"width": width, "height": 900}, locale="ja-JP")
        tab = context.new_page()
        tab.problems = []
        tab.on("console", lambda msg: tab.problems.append(msg.text) if msg.type == "error" else None)
        tab.on("pageerror", lambda exc: tab.problems.append(str(exc)))
        tab.on("response", lambda r: tab.problems.append(f"{r.status} {r.url}") if r.status >= 400 else None)
        response = tab.goto(site_url + path)
        opened.append(context)
        return tab, response

    yield open_page
    for context in opened:
        context.close()


def _paths():
    return {
        "home": "/",
        "district": DistrictPage.objects.get(slug="okubo").url,
        "article": ArticlePage.objects.live().first().url,
        "shop": ShopPage.objects.live().first().url,
        "event": EventPage.objects.live().first().url,
        "search": "/search/?q=大久保",
        "login": "/members/login/",
        "privacy": "/members/privacy/",
    }


# (The registration page loads Google's reCAPTCHA, which this offline machine cannot reach.)
@pytest.mark.parametrize("name", ["home", "district", "article", "shop", "event", "search", "login", "privacy"])
def test_pages_render_in_japanese_with_one_h1_and_alt_text(page_of, name):
    tab, response = page_of(_paths()[name])
    assert response.status == 200
    assert tab.locator("html").get_attribute("lang") == "ja"
    assert tab.locator("h1").count() == 1
    assert tab.locator("main#main").count() == 1
    assert tab.locator("img:not([alt])").count() == 0
    assert tab.problems == [], tab.problems  # no script errors, no CSP violations, no failed loads
    SCREENSHOTS.mkdir(exist_ok=True)
    tab.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)


def test_the_skip_link_is_the_first_stop_and_is_visible_on_focus(page_of):
    tab, _ = page_of("/")
    tab.keyboard.press("Tab")
    focused = tab.evaluate("() => [document.activeElement.getAttribute('href'), document.activeElement.textContent]")
    assert focused[0] == "#main"
    box = tab.locator("a[href='#main']").bounding_box()
    assert box and box["width"] > 1 and box["height"] > 1 and box["y"] >= 0


def test_the_site_loads_nothing_from_other_origins(page_of, site_url):
    tab, _ = page_of(DistrictPage.objects.get(slug="okubo").url)
    origins = tab.evaluate("() => performance.getEntriesByType('resource').map(e => new URL(e.name).origin)")
    assert origins and set(origins) <= {site_url}, origins


def test_the_layout_fits_a_phone_screen(page_of):
    tab, _ = page_of("/", width=390)
    overflow = tab.evaluate("() => document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0, f"page is {overflow}px wider than the phone screen"
    tab.screenshot(path=str(SCREENSHOTS / "home-phone.png"), full_page=True)
