"""
An imported ward notice is found by a word inside its Japanese text, through Wagtail's search
backend and the portal's own cross-source search, on the real search engine. The feed comes from
a local HTTP server (tests/wardinfo/feed_server.py); the importer's other behaviour is tested
without the engine in tests/wardinfo/test_importer.py.
"""

import pytest
from django.core.management import call_command

from tests.wardinfo.feed_server import local_feeds
from wardinfo.models import WardNotice

pytestmark = pytest.mark.django_db


@pytest.fixture
def feeds(settings, db):
    with local_feeds(settings) as server:
        yield server


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
