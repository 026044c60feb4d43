"""
Listings under another language: a visitor of /en/ is listed the events and specials that exist
only in Japanese (marked lang="ja", linked under /en/), and a page's English translation instead of
its Japanese original where one is live (pages.selectors.in_language). Query counts stay flat.
"""

import pytest
from bs4 import BeautifulSoup
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from wagtail.models import Locale

from fixtures.demo import translate_demo
from pages.models import EventIndexPage, EventPage, SpecialPage


@pytest.fixture(scope="module")
def translated_demo(django_db_setup, django_db_blocker):
    """The demo's translations (home, sections, districts, themes, newest articles) for this module only."""
    with django_db_blocker.unblock(), transaction.atomic():
        translate_demo()
        yield
        transaction.set_rollback(True)


@pytest.fixture
def english(translated_demo, db):
    return Locale.objects.get(language_code="en")


def _upcoming_japanese_events():
    return list(EventPage.objects.live().public().filter(locale__language_code="ja", end__gte=timezone.now())
                .order_by("start", "pk"))


def _soup(client, url):
    response = client.get(url)
    assert response.status_code == 200, url
    return BeautifulSoup(response.content, "html.parser")


def _translate(page, locale, title):
    """An English translation of ``page``, published, as an editor would make it."""
    translated = page.copy_for_translation(locale)
    translated.title = title
    translated.save_revision().publish()
    return translated


def test_the_english_home_page_lists_the_japanese_events_marked_as_japanese(client, english):
    assert not EventPage.objects.filter(locale=english).exists()  # events exist in Japanese only
    expected = _upcoming_japanese_events()[:6]
    assert expected
    soup = _soup(client, "/en/")
    links = soup.select(".event-list__title a")
    assert [a.get_text() for a in links] == [event.title for event in expected]
    assert all(a["lang"] == "ja" for a in links)
    assert [a["href"] for a in links] == [f"/en{event.url}" for event in expected]
    # The link keeps the visitor's interface: the Japanese page, served under /en/.
    page = _soup(client, links[0]["href"])
    assert page.html["lang"] == "en" and page.select_one(".notice--language")
    assert "There are no upcoming events." not in soup.get_text()


def test_the_english_home_page_lists_the_specials(client, english):
    specials = list(SpecialPage.objects.live().public().filter(locale__language_code="ja")
                    .order_by("-first_published_at")[:3])
    assert specials and not SpecialPage.objects.filter(locale=english).exists()
    section = _soup(client, "/en/").select_one('section[aria-labelledby="home-specials"]')
    assert section is not None, "the specials section is on the English home page"
    links = section.select("a.card__link")
    assert [a.get_text() for a in links] == [special.title for special in specials]
    assert all(a["lang"] == "ja" and a["href"].startswith("/en/") for a in links)


def test_a_translated_event_is_listed_as_its_translation_and_once(client, english):
    first = _upcoming_japanese_events()[0]
    translated = _translate(first, english, "Autumn festival (English)")
    soup = _soup(client, "/en/")
    titles = [a.get_text() for a in soup.select(".event-list__title a")]
    assert titles[0] == "Autumn festival (English)" and first.title not in titles
    link = soup.select(".event-list__title a")[0]
    assert not link.has_attr("lang") and link["href"] == translated.url
    # Japanese visitors still get the Japanese original.
    assert _soup(client, "/").select(".event-list__title a")[0].get_text() == first.title


def test_the_english_events_index_lists_the_japanese_events(client, english):
    index = EventIndexPage.objects.get(locale=english)
    soup = _soup(client, index.url)
    cards = soup.select("a.card__link")
    upcoming = _upcoming_japanese_events()
    assert cards and [a.get_text() for a in cards] == [event.title for event in upcoming[:len(cards)]]
    assert all(a["lang"] == "ja" and a["href"].startswith("/en/") for a in cards)
    # The month calendar has the same events as the Japanese index's, marked as Japanese.
    calendar = soup.select(".calendar__events a")
    japanese = _soup(client, EventIndexPage.objects.get(locale__language_code="ja").url).select(".calendar__events a")
    assert [a.get_text() for a in calendar] == [a.get_text() for a in japanese]
    assert all(a["lang"] == "ja" for a in calendar)


def test_the_english_listings_take_the_same_number_of_queries_whatever_the_number_of_items(client, english):
    index = EventIndexPage.objects.get(locale=english)

    def queries(url):
        client.get(url)  # warm the caches (site root paths, renditions, templates)
        counts = []
        for _ in range(3):  # the fewest of a few: the ads' cached selection expires now and then
            with CaptureQueriesContext(connection) as captured:
                assert client.get(url).status_code == 200
            counts.append(len(captured))
        return min(counts)

    template, *others = _upcoming_japanese_events()
    EventPage.objects.filter(pk__in=[event.pk for event in others]).update(live=False)  # one event listed
    before = {url: queries(url) for url in ("/en/", index.url)}
    japanese_index = EventIndexPage.objects.get(locale__language_code="ja")
    for n in range(3):
        template.copy(to=japanese_index, update_attrs={"title": f"追加のイベント{n}", "slug": f"extra-event-{n}"})
    assert len(_soup(client, "/en/").select(".event-list__title a")) == 4
    assert {url: queries(url) for url in before} == before


def test_a_japanese_visitor_is_listed_japanese_pages_only(client, english):
    first = _upcoming_japanese_events()[0]
    _translate(first, english, "Only for English visitors")
    soup = _soup(client, "/")
    assert "Only for English visitors" not in soup.get_text()
    assert not soup.select(".event-list__title a[lang]")
