"""
The ward's feeds, served by a local HTTP server: RSS 1.0 in Shift_JIS, RSS 2.0, Atom and a
malformed one. Imported twice, each item is stored once; an upstream change updates it; a 304
does no work; the malformed feed keeps what was stored and records the error.
"""

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.core.management import call_command

from wardinfo.importer import FeedError, import_source
from wardinfo.models import FeedSource, WardNotice

pytestmark = pytest.mark.django_db

RSS1 = """<?xml version="1.0" encoding="Shift_JIS"?>
<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns="http://purl.org/rss/1.0/"
  xmlns:dc="http://purl.org/dc/elements/1.1/">
 <channel rdf:about="http://ward.test/rss1"><title>新宿区 新着情報</title><link>http://ward.test/</link>
  <description>区のお知らせ</description></channel>
 <item rdf:about="http://ward.test/kosodate/1.html"><title>子育て応援講座の参加者を募集します</title>
  <link>http://ward.test/kosodate/1.html</link>
  <description>大久保地域センターで、乳幼児の保護者向け講座を開きます。</description>
  <dc:date>2026-11-20T09:00:00+09:00</dc:date></item>
 <item rdf:about="http://ward.test/bousai/2.html"><title>総合防災訓練のお知らせ</title>
  <link>http://ward.test/bousai/2.html</link><description>&lt;p&gt;避難所の開設訓練を行います。&lt;script&gt;alert(1)&lt;/script&gt;&lt;/p&gt;</description>
  <dc:date>2026-11-21T10:00:00+09:00</dc:date></item>
</rdf:RDF>"""

RSS2 = """<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel><title>区報</title>
<link>http://ward.test/</link><description>区報</description>
<item><title>{title}</title><link>http://ward.test/kuho/3.html</link><guid>kuho-3</guid>
<description>高齢者の見守りについて</description><pubDate>Sun, 22 Nov 2026 01:00:00 GMT</pubDate></item>
</channel></rss>"""

ATOM = """<?xml version="1.0" encoding="utf-8"?><feed xmlns="http://www.w3.org/2005/Atom">
<title>新宿区 イベント</title><id>urn:ward:events</id><updated>2026-11-23T00:00:00Z</updated>
<entry><title>図書館まつり</title><id>urn:ward:event:4</id><link href="http://ward.test/event/4.html"/>
<updated>2026-11-23T00:00:00Z</updated><summary>中央図書館で本のリサイクルを行います。</summary></entry></feed>"""

MALFORMED = """<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel><title>壊れた
<item><title>閉じていない"""


class FeedServer:
    def __init__(self):
        self.feeds = {"/rss1": ("application/rss+xml", RSS1.encode("shift_jis")),
                      "/rss2": ("application/rss+xml", RSS2.format(title="区報 11月号").encode()),
                      "/atom": ("application/atom+xml", ATOM.encode()),
                      "/broken": ("application/rss+xml", MALFORMED.encode())}
        self.requests = []
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):
                server.requests.append((self.path, self.headers.get("If-None-Match")))
                content_type, body = server.feeds[self.path]
                etag = f'"{hash(body)}"'
                if self.headers.get("If-None-Match") == etag:
                    self.send_response(304)
                    self.end_headers()
                    return
                self.send_response(200)
                self.send_header("Content-Type", content_type)
                self.send_header("ETag", etag)
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()


@pytest.fixture
def feeds(settings, db):
    # Only this test's feeds: the demo's source and notices go (and leave the search index).
    WardNotice.objects.all().delete()
    FeedSource.objects.all().delete()
    settings.WARDINFO_ALLOW_PRIVATE_NETWORKS = True
    settings.WARDINFO_BACKOFF_SECONDS = 0
    server = FeedServer()
    yield server
    server.httpd.shutdown()


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
    from django.core.management import CommandError

    with pytest.raises(CommandError, match="内部ネットワーク"):
        call_command("import_ward_feed", "http://127.0.0.1:9/feed")
    assert not FeedSource.objects.filter(url="http://127.0.0.1:9/feed").exists()


def test_an_imported_notice_is_found_by_a_word_inside_its_japanese_text(feeds, client,
                                                                       django_capture_on_commit_callbacks):
    from wagtail.search.backends import get_search_backend

    with django_capture_on_commit_callbacks(execute=True):
        call_command("import_ward_feed", feeds.url + "/rss1")
    backend = get_search_backend()
    backend.get_index_for_model(WardNotice).refresh()
    found = [n.url for n in backend.search("避難所", WardNotice)]
    assert found == ["http://ward.test/bousai/2.html"]
    found = [n.url for n in backend.search("保護者", WardNotice)]
    assert found == ["http://ward.test/kosodate/1.html"]
    # … and through the portal's own search, as a resident finds it (cross-source, on the engine).
    from search.engine import get_engine

    get_engine().refresh()
    answer = client.get("/api/v3/search/", {"q": "避難所", "type": "notice"}).json()
    assert answer["backend"] == "engine" and [r["url"] for r in answer["results"]] == ["http://ward.test/bousai/2.html"]


def test_keyword_rules_tag_notices_with_districts_and_themes(feeds):
    from pages.models import DistrictPage, ThemePage

    source = FeedSource.objects.create(name="新着", url=feeds.url + "/rss1",
                                       keyword_rules="子育て, 保育 → 子育て\n大久保 → 大久保\n避難所 → 防災")
    import_source(source)
    course = WardNotice.objects.get(url="http://ward.test/kosodate/1.html")
    drill = WardNotice.objects.get(url="http://ward.test/bousai/2.html")
    assert list(course.themes.values_list("slug", flat=True)) == [ThemePage.objects.get(title="子育て").slug]
    assert list(course.districts.all()) == [DistrictPage.objects.get(slug="okubo")]
    assert list(drill.themes.values_list("title", flat=True)) == ["防災"] and not drill.districts.exists()


def test_a_non_http_address_is_refused(settings):
    from django.core.management import CommandError

    with pytest.raises(CommandError, match="http または https"):
        call_command("import_ward_feed", "file:///etc/passwd")
