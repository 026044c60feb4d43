"""
What was changed to cut the render cost of listings (issue 18) shows the same to a visitor:

- a district's list reads its cards of every page type in one query (``selectors.as_cards``), the
  same pages in the same order with what each card shows, and a page of a type it did not name
  still comes back as its own type;
- what a process keeps and hands out (``caching.private_copy``) is a copy a view may change;
- the language attributes and an event's dates are tags now (``pages_i18n``), the card's picture
  too (``pages_cards``): the same HTML as the included templates and Wagtail's ``{% image %}``;
- what the application loaded is frozen out of the garbage collector (``portal.process``), and what a
  request makes is still collected.
"""

import datetime
import gc
import weakref

import pytest
from django.db import connection
from django.template import Context, Template
from django.test.utils import CaptureQueriesContext
from django.utils import timezone, translation
from wagtail.images import get_image_model
from wagtail.images.tests.utils import get_test_image_file

from pages import caching, selectors
from pages.models import ArticlePage, DistrictPage, EventIndexPage, EventPage, ShopPage
from pages.templatetags.pages_cards import card_image
from pages.templatetags.pages_i18n import content_text, event_when, lang_attr
from portal.process import freeze_loaded_objects

pytestmark = pytest.mark.django_db

CARD_TYPES = [ArticlePage, ShopPage, EventPage]


def _district_with_every_type():
    for district in DistrictPage.objects.live().filter(locale__language_code="ja"):
        types = {type(page) for page in district.tagged_pages()}
        if len(types) == 3:
            return district
    pytest.skip("the demo has no district tagged with an article, a shop and an event")


def test_a_districts_cards_of_three_page_types_come_from_one_query_as_wagtail_gives_them():
    district = _district_with_every_type()
    listing = district.tagged_pages()
    with CaptureQueriesContext(connection) as ours:
        cards = list(listing)
    wagtail = list(listing.specific())  # Wagtail's own: ids and types, then a query per type
    assert len(ours) == 1
    assert [(type(page), page.pk) for page in cards] == [(type(page), page.pk) for page in wagtail]
    for card, page in zip(cards, wagtail, strict=True):
        assert (card.title, card.url_path, card.first_published_at, card.locale_id) == (
            page.title, page.url_path, page.first_published_at, page.locale_id)
        for name in ("lead", "date", "address", "start", "end", "venue", "hero_image_id", "hero_alt"):
            assert getattr(card, name, None) == getattr(page, name, None), name
        assert card.url == page.url


def test_a_card_never_reads_a_body_and_reading_one_still_works():
    district = _district_with_every_type()
    article = next(page for page in district.tagged_pages() if isinstance(page, ArticlePage))
    assert "body" in article.get_deferred_fields()
    assert list(article.body.raw_data) == list(ArticlePage.objects.get(pk=article.pk).body.raw_data)  # read when asked


def test_a_page_of_a_type_the_listing_did_not_name_comes_back_as_its_own_type():
    events = EventPage.objects.live().values_list("pk", flat=True)[:2]
    articles = ArticlePage.objects.live().values_list("pk", flat=True)[:2]
    mixed = selectors.visible_pages().filter(pk__in=[*events, *articles]).order_by("pk")
    cards = list(selectors.as_cards(mixed, [ArticlePage]))
    assert sorted((type(page).__name__, page.pk) for page in cards) == sorted(
        [("EventPage", pk) for pk in events] + [("ArticlePage", pk) for pk in articles])
    assert all(page.start for page in cards if isinstance(page, EventPage))


def test_a_kept_list_is_handed_out_as_a_copy_a_view_may_change():
    kept = list(DistrictPage.objects.live()[:2])
    assert kept[0].locale  # a cached relation, in the instance's fields cache
    given = caching.private_copy(kept)
    given[0].title = "書き換えた"
    given[0].card_terms = ["x"]
    given[0]._state.fields_cache.clear()
    given.append("more")
    assert kept[0].title != "書き換えた" and kept[0].card_terms == ()
    assert "locale" in kept[0]._state.fields_cache and len(kept) == 2
    assert caching.private_copy({"a": (kept[1],)})["a"][0] is not kept[1]


def test_the_language_tags_mark_only_what_is_not_in_the_visitors_language():
    page = ArticlePage.objects.live().filter(locale__language_code="ja").first()
    with translation.override("ja"):
        assert lang_attr(content=page) == "" and lang_attr(code="ja") == ""
        assert content_text("<b>会場</b>", content=page) == "&lt;b&gt;会場&lt;/b&gt;"
    with translation.override("en"):
        assert lang_attr(content=page) == ' lang="ja"' and lang_attr(code="ja") == ' lang="ja"'
        assert lang_attr() == ""
        assert content_text("<b>会場</b>", code="ja") == '<span lang="ja">&lt;b&gt;会場&lt;/b&gt;</span>'


def test_an_events_dates_leave_out_the_end_date_on_the_same_day_in_japan_time():
    start = datetime.datetime(2026, 12, 5, 1, 0, tzinfo=datetime.UTC)  # 10:00 in Tokyo, a Saturday
    with translation.override("ja"):
        same_day = event_when(start, start + datetime.timedelta(hours=2))
        two_days = event_when(start, start + datetime.timedelta(days=1))
    assert same_day == ('<time datetime="2026-12-05T10:00:00+09:00">2026年12月5日（土）10:00</time>〜'
                        '<time datetime="2026-12-05T12:00:00+09:00">12:00</time>')
    assert two_days.endswith('<time datetime="2026-12-06T10:00:00+09:00">2026年12月6日（日）10:00</time>')
    with translation.override("en"):
        assert "Sat" in event_when(start, start + datetime.timedelta(hours=2))
    assert event_when(start, None) == "" and event_when(None, start) == ""


def test_a_cards_picture_is_what_wagtails_image_tag_gives(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path)
    image = get_image_model().objects.create(title="商店街の写真", file=get_test_image_file())
    page = ArticlePage.objects.live().filter(locale__language_code="ja").first()
    page.hero_image, page.hero_alt = image, ""
    wagtail = Template('{% load wagtailimages_tags %}{% image page.hero_image fill-400x300 format-webp '
                       'alt=page.hero_alt_text loading="lazy" lang="ja" %}').render(Context({"page": page}))
    assert card_image(page) == wagtail and 'alt="商店街の写真"' in wagtail
    page.hero_alt = "店先"
    assert 'alt="店先"' in card_image(page) and f'lang="{page.locale.language_code}"' in card_image(page)
    page.hero_image = None
    assert card_image(page) == ""


def test_an_events_card_in_a_listing_shows_its_dates_and_venue(client):
    event = EventPage(title="カードの催し", slug="card-moyooshi", venue="四谷地域センター", organiser="テスト実行委員会",
                      start=timezone.now() + datetime.timedelta(days=3),
                      end=timezone.now() + datetime.timedelta(days=3, hours=2))
    EventIndexPage.objects.get().add_child(instance=event)
    event.save_revision().publish()
    html = client.get(EventIndexPage.objects.get().url).content.decode()
    card = html[html.index("カードの催し"):]
    assert "四谷地域センター" in card[:2000] and "<time datetime=" in card[:2000]


def test_what_the_application_loaded_is_frozen_and_what_a_request_makes_is_still_collected():
    try:
        assert freeze_loaded_objects() > 1000

        class Cycle:
            pass

        made = Cycle()
        made.me = made
        alive = weakref.ref(made)
        del made
        gc.collect()
        assert alive() is None
    finally:
        gc.unfreeze()


def test_the_kept_start_of_running_events_still_lists_the_right_ones_hours_later(settings):
    from unittest import mock

    from django.core.cache import caches

    settings.PAGE_CACHE_SECONDS = 600  # what a process keeps is kept (pages.caching.shared)
    caches["page_versions"].clear()
    caching.forget_shared()
    now = timezone.now()
    parent = EventIndexPage.objects.get()

    def event(slug, start, end):
        page = EventPage(title=slug, slug=slug, venue="会館", organiser="実行委員会", start=start, end=end)
        parent.add_child(instance=page)
        page.save_revision().publish()
        return page.pk

    running = event("running-long", now - datetime.timedelta(days=30), now + datetime.timedelta(hours=1))
    later = event("starts-later", now + datetime.timedelta(hours=3), now + datetime.timedelta(hours=5))
    upcoming = EventPage.objects.live().filter(slug__in=["running-long", "starts-later"])
    try:
        assert [page.pk for page in selectors.not_ended(upcoming)] == [running, later]
        with mock.patch("django.utils.timezone.now", return_value=now + datetime.timedelta(hours=2)):
            assert [page.pk for page in selectors.not_ended(upcoming)] == [later]  # the long one has ended
        assert caching.shared("events_running_from", None, lambda: None) <= now - datetime.timedelta(days=30)
    finally:
        caching.forget_shared()


def test_a_worker_freezes_what_it_keeps_once_after_its_first_requests(client):
    from portal import process

    url = DistrictPage.objects.live().first().url
    try:
        process.freeze_after_requests(3)
        client.get(url)
        client.get(url)
        assert gc.get_freeze_count() == 0
        client.get(url)
        frozen = gc.get_freeze_count()
        assert frozen > 1000
        gc.unfreeze()
        client.get(url)
        assert gc.get_freeze_count() == 0  # once only
    finally:
        gc.unfreeze()
