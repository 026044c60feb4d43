"""
Languages that are real: under /en/, /zh-hans/ and /ko/ every public page type speaks the
visitor's language around its content, <html lang> is the URL's language, content in another
language carries its own lang, a page that exists only in Japanese says so, the switcher keeps the
visitor on the same page, and the committed .mo files are the compiled .po files.
"""

import gettext
import io
import re
from collections import Counter
from pathlib import Path
from types import SimpleNamespace
from urllib.parse import quote

import pytest
from babel.messages.pofile import read_po
from bs4 import BeautifulSoup
from django.conf import settings
from django.core.management import call_command
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import translation
from wagtail.models import Locale, Page

from fixtures.demo import translate_demo
from members.mail import render_mail
from moderation.models import Thread
from pages.models import (
    ArticleIndexPage,
    ArticlePage,
    DistrictIndexPage,
    DistrictPage,
    EventIndexPage,
    EventPage,
    ShopIndexPage,
    ShopPage,
    SpecialIndexPage,
    SpecialPage,
    ThemeIndexPage,
    ThemePage,
)

LANGUAGES = ["en", "zh-hans", "ko"]
CATALOGUE_DIRS = {"en": "en", "zh-hans": "zh_Hans", "ko": "ko"}
KANA = re.compile(r"[\u3041-\u3096\u30a1-\u30fa\u30fc]")  # hiragana, katakana, ー (not the middle dot ・)
KANJI = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff]")
UI_ATTRIBUTES = ("aria-label", "placeholder", "title", "alt")


@pytest.fixture(scope="module")
def translated_demo(django_db_setup, django_db_blocker):
    """The demo's translations (fixtures.translations) for this module only, rolled back after it."""
    with django_db_blocker.unblock(), transaction.atomic():
        translate_demo()
        yield
        transaction.set_rollback(True)


@pytest.fixture
def db_with_translations(translated_demo, db):
    return None


def test_the_demo_has_its_structure_and_newest_articles_in_each_language(db_with_translations):
    before = Page.objects.count()
    call_command("translate_demo", stdout=io.StringIO())
    assert Page.objects.count() == before  # nothing twice
    for code in LANGUAGES:
        pages = Page.objects.filter(locale__language_code=code).live().specific()
        kinds = Counter(type(page).__name__ for page in pages)
        assert kinds == {"HomePage": 1, "DistrictIndexPage": 1, "ThemeIndexPage": 1, "ArticleIndexPage": 1,
                         "SpecialIndexPage": 1, "ShopIndexPage": 1, "EventIndexPage": 1, "DistrictPage": 10,
                         "ThemePage": 8, "ArticlePage": 3}
        assert not [page.title for page in pages if KANA.search(page.title)]
    okubo = {page.locale.language_code: page.title for page in DistrictPage.objects.filter(slug="okubo")}
    assert okubo == {"ja": "大久保", "en": "Okubo", "zh-hans": "大久保", "ko": "오쿠보"}


def _in(model, code):
    return model.objects.filter(locale__language_code=code).live()


def _ja_only(model):
    """A live Japanese page of ``model`` with no translation at all."""
    for page in _in(model, "ja").order_by("pk"):
        if not model.objects.filter(translation_key=page.translation_key).exclude(pk=page.pk).exists():
            return page
    raise AssertionError(f"every {model.__name__} is translated")


def _under(code, page):
    """The Japanese ``page``'s address under the ``code`` prefix ("/shops/shop-1/" -> "/en/shops/shop-1/")."""
    return f"/{code}{page.url}"


def _translated_url(model, code):
    return _in(model, code).order_by("path").first().url


# Page type -> its address under a language.
PAGE_TYPES = {
    "home": lambda code: f"/{code}/",
    "district index": lambda code: _translated_url(DistrictIndexPage, code),
    "district": lambda code: _translated_url(DistrictPage, code),
    "theme index": lambda code: _translated_url(ThemeIndexPage, code),
    "theme": lambda code: _translated_url(ThemePage, code),
    "article index": lambda code: _translated_url(ArticleIndexPage, code),
    "article": lambda code: _translated_url(ArticlePage, code),
    "article in Japanese only": lambda code: _under(code, _ja_only(ArticlePage)),
    "special index": lambda code: _translated_url(SpecialIndexPage, code),
    "special": lambda code: _under(code, _ja_only(SpecialPage)),
    "shop index": lambda code: _translated_url(ShopIndexPage, code),
    "shop": lambda code: _under(code, _ja_only(ShopPage)),
    "event index": lambda code: _translated_url(EventIndexPage, code),
    "event": lambda code: _under(code, _ja_only(EventPage)),
    "search results": lambda code: f"/{code}/search/?q={quote(_in(DistrictPage, code).get(slug='okubo').title)}",
    "search form": lambda code: f"/{code}/search/",
    "ward notices": lambda code: f"/{code}/ward-notices/",
    "board index": lambda code: f"/{code}/board/",
    "board": lambda code: f"/{code}/board/{Thread.objects.order_by('pk').first().board.slug}/",
    "thread": lambda code: f"/{code}/board/threads/{Thread.objects.order_by('pk').first().pk}/",
    "submissions index": lambda code: f"/{code}/submissions/",
    "local info": lambda code: f"/{code}/local-info/",
    "member registration": lambda code: f"/{code}/members/register/",
    "member log-in": lambda code: f"/{code}/members/login/",
    "privacy policy": lambda code: f"/{code}/members/privacy/",
    "terms": lambda code: f"/{code}/members/terms/",
    "404": lambda code: f"/{code}/no-such-page/",
}
CASES = [pytest.param(kind, code, id=f"{kind}-{code}") for kind in PAGE_TYPES for code in LANGUAGES]


def _interface(html, code):
    """
    The page's <body> without the elements that carry another language than ``code`` (content in
    Japanese, the other languages' names in the switcher), and the <title>.
    """
    soup = BeautifulSoup(html, "html.parser")
    body = soup.body
    for element in body.find_all(attrs={"lang": True}):
        if not element.decomposed and element["lang"].lower() != code:
            element.decompose()
    return soup, body


def _japanese_ui_strings(code):
    """The catalogue's Japanese msgids whose translation for ``code`` differs: any left on a page is untranslated UI."""
    path = Path(settings.BASE_DIR, "locale", CATALOGUE_DIRS[code], "LC_MESSAGES", "django.po")
    with path.open("rb") as source:
        catalogue = read_po(source)
    found = set()
    for message in catalogue:
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        texts = message.string if isinstance(message.string, tuple) else (message.string,)
        for msgid in ids:
            plain = re.split(r"%\(\w+\)s", msgid)
            found.update(part.strip() for part in plain if len(part.strip()) >= 2 and KANJI.search(part)
                         and part.strip() not in texts)
    return found


def _leftovers(body, code):
    """
    Interface texts (text and the attributes a visitor meets) still in Japanese: with kana, or kanji
    except in Chinese, where the catalogue's untranslated Japanese msgids are looked for instead.
    """
    texts = [text.strip() for text in body.find_all(string=True) if text.strip()]
    texts += [element[name] for name in UI_ATTRIBUTES for element in body.find_all(attrs={name: True})]
    if code == "zh-hans":
        strings = _japanese_ui_strings(code)
        return sorted({text for text in texts if KANA.search(text) or any(s in text for s in strings)})
    return sorted({text for text in texts if KANA.search(text) or KANJI.search(text)})


@pytest.mark.parametrize("kind, code", CASES)
def test_every_public_page_speaks_the_visitors_language_around_its_content(client, db_with_translations, kind, code):
    response = client.get(PAGE_TYPES[kind](code))
    assert response.status_code == (404 if kind == "404" else 200)
    html = response.content.decode()
    soup, body = _interface(html, code)
    assert soup.html["lang"] == code
    assert _leftovers(body, code) == [], f"Japanese interface text on the {kind} page in {code}"
    if not body.select(".notice--language"):  # the page's own title is Japanese content otherwise
        title = soup.title.get_text()
        assert not KANA.search(title) and (code == "zh-hans" or not KANJI.search(title)), title


@pytest.mark.parametrize("code, notice", [
    ("en", "This page is available in Japanese only."),
    ("zh-hans", "本页面仅提供日语版本。"),
    ("ko", "이 페이지는 일본어로만 제공됩니다."),
])
def test_a_page_in_japanese_only_says_so_in_the_visitors_language(client, db_with_translations, code, notice):
    shop = _ja_only(ShopPage)
    html = client.get(_under(code, shop)).content.decode()
    soup = BeautifulSoup(html, "html.parser")
    assert soup.html["lang"] == code
    assert soup.select_one(".notice--language").get_text(strip=True) == notice
    # The page's own title in the breadcrumb is Japanese content, marked as such.
    assert soup.select_one('.breadcrumbs [aria-current="page"]')["lang"] == "ja"
    # A translated page says nothing of the kind.
    district = _in(DistrictPage, code).get(slug="okubo")
    assert not BeautifulSoup(client.get(district.url).content, "html.parser").select(".notice--language")


@pytest.mark.parametrize("code", LANGUAGES)
def test_the_server_error_page_speaks_the_visitors_language(code):
    with translation.override(code):
        soup = BeautifulSoup(render_to_string("500.html"), "html.parser")
    assert soup.html["lang"] == code
    assert _leftovers(soup.body, code) == []
    assert soup.select_one(".site-name")["href"] == f"/{code}/"


def _switcher(client, url):
    soup = BeautifulSoup(client.get(url).content, "html.parser")
    links = soup.select("header .lang-switcher a")
    return {a["hreflang"]: a["href"] for a in links}, {a["hreflang"]: a.get_text() for a in links}, links


def test_the_switcher_in_the_header_leads_to_the_same_pages_translation(client, db_with_translations):
    okubo = DistrictPage.objects.get(slug="okubo", locale__language_code="ja")
    hrefs, names, links = _switcher(client, okubo.url)
    assert names == {"ja": "日本語", "en": "English", "zh-hans": "简体中文", "ko": "한국어"}
    assert all(a["lang"] == a["hreflang"] for a in links)
    for code in LANGUAGES:
        assert hrefs[code] == okubo.get_translation(Locale.objects.get(language_code=code)).url
        assert client.get(hrefs[code]).status_code == 200
    back, _, _ = _switcher(client, hrefs["ko"])
    assert back["ja"] == okubo.url


def test_the_switcher_keeps_a_japanese_only_page_and_other_views_with_their_query(client, db_with_translations):
    shop = _ja_only(ShopPage)
    hrefs, _, _ = _switcher(client, shop.url)
    assert hrefs == {"ja": shop.url, "en": f"/en{shop.url}", "zh-hans": f"/zh-hans{shop.url}", "ko": f"/ko{shop.url}"}
    hrefs, _, _ = _switcher(client, "/en/search/?q=Okubo")
    assert hrefs["ja"] == "/search/?q=Okubo" and hrefs["ko"] == "/ko/search/?q=Okubo"
    hrefs, _, _ = _switcher(client, "/ko/ward-notices/?theme=kosodate")
    assert hrefs["en"] == "/en/ward-notices/?theme=kosodate"
    hrefs, _, _ = _switcher(client, "/en/no-such-page/")
    assert hrefs == {"ja": "/", "en": "/en/", "zh-hans": "/zh-hans/", "ko": "/ko/"}


def test_japanese_pages_keep_their_japanese_interface(client, db_with_translations):
    soup = BeautifulSoup(client.get("/search/").content, "html.parser")
    assert soup.html["lang"] == "ja"
    assert soup.select_one(".skip-link").get_text() == "本文へ移動"
    assert not soup.select(".notice--language")


def test_ward_notices_stay_marked_as_japanese_on_english_pages(client, db_with_translations):
    soup = BeautifulSoup(client.get("/en/ward-notices/").content, "html.parser")
    titles = soup.select(".ward-notice__title [lang]")
    assert titles and all(title["lang"] == "ja" for title in titles)
    assert "The notices are in Japanese." in soup.select_one(".page-header__lead").get_text()


# --- The catalogues -----------------------------------------------------------------------------

def _po_messages(path):
    """msgid (with context, as gettext keys it) -> msgstr of every translated, non-fuzzy entry."""
    with path.open("rb") as source:
        catalogue = read_po(source)
    messages = {}
    for message in catalogue:
        if not message.id or message.fuzzy or not all(message.string if isinstance(message.string, tuple)
                                                     else (message.string,)):
            continue
        prefix = f"{message.context}\x04" if message.context else ""
        if isinstance(message.id, tuple):
            for index, form in enumerate(message.string):
                messages[(prefix + message.id[0], index)] = form
        else:
            messages[prefix + message.id] = message.string
    return messages


@pytest.mark.parametrize("code", LANGUAGES)
def test_the_committed_mo_files_are_the_compiled_po_files(code):
    folder = Path(settings.BASE_DIR, "locale", CATALOGUE_DIRS[code], "LC_MESSAGES")
    with (folder / "django.mo").open("rb") as compiled:
        mo = {key: value for key, value in gettext.GNUTranslations(compiled)._catalog.items() if key != ""}
    assert mo == _po_messages(folder / "django.po"), (
        "locale/ is out of date: run `.venv/bin/pybabel compile -d locale -D django` (README, Translations)")


@pytest.mark.parametrize("code", LANGUAGES)
def test_every_string_of_the_shared_interface_is_translated(code):
    path = Path(settings.BASE_DIR, "locale", CATALOGUE_DIRS[code], "LC_MESSAGES", "django.po")
    with path.open("rb") as source:
        catalogue = read_po(source)
    ours = re.compile(r"^(templates/(base|404|500)\.html|templates/includes/(breadcrumbs|hero_image|language_switcher"
                      r"|page_links|pagination)\.html|templates/(search|wardinfo)/|(search|wardinfo|apikit)/)")
    missing = [message.id for message in catalogue if message.id and any(ours.match(where) for where, _ in message.locations)
               and (message.fuzzy or not all(message.string if isinstance(message.string, tuple) else (message.string,)))]
    assert missing == []


@pytest.mark.parametrize("code", LANGUAGES)
def test_the_refusal_mail_speaks_the_residents_language(code):
    member = SimpleNamespace(nickname="Hanako")
    subject, body = render_mail("moderation/email/refused", {"user": member, "title": "Dogs", "reason": "Spam"},
                                language=code)
    assert "Hanako" in body and "Dogs" in body and "Spam" in body
    leftovers = [line for line in [subject, *body.splitlines()] if KANA.search(line)
                 or (code != "zh-hans" and KANJI.search(line))]
    assert leftovers == []


def test_an_ad_on_an_english_page_marks_its_japanese_content(client, db_with_translations):
    import datetime

    from django.core.cache import caches
    from django.utils import timezone

    from ads import selection
    from ads import services as ads_services
    from ads.models import Advertiser, Booking, Creative, ReviewStatus
    from tests.ads.conftest import upload

    today = timezone.localdate()
    advertiser = Advertiser.objects.create(name="大久保パン工房", contact_name="山田 花子",
                                           contact_email="hanako@example.jp", contact_phone="03-1234-5678")
    booking = Booking.objects.create(advertiser=advertiser, name="トップの予約", placement="home-top",
                                     starts_on=today - datetime.timedelta(days=1),
                                     ends_on=today + datetime.timedelta(days=30))
    creative = Creative(booking=booking, name="パンの広告", alt="焼きたてパンの広告", text="毎朝7時から営業しています",
                        destination_url="https://pan.example.jp/")
    creative.image = upload("home-top", "pan.png")
    ads_services.save_creative(creative, uploaded=creative.image)
    Creative.objects.filter(pk=creative.pk).update(review_status=ReviewStatus.APPROVED)
    caches["ads"].clear()
    selection._state.update(snapshot=None, checked=0.0)
    selection.invalidate()

    soup = BeautifulSoup(client.get("/en/").content, "html.parser")
    item = next(item for item in soup.select(".ad-slot__item") if item.select_one('img[alt="焼きたてパンの広告"]'))
    assert item.select_one("img")["lang"] == "ja"
    assert item.select_one(".ad-slot__text")["lang"] == "ja"
    assert item.select_one('.ad-slot__advertiser [lang="ja"]').get_text() == "大久保パン工房"
    assert item.select_one(".ad-slot__advertiser").get_text(" ", strip=True).startswith("Advertiser:")
    _, body = _interface(str(soup), "en")
    assert _leftovers(body, "en") == []
    # In Japanese, the ad is the page's language: no marks.
    japanese = BeautifulSoup(client.get("/").content, "html.parser")
    item = next(item for item in japanese.select(".ad-slot__item") if item.select_one('img[alt="焼きたてパンの広告"]'))
    assert not item.select("[lang]")
    assert item.select_one(".ad-slot__advertiser").get_text(" ", strip=True) == "広告主: 大久保パン工房"
