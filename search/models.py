"""
Search's own tables: the one index of everything a resident may find (``SearchDocument``,
filled from the registry's sources), completion words, anonymous query counts, and the index
changes waiting for the search engine to come back.
"""

from django.db import models


class SearchDocument(models.Model):
    """
    One visible object of a registered source, as a search result shows it and with the terms it
    is found by (``search.analysis``). The database backend searches these rows directly (SQLite
    FTS5 table / PostgreSQL ``tsv`` column, both added by migration 0001); the search engine holds
    a copy keyed by ``key``. Rows exist only for what ``Source.visible()`` returns.
    """

    key = models.CharField(max_length=120, unique=True)  # "pages.article:123"
    source = models.CharField(max_length=60, db_index=True)
    object_id = models.CharField(max_length=60)
    type = models.CharField(max_length=30, db_index=True)
    locale = models.CharField(max_length=10, default="ja")
    title = models.CharField(max_length=300)
    url = models.CharField(max_length=500)
    body = models.TextField(blank=True)
    date = models.DateTimeField(null=True, blank=True)
    districts = models.CharField(max_length=500, blank=True)  # "|yotsuya|okubo|"
    themes = models.CharField(max_length=500, blank=True)
    title_terms = models.TextField(blank=True)
    body_terms = models.TextField(blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "検索用文書"
        verbose_name_plural = "検索用文書"

    def __str__(self):
        return self.title

    @staticmethod
    def pack(slugs):
        return "|" + "|".join(slugs) + "|" if slugs else ""

    @staticmethod
    def unpack(packed):
        return [slug for slug in (packed or "").split("|") if slug]


class SuggestTerm(models.Model):
    """A word or compound from the titles, with its reading in hiragana, for completion."""

    phrase = models.CharField(max_length=100, unique=True)
    reading = models.CharField(max_length=200, db_index=True)
    weight = models.PositiveIntegerField(default=1)  # documents whose title has it (at the last rebuild)

    class Meta:
        verbose_name = "補完候補"
        verbose_name_plural = "補完候補"
        indexes = [models.Index(fields=["phrase"], name="portal_search_suggest_phrase")]

    def __str__(self):
        return self.phrase


class QueryStat(models.Model):
    """
    How often a query was searched on a day, and how often it found nothing. Nothing else: no
    user, no address, no session, no time of day. Queries that look like personal data (an
    e-mail address, a phone number) are counted under a placeholder, never stored.
    """

    day = models.DateField()
    query = models.CharField("検索語", max_length=100)
    searches = models.PositiveIntegerField("検索回数", default=0)
    zero_results = models.PositiveIntegerField("結果なしの回数", default=0)

    class Meta:
        verbose_name = "検索語の集計"
        verbose_name_plural = "検索語の集計"
        constraints = [models.UniqueConstraint(fields=["day", "query"], name="portal_search_querystat_unique")]

    def __str__(self):
        return f"{self.day} {self.query}"


class PendingIndexChange(models.Model):
    """
    A document whose change could not reach the search engine; replayed when it answers again.
    The portal's own documents by their key ("pages.article:123"); Wagtail's index by
    ``WAGTAIL_PREFIX`` and the object ("wagtail:pages.articlepage:123").
    """

    WAGTAIL_PREFIX = "wagtail:"

    key = models.CharField(max_length=120, unique=True)
    queued_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "検索エンジンへの未反映の変更"
        verbose_name_plural = "検索エンジンへの未反映の変更"


class SynonymGroup(models.Model):
    """
    Words residents use for the same thing (四ッ谷 = 四谷, ゴミ = ごみ = 廃棄物, garbage = ごみ): a
    query with one of them also finds documents with the others (``search.synonyms``), at once,
    without rebuilding the index. Kept by editors in the admin (スニペット → 同義語).
    """

    terms = models.TextField(
        "語", help_text="同じものを指す語を、1行に1語、または読点（、）やカンマで区切って入力します。")
    note = models.CharField("メモ", max_length=200, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "同義語"
        verbose_name_plural = "同義語"
        ordering = ["pk"]

    def __str__(self):
        return " = ".join(self.term_list()[:5])

    def clean(self):
        from django.core.exceptions import ValidationError

        if len(self.term_list()) < 2:
            raise ValidationError({"terms": "同義語は2語以上入力してください。"})

    def term_list(self):
        import re

        return [t.strip() for t in re.split(r"[\n,、，;；=＝]+", self.terms or "") if t.strip()][:50]
