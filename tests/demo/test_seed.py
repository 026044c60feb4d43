"""seed_demo builds the demo site once; running it again changes nothing, and it tops up gaps."""

import pytest
from django.core.management import CommandError, call_command
from wagtail.models import Page

from pages.models import ArticlePage, EventPage, ShopPage, SpecialPage

pytestmark = pytest.mark.django_db


def _counts():
    return {model.__name__: model.objects.count() for model in (ArticlePage, ShopPage, EventPage, SpecialPage, Page)}


def test_running_seed_demo_again_adds_nothing(capsys):
    call_command("seed_demo", "--no-index")  # the capabilities' demo data (ads, surveys, ...) on top of the pages
    capsys.readouterr()
    before = _counts()
    call_command("seed_demo", "--no-index")
    assert _counts() == before
    assert "記事 0・店舗 0・イベント 0・特集 0 件" in capsys.readouterr().out


def test_a_deleted_demo_page_is_replaced_without_a_duplicate_slug():
    ArticlePage.objects.get(slug="article-5").delete()
    call_command("seed_demo", "--no-index")
    slugs = list(ArticlePage.objects.values_list("slug", flat=True))
    assert len(slugs) == len(set(slugs)) == 32
    assert "article-33" in slugs and "article-5" not in slugs
    assert all(not ids for ids in Page.find_problems())


def test_scale_multiplies_the_volume():
    call_command("seed_demo", "--scale", "2", "--no-index")
    assert ArticlePage.objects.count() == 64 and ShopPage.objects.count() == 48 and EventPage.objects.count() == 36


def test_a_scale_below_one_is_refused():
    with pytest.raises(CommandError, match="--scale"):
        call_command("seed_demo", "--scale", "0")
