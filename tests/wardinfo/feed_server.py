"""
The ward's feeds served by a local HTTP server (loopback, a free port): RSS 1.0 in Shift_JIS,
RSS 2.0, Atom and a malformed one, answering 304 to a request with the current ETag.

Shared by the importer's unit tests (tests/wardinfo/) and the one test that also needs the
search engine (tests/integration/test_ward_feeds.py); it needs no other service.
"""

import contextlib
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from wardinfo.models import FeedSource, WardNotice

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

    def close(self):
        self.httpd.shutdown()
        self.httpd.server_close()


@contextlib.contextmanager
def local_feeds(settings):
    """Only this test's feeds (the demo's source and notices go), fetched from loopback, no back-off."""
    WardNotice.objects.all().delete()
    FeedSource.objects.all().delete()
    settings.WARDINFO_ALLOW_PRIVATE_NETWORKS = True
    settings.WARDINFO_BACKOFF_SECONDS = 0
    server = FeedServer()
    try:
        yield server
    finally:
        server.close()
