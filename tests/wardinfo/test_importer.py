"""
Importing the ward's feeds from a local HTTP server (tests/wardinfo/feed_server.py): RSS 1.0 in
Shift_JIS, RSS 2.0, Atom and a malformed one. Imported twice, each item is stored once; an
upstream change updates it; a 304 does no work; the malformed feed keeps what was stored and
records the error; keyword rules tag notices; private and non-HTTP addresses are refused.

No database or search engine beyond the unit run's own: finding an imported notice through the
search engine is tests/integration/test_ward_feeds.py.
"""

import pytest
from django.core.management import CommandError, call_command

from pages.models import DistrictPage, ThemePage
from tests.wardinfo.feed_server import RSS2
from wardinfo.importer import FeedError, import_source
from wardinfo.models import FeedSource, WardNotice

pytestmark = pytest.mark.django_db


def test_importing_twice_stores_each_item_once_and_a_304_does_no_work(feeds):
    for path in ("/rss1", "/rss2", "/atom"):
        call_command("import_ward_feed", feeds.url + path)
    assert WardNotice.objects.count() == 4
    sjis = WardNotice.objects.get(url="http://ward.test/kosodate/1.html")
    assert sjis.title == "子育て応援講座の参加者を募集します" and "大久保地域センター" in sjis.summary
    drill = WardNotice.objects.get(url="http://ward.test/bousai/2.html")
    assert "<script" not in drill.summary and "避難所" in drill.summary

    for path in ("/rss1", "/rss2", "/atom"):
        result = import_source(FeedSource.objects.get(url=feeds.url + path))
        assert result.not_modified, "the second fetch is answered 304 and does nothing"
    assert WardNotice.objects.count() == 4
    assert all(etag for _path, etag in feeds.requests[-3:]), "conditional requests sent"


def test_an_upstream_change_updates_the_item(feeds):
    call_command("import_ward_feed", feeds.url + "/rss2")
    feeds.feeds["/rss2"] = ("application/rss+xml", "".join(RSS2.format(title="区報 11月号（訂正）")).encode())
    result = import_source(FeedSource.objects.get(url=feeds.url + "/rss2"))
    assert (result.created, result.updated) == (0, 1)
    assert WardNotice.objects.get(guid="kuho-3").title == "区報 11月号（訂正）"


def test_a_malformed_feed_keeps_what_was_stored_and_records_the_error(feeds):
    call_command("import_ward_feed", feeds.url + "/rss2", "--name", "区報")
    source = FeedSource.objects.get(url=feeds.url + "/rss2")
    feeds.feeds["/rss2"] = feeds.feeds["/broken"]
    source.etag = ""
    source.save()
    with pytest.raises(FeedError):
        import_source(source)
    source.refresh_from_db()
    assert "形式が正しくありません" in source.last_error and source.last_error_at
    assert WardNotice.objects.filter(source=source).count() == 1


def test_private_addresses_are_refused_unless_allowed(settings):
    settings.WARDINFO_ALLOW_PRIVATE_NETWORKS = False
    with pytest.raises(CommandError, match="内部ネットワーク"):
        call_command("import_ward_feed", "http://127.0.0.1:9/feed")
    assert not FeedSource.objects.filter(url="http://127.0.0.1:9/feed").exists()


def test_keyword_rules_tag_notices_with_districts_and_themes(feeds):
    source = FeedSource.objects.create(name="新着", url=feeds.url + "/rss1",
                                       keyword_rules="子育て, 保育 → 子育て\n大久保 → 大久保\n避難所 → 防災")
    import_source(source)
    course = WardNotice.objects.get(url="http://ward.test/kosodate/1.html")
    drill = WardNotice.objects.get(url="http://ward.test/bousai/2.html")
    assert list(course.themes.values_list("slug", flat=True)) == [ThemePage.objects.get(title="子育て").slug]
    assert list(course.districts.all()) == [DistrictPage.objects.get(slug="okubo")]
    assert list(drill.themes.values_list("title", flat=True)) == ["防災"] and not drill.districts.exists()


def test_a_non_http_address_is_refused(settings):
    with pytest.raises(CommandError, match="http または https"):
        call_command("import_ward_feed", "file:///etc/passwd")
