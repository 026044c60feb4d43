import pytest

from tests.staff import login_staff
from wardinfo.models import FeedSource

pytestmark = pytest.mark.django_db


def test_the_feed_list_shows_each_source_and_its_last_error(client, administrator):
    FeedSource.objects.create(name="新宿区 新着情報", url="https://www.city.shinjuku.lg.jp/rss.xml",
                              last_error="フィードの形式が正しくありません")
    login_staff(client, administrator)
    html = client.get("/admin/snippets/wardinfo/feedsource/").content.decode()
    assert "新宿区 新着情報" in html and "フィードの形式が正しくありません" in html
