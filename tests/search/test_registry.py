"""The registry keeps the index in step with each source: saves, deletions, many-to-many changes, rebuilds."""

import pytest
from django.core.management import call_command
from django.utils import timezone

from pages.models import DistrictPage, ThemePage
from search import registry
from search.models import SearchDocument, SuggestTerm
from search.registry import Document, Source
from search.sync import rebuild_documents, sync_object
from wardinfo.models import FeedSource, WardNotice

pytestmark = pytest.mark.django_db


def _notice(**extra):
    source = FeedSource.objects.create(name="区のお知らせ", url="https://city.example.jp/feed.xml")
    return WardNotice.objects.create(source=source, guid="n1", title="避難所の開設訓練を行います",
                                     summary="<p>区立小学校で<b>避難所</b>の開設訓練を行います。</p>",
                                     url="https://city.example.jp/notice/1", published_at=timezone.now(), **extra)


def test_every_app_declares_its_sources():
    names = {source.name for source in registry.sources()}
    assert {"pages.article", "pages.shop", "pages.event", "pages.special", "pages.district", "pages.theme",
            "wardinfo.notice"} <= names
    assert registry.types()["notice"] == "区のお知らせ"


def test_a_ward_notice_is_indexed_with_its_districts_and_themes_as_they_change(client):
    WardNotice.objects.all().delete()  # the demo's notices mention 避難所 in 大久保 too
    notice = _notice()
    doc = SearchDocument.objects.get(key=f"wardinfo.notice:{notice.pk}")
    assert doc.url == notice.url and "<b>" not in doc.body and "避難所" in doc.body
    notice.districts.add(DistrictPage.objects.get(slug="okubo"))
    notice.themes.add(ThemePage.objects.get(slug="bosai"))
    doc.refresh_from_db()
    assert SearchDocument.unpack(doc.districts) == ["okubo"] and SearchDocument.unpack(doc.themes) == ["bosai"]
    data = client.get("/api/v3/search/", {"q": "避難所", "district": "okubo"}).json()
    assert [(r["type"], r["id"]) for r in data["results"]][:1] == [("notice", notice.pk)]
    notice.delete()
    assert not SearchDocument.objects.filter(key=doc.key).exists()


def test_a_document_that_cannot_be_built_is_removed_not_left_stale():
    notice = _notice()
    key = f"wardinfo.notice:{notice.pk}"
    broken = Source(name="wardinfo.notice", type="notice", label="区のお知らせ", model=WardNotice,
                    visible=WardNotice.objects.all, document=lambda obj: 1 / 0)
    assert SearchDocument.objects.filter(key=key).exists()
    sync_object(broken, notice.pk)
    assert not SearchDocument.objects.filter(key=key).exists()


def test_register_and_unregister_connect_and_disconnect_the_signals():
    calls = []
    source = registry.register(Source(
        name="test.notices", type="notice", label="区のお知らせ", model=WardNotice, visible=WardNotice.objects.all,
        document=lambda obj: calls.append(obj.pk) or Document(title=obj.title, url=obj.url),
    ))
    notice = _notice()
    assert calls == [notice.pk]
    registry.unregister(source.name)
    notice.save()
    assert calls == [notice.pk]
    SearchDocument.objects.filter(source="test.notices").delete()


def test_a_rebuild_writes_every_visible_object_and_removes_the_rest():
    stale = SearchDocument.objects.create(key="pages.article:999999", source="pages.article", object_id="999999",
                                          type="article", title="消えた記事", url="/gone/")
    SearchDocument.objects.filter(source="pages.theme").delete()
    count = rebuild_documents()
    assert not SearchDocument.objects.filter(pk=stale.pk).exists()
    assert SearchDocument.objects.filter(source="pages.theme").count() == ThemePage.objects.live().public().count()
    assert count == SearchDocument.objects.count()
    assert SuggestTerm.objects.filter(phrase="子育て").exists()


def test_the_command_rebuilds_on_the_database_alone(capsys):
    call_command("rebuild_search_index")
    assert "database:" in capsys.readouterr().out
