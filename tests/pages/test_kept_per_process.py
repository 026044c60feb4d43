"""
What a process keeps between requests (pages.caching.shared: sites, routes, the menu, breadcrumbs,
districts and themes, the language switcher's translations, the sidebars of ward notices, related
sites, surveys and the board) is never stale: a change shows on the next page rendered, in any
process, because the change bumps the page cache's generations the entries were kept under.
Every GET here is rendered (the page cache's entries are emptied before it).
"""

import datetime

import pytest
from django.core.cache import caches
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from moderation import services as moderation_services
from moderation.models import Board, Post, Status
from pages import caching
from pages.models import ArticlePage, DistrictIndexPage, DistrictPage, HomePage
from wardinfo.models import FeedSource, WardNotice

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def kept(settings):
    settings.PAGE_CACHE_SECONDS = 600
    caches["page_versions"].clear()
    caches["pages"].clear()
    caching.forget_shared()
    yield
    caching.forget_shared()
    caches["pages"].clear()


def rendered(client, url):
    """The page as rendered now (not the page cache's copy)."""
    caches["pages"].clear()
    response = client.get(url)
    assert response.status_code == 200, url
    return response.content.decode()


def _ja(model):
    return model.objects.live().filter(locale__language_code="ja").order_by("path").first()


def _publish_title(page, title):
    page.title = title
    page.save_revision().publish()


def test_a_second_render_reads_what_was_kept_instead_of_asking_the_database(client):
    url = _ja(DistrictPage).url
    with CaptureQueriesContext(connection) as first:
        page = rendered(client, url)
    with CaptureQueriesContext(connection) as second:
        again = rendered(client, url)
    kept = ("wagtailcore_site", "wagtailcore_locale", "moderation_board", "wardinfo_wardnotice", "wardinfo_relatedsite")
    assert [query["sql"] for query in second.captured_queries if any(f'FROM "{table}"' in query["sql"] for table in kept)] == []
    assert len(second) + 8 <= len(first)
    assert _main_title(page) == _main_title(again)


def _main_title(html):
    return html[html.index("<h1"):html.index("</h1>")]


def test_a_published_title_shows_at_once_in_the_menu_the_breadcrumbs_and_the_term_lists(client, committed):
    district = _ja(DistrictPage)
    index = _ja(DistrictIndexPage)
    rendered(client, "/"), rendered(client, district.url)
    committed(lambda: _publish_title(index, "まちの地域一覧"))
    committed(lambda: _publish_title(DistrictPage.objects.get(pk=district.pk), "改名した地域"))
    home, page = rendered(client, "/"), rendered(client, district.url)
    assert "まちの地域一覧" in home and "改名した地域" in home  # the menu and the districts' chips
    assert "まちの地域一覧" in page  # the breadcrumbs and the menu


def test_an_unpublished_page_is_gone_at_once_though_its_route_was_kept(client, committed):
    article = _ja(ArticlePage)
    rendered(client, article.url)
    committed(lambda: article.unpublish())
    caches["pages"].clear()
    assert client.get(article.url).status_code == 404


def _total(html):
    import re

    found = re.search(r"全(\d+)件中", html)
    return int(found.group(1)) if found else None


def test_a_districts_count_of_items_changes_at_once_when_an_article_is_published_or_unpublished(
        client, committed, settings):
    settings.PORTAL_PAGE_SIZE = 2  # the pager (and its 「全N件中」) shows from the second page of items
    district = _ja(DistrictPage)
    article = ArticlePage.objects.live().filter(locale__language_code="ja").exclude(districts=district).first()
    before = _total(rendered(client, district.url))
    assert before and _total(rendered(client, district.url)) == before  # the second render reads the kept count

    def tag_and_publish():
        page = ArticlePage.objects.get(pk=article.pk)
        page.districts.add(district)
        page.save_revision().publish()

    committed(tag_and_publish)
    assert _total(rendered(client, district.url)) == before + 1
    committed(lambda: ArticlePage.objects.get(pk=article.pk).unpublish())
    assert _total(rendered(client, district.url)) == before


def _notice(district):
    source = FeedSource.objects.order_by("pk").first()
    notice = WardNotice.objects.create(source=source, guid="kept-1", title="臨時の区からのお知らせ（地域）",
                                       url="https://www.city.shinjuku.lg.jp/kept-1",
                                       published_at=timezone.now() - datetime.timedelta(minutes=1))
    notice.districts.add(district)


def test_an_imported_ward_notice_shows_at_once_on_its_district_page(client, committed):
    district = _ja(DistrictPage)
    assert "臨時の区からのお知らせ（地域）" not in rendered(client, district.url)
    committed(lambda: _notice(district))
    assert "臨時の区からのお知らせ（地域）" in rendered(client, district.url)


def test_a_hidden_thread_leaves_its_district_page_at_once(client, committed, moderator):
    board = Board.objects.filter(active=True, district__isnull=False, threads__isnull=False).order_by("pk").first()
    opening = Post.objects.filter(thread__board=board, is_opening=True, status=Status.SHOWN).order_by(
        "-thread__last_posted_at", "-thread__pk").select_related("thread").first()
    district = DistrictPage.objects.get(pk=board.district_id)
    assert opening.thread.title in rendered(client, district.url)
    committed(lambda: moderation_services.hide(opening, moderator, "テストのため非表示にします。"))
    assert opening.thread.title not in rendered(client, district.url)


def test_nothing_is_kept_without_the_page_cache(client, settings):
    settings.PAGE_CACHE_SECONDS = 0
    district = _ja(DistrictPage)
    rendered(client, district.url)
    DistrictPage.objects.filter(pk=district.pk).update(title="更新したばかりの地域")  # no signal, no bump
    assert "更新したばかりの地域" in rendered(client, district.url)


def test_nothing_read_inside_a_transaction_is_kept():
    loads = []
    with transaction.atomic():
        caching.shared("test", 1, lambda: loads.append(1))
        caching.shared("test", 1, lambda: loads.append(2))
    caching.shared("test", 1, lambda: loads.append(3))
    caching.shared("test", 1, lambda: loads.append(4))
    assert loads == [1, 2, 3]


def test_a_flushed_generation_store_retires_what_was_kept(client):
    home = _ja(HomePage)
    rendered(client, "/")
    HomePage.objects.filter(pk=home.pk).update(title="新しい名前のポータル")  # no signal, no bump
    caches["page_versions"].clear()  # Redis flushed: the generations are set afresh, never read as before
    assert "新しい名前のポータル" in rendered(client, "/")


def test_a_bump_of_one_section_retires_only_what_names_it():
    from portal import page_cache

    loads = []
    caching.shared("notices", 1, lambda: loads.append("notices"), sections=("notices",))
    caching.shared("menu", 1, lambda: loads.append("menu"))
    page_cache.bump("notices")
    # Outside a request the generations are read on each call.
    caching.shared("notices", 1, lambda: loads.append("notices again"), sections=("notices",))
    caching.shared("menu", 1, lambda: loads.append("menu again"))
    assert loads == ["notices", "menu", "notices again"]
