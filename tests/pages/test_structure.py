import pytest
from wagtail.models import Page, Site

from pages.models import ArticlePage, DistrictPage, EventPage, HomePage, ShopPage, SpecialPage, ThemePage

pytestmark = pytest.mark.django_db

WARD_DISTRICTS = ["四谷", "箪笥町", "榎町", "若松町", "大久保", "戸塚", "落合第一", "落合第二", "柏木", "角筈"]


def test_the_site_root_is_the_portal_home_page():
    site = Site.objects.get(is_default_site=True)
    assert isinstance(site.root_page.specific, HomePage)


def test_the_ten_districts_of_the_ward_are_published_in_order():
    assert list(DistrictPage.objects.live().order_by("path").values_list("title", flat=True)) == WARD_DISTRICTS


def test_the_theme_menus_include_the_four_the_ward_asked_for():
    titles = set(ThemePage.objects.live().values_list("title", flat=True))
    assert {"子育て", "介護", "遊び場", "防犯"} <= titles


def test_demo_volume_meets_the_minimums():
    assert ArticlePage.objects.live().count() >= 30
    assert ShopPage.objects.live().count() >= 20
    assert EventPage.objects.live().count() >= 15
    assert SpecialPage.objects.live().count() >= 3


def test_bulk_created_pages_are_a_valid_tree_with_a_published_revision():
    # treebeard's own consistency check: paths, depths and child counts agree.
    problems = Page.find_problems()
    assert all(not ids for ids in problems), problems
    article = ArticlePage.objects.live().first()
    assert article.live_revision_id and article.latest_revision_id == article.live_revision_id
    as_in_editor = article.get_latest_revision_as_object()
    assert list(as_in_editor.districts.all()) == list(article.districts.all())
    assert article.url.startswith("/articles/")


def test_event_end_before_start_is_refused_with_a_japanese_message():
    from django.core.exceptions import ValidationError

    event = EventPage.objects.first()
    event.end = event.start.replace(year=event.start.year - 1)
    with pytest.raises(ValidationError) as excinfo:
        event.full_clean()
    assert "終了日時は開始日時より後" in str(excinfo.value)
