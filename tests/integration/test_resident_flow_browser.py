"""
A resident, as a person would, in Chromium on a phone-sized screen (390×844) against the live
server: registers through the site (the address filled from the postal code, Enter to submit),
opens the verification link from the mail, logs in and starts a thread on a district board, then
finds it in 自分の投稿. Each step asserts what the person sees.

With the Google test keys the tests use, no request leaves the site: the reCAPTCHA widget is not
shown. FLOW_SCREENSHOTS=/a/folder saves a screenshot of every step there (full pages, PNG).
"""

import os
import re
import uuid
from pathlib import Path

import pytest
from faker import Faker

pytestmark = [pytest.mark.integration, pytest.mark.django_db]

PHONE = {"width": 390, "height": 844}
PASSWORD = "Okubo-resident-2026-flow"
QUARTER_OF_THE_SCREEN = PHONE["height"] / 4  # 211 px


@pytest.fixture
def person(browser, site_url):
    """A phone's browser tab; every request it makes is recorded; ``shot(name)`` saves the screen."""
    context = browser.new_context(viewport=PHONE, locale="ja-JP", device_scale_factor=1)
    tab = context.new_page()
    tab.requests = []
    tab.on("request", lambda request: tab.requests.append(request.url))
    folder = os.environ.get("FLOW_SCREENSHOTS")
    steps = iter(range(1, 100))

    def shot(name):
        if folder:
            Path(folder).mkdir(parents=True, exist_ok=True)
            tab.screenshot(path=str(Path(folder) / f"{next(steps):02d}-{name}.png"), full_page=True)

    tab.shot = shot
    yield tab
    context.close()


def heading(tab):
    return tab.locator("main h1").inner_text().strip()


def header_bottom(tab):
    return tab.evaluate("() => document.querySelector('header.site-header').getBoundingClientRect().bottom")


def fill_registration(tab, resident):
    tab.get_by_label("メールアドレス").fill(resident["email"])
    tab.locator("#id_password1").fill(PASSWORD)
    tab.locator("#id_password2").fill(PASSWORD)
    tab.get_by_label("ニックネーム").fill(resident["nickname"])
    tab.locator("#id_last_name").fill(resident["last_name"])
    tab.locator("#id_first_name").fill(resident["first_name"])
    tab.get_by_label("生年月日").fill("1988-05-12")
    tab.get_by_label("回答しない").check()
    tab.get_by_label("郵便番号").fill("1690073")
    tab.get_by_label("利用規約に同意します").check()
    tab.get_by_label("プライバシーポリシーに同意します").check()


def register(tab, site_url, resident):
    tab.goto(site_url + "/")
    tab.locator("header.site-header").get_by_role("link", name="会員登録").click()
    assert heading(tab) == "会員登録"
    assert tab.locator(".g-recaptcha").count() == 0, "test keys: no reCAPTCHA widget"
    fill_registration(tab, resident)
    tab.shot("register-filled")

    tab.get_by_role("button", name="住所を検索").click()
    assert tab.get_by_role("status").filter(has_text="郵便番号から住所を入力しました").is_visible()
    assert tab.get_by_label("都道府県").input_value() == "東京都"
    assert tab.get_by_label("市区町村").input_value() == "新宿区"
    assert tab.get_by_label("町名・番地").input_value() == "百人町"
    assert tab.locator("#id_password1").input_value() == PASSWORD, "the look-up keeps the passwords"
    assert tab.get_by_label("利用規約に同意します").is_checked(), "and the consents"
    tab.get_by_label("町名・番地").fill("百人町1-2-3")
    tab.shot("address-from-postal-code")

    tab.get_by_label("メールアドレス").press("Enter")  # Enter submits the registration, not the look-up
    assert heading(tab) == "確認メールを送りました"
    tab.shot("verification-mail-sent")


def verification_link(mailoutbox, email):
    message = next(m for m in mailoutbox if m.to == [email])
    return re.search(r"https?://\S+/members/verify/\S+/", message.body).group(0)


def test_a_resident_registers_verifies_logs_in_and_starts_a_thread(person, site_url, mailoutbox):
    fake = Faker("ja_JP")
    resident = {"email": f"flow-{uuid.uuid4().hex[:10]}@example.jp", "last_name": fake.last_name(),
                "first_name": fake.first_name(), "nickname": f"{fake.first_kana_name()}{uuid.uuid4().hex[:4]}"}
    register(person, site_url, resident)

    person.goto(verification_link(mailoutbox, resident["email"]))
    assert heading(person) == "登録が完了しました"
    person.shot("email-verified")
    person.locator("main").get_by_role("link", name="ログイン").click()

    person.get_by_label("メールアドレス").fill(resident["email"])
    person.get_by_label("パスワード").fill(PASSWORD)
    person.get_by_label("パスワード").press("Enter")
    assert heading(person) == "登録内容"
    assert person.get_by_label("ニックネーム").input_value() == resident["nickname"]
    person.shot("logged-in")

    person.locator("nav.site-nav").get_by_role("link", name="掲示板").click()
    person.get_by_role("link", name="大久保の掲示板").click()
    assert heading(person) == "大久保の掲示板"
    person.shot("district-board")
    person.get_by_role("link", name="新しいスレッドを立てる").click()
    title = f"{fake.city()}の公園の清掃について"
    person.get_by_label("題名").fill(title)
    person.get_by_label("本文").fill(fake.paragraph(nb_sentences=3))
    person.shot("thread-written")
    person.get_by_role("button", name="投稿する").click()
    assert heading(person) == title
    assert person.get_by_text("投稿を受け付けました。運営者が確認してから掲載します。").is_visible(), \
        "a new member's first post waits for the moderators (the policy's default)"
    person.shot("thread-posted")

    person.locator("header.site-header").get_by_role("link", name="自分の投稿").click()
    card = person.locator(".contribution").filter(has_text=title)
    assert card.count() == 1 and "確認待ち" in card.inner_text()
    assert person.locator("main table").count() == 0, "cards, not a table"
    assert card.bounding_box()["width"] > 300, "the card uses the phone's width"
    person.shot("my-contributions")

    foreign = [url for url in person.requests if not url.startswith(site_url)]
    assert foreign == [], "nothing is loaded from other sites (no reCAPTCHA with the test keys)"


@pytest.mark.parametrize("path", ["/", "/members/register/", "/board/", "/search/?q=大久保", "/members/login/"])
def test_on_a_phone_the_header_and_navigation_take_at_most_a_quarter_of_the_screen(person, site_url, path):
    person.goto(site_url + path)
    assert header_bottom(person) <= QUARTER_OF_THE_SCREEN
    overflow = person.evaluate("() => document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0, f"the page is {overflow}px wider than the phone"


def test_on_a_phone_search_results_come_before_the_filters(person, site_url):
    person.goto(site_url + "/search/?q=大久保")
    results, filters = person.locator("ol.search-results"), person.locator(".search-form__filters")
    assert results.count() == 1 and filters.count() == 1
    before = person.evaluate(
        "([r, f]) => Boolean(r.compareDocumentPosition(f) & Node.DOCUMENT_POSITION_FOLLOWING)",
        [results.element_handle(), filters.element_handle()])
    assert before, "the results are read (and shown) before the filters"
