"""
Ward information (区政情報): notices imported from the ward's official CMS feeds.

A ``FeedSource`` is a feed the operator configured; each of its items becomes a ``WardNotice``
that always links to the official page and is marked as the ward's information.
"""

from django.db import models
from django.utils import timezone
from modelcluster.fields import ParentalManyToManyField
from modelcluster.models import ClusterableModel
from wagtail.search import index


class FeedSource(ClusterableModel):
    name = models.CharField("名称", max_length=120)
    url = models.URLField("フィードの URL", max_length=500, unique=True)
    active = models.BooleanField("取り込む", default=True)
    interval_minutes = models.PositiveIntegerField("取り込み間隔（分）", default=60)
    districts = ParentalManyToManyField("pages.DistrictPage", blank=True, verbose_name="既定の地域",
                                        related_name="+")
    themes = ParentalManyToManyField("pages.ThemePage", blank=True, verbose_name="既定のテーマ", related_name="+")
    keyword_rules = models.TextField(
        "キーワードの規則", blank=True,
        help_text="1行に1規則: 「キーワード, キーワード → 地域またはテーマの名前」 例: 子育て, 保育 → 子育て",
    )
    etag = models.CharField(max_length=200, blank=True, editable=False)
    last_modified = models.CharField(max_length=100, blank=True, editable=False)
    last_fetched_at = models.DateTimeField("最終取り込み", null=True, blank=True, editable=False)
    last_error = models.TextField("直近のエラー", blank=True, editable=False)
    last_error_at = models.DateTimeField("エラー発生日時", null=True, blank=True, editable=False)

    class Meta:
        verbose_name = "フィード"
        verbose_name_plural = "フィード"

    def __str__(self):
        return self.name

    def is_due(self, now=None):
        now = now or timezone.now()
        return self.last_fetched_at is None or now - self.last_fetched_at >= timezone.timedelta(
            minutes=self.interval_minutes)


class WardNotice(index.Indexed, models.Model):
    source = models.ForeignKey(FeedSource, on_delete=models.CASCADE, related_name="notices", verbose_name="フィード")
    guid = models.CharField("識別子", max_length=500)
    title = models.CharField("見出し", max_length=300)
    summary = models.TextField("概要", blank=True)
    url = models.URLField("区の公式ページ", max_length=500)
    published_at = models.DateTimeField("公開日時", db_index=True)
    updated_at = models.DateTimeField("更新日時", auto_now=True)
    districts = models.ManyToManyField("pages.DistrictPage", blank=True, verbose_name="地域", related_name="+")
    themes = models.ManyToManyField("pages.ThemePage", blank=True, verbose_name="テーマ", related_name="+")

    search_fields = [
        index.SearchField("title", boost=2),
        index.SearchField("summary"),
        index.FilterField("published_at"),
    ]

    class Meta:
        verbose_name = "区のお知らせ"
        verbose_name_plural = "区のお知らせ"
        ordering = ["-published_at", "-pk"]
        constraints = [models.UniqueConstraint(fields=["source", "guid"], name="wardinfo_notice_unique_guid")]

    def __str__(self):
        return self.title


class RelatedSite(ClusterableModel):
    """
    A link to one of the ward's related sites (the ward's own pages, its libraries, Tokyo's
    disaster prevention site, ...), managed by editors and shown on the district and theme
    pages it is tagged with. A site tagged with neither is shown on the home page.
    """

    title = models.CharField("サイト名", max_length=120)
    url = models.URLField("URL", max_length=500)
    description = models.CharField("説明", max_length=200, blank=True)
    districts = ParentalManyToManyField("pages.DistrictPage", blank=True, verbose_name="表示する地域",
                                        related_name="+")
    themes = ParentalManyToManyField("pages.ThemePage", blank=True, verbose_name="表示するテーマ",
                                     related_name="+")
    sort_order = models.PositiveIntegerField("表示順", default=100, help_text="小さいほど上に表示します")

    class Meta:
        verbose_name = "関連サイト"
        verbose_name_plural = "関連サイト"
        ordering = ["sort_order", "title", "pk"]

    def __str__(self):
        return self.title
