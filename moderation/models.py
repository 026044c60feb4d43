"""
Residents' contributions and their moderation.

Every kind of contribution (a board post, a submission of local information, a shop, a
correction or an event) has the same moderated shape (``Moderated``): a status decided by the
screening pipeline and by moderators, the reasons, the time it entered the queue and who
decided. The queue, the audit trail and the retention rules work on that shape once, for every
kind registered in ``moderation.registry`` (``moderation_kinds.py`` registers these two; other
apps' models inherit ``Moderated`` and register theirs).

Search: ``search_sources.py`` declares what residents may find (visible posts and local
information); the search app keeps its index in step.

Nothing a resident writes is ever shown as HTML they wrote: ``Post.body`` keeps the text as
written (control characters removed), ``Post.body_html`` is what the sanitiser made of it.
"""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from modelcluster.fields import ParentalManyToManyField
from modelcluster.models import ClusterableModel
from wagtail.contrib.settings.models import BaseGenericSetting, register_setting


class Status(models.TextChoices):
    SHOWN = "shown", _("公開中")
    HELD = "held", _("確認待ち")
    HIDDEN = "hidden", _("非表示")
    REFUSED = "refused", _("掲載不可")
    DELETED = "deleted", _("投稿者が削除")


# What waits for a moderator: held, or shown with reports not yet dealt with. The queue, its
# count and approval ("take it out of the queue") all read this one rule.
WAITING = Q(status=Status.HELD) | Q(status=Status.SHOWN, flag_count__gt=0)


class Moderated(models.Model):
    """
    The shape every moderated contribution shares (see the module's docstring). An abstract
    model, so that another app's kind (``moderation.registry``) inherits these fields into its
    own table and the queue can filter and sort on them in the database.
    """

    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+",
                               verbose_name="投稿者")
    status = models.CharField("状態", max_length=10, choices=Status.choices, default=Status.HELD, db_index=True)
    status_reason = models.TextField("理由（投稿者に表示）", blank=True)
    screening = models.JSONField("自動確認の結果", default=list, blank=True,
                                 help_text="[{code, message}]: 保留・不可になった理由")
    flag_count = models.PositiveIntegerField("未対応の通報数", default=0)
    queued_at = models.DateTimeField("確認待ちになった日時", null=True, blank=True, db_index=True)
    decided_at = models.DateTimeField("判断した日時", null=True, blank=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+", verbose_name="判断したスタッフ")
    address_hash = models.CharField("送信元の照合値", max_length=64, blank=True, editable=False,
                                    help_text="IP アドレスそのものは保存しません（鍵付きハッシュ）。")
    created_at = models.DateTimeField("投稿日時", default=timezone.now, db_index=True)
    updated_at = models.DateTimeField("更新日時", auto_now=True)

    class Meta:
        abstract = True

    @property
    def is_visible(self):
        return self.status == Status.SHOWN

    @property
    def in_queue(self):
        """The Python side of ``WAITING``."""
        return self.status == Status.HELD or (self.status == Status.SHOWN and self.flag_count > 0)

    def author_name(self):
        """The public name: the nickname, or 「退会したユーザー」."""
        author = self.author
        if author.withdrawn_at or not author.nickname:
            return "退会したユーザー"
        return author.nickname


class Board(models.Model):
    """A bulletin board (掲示板) of one district or one theme."""

    title = models.CharField("掲示板の名前", max_length=80)
    slug = models.SlugField("スラッグ", max_length=80, unique=True)
    description = models.CharField("説明", max_length=200, blank=True)
    district = models.ForeignKey("pages.DistrictPage", null=True, blank=True, on_delete=models.SET_NULL,
                                 related_name="+", verbose_name="地域")
    theme = models.ForeignKey("pages.ThemePage", null=True, blank=True, on_delete=models.SET_NULL,
                              related_name="+", verbose_name="テーマ")
    sort_order = models.PositiveIntegerField("表示順", default=100)
    active = models.BooleanField("投稿を受け付ける", default=True)

    class Meta:
        verbose_name = "掲示板"
        verbose_name_plural = "掲示板"
        ordering = ["sort_order", "pk"]

    def __str__(self):
        return self.title


class Thread(models.Model):
    """A topic on a board. It is visible while its opening post is."""

    board = models.ForeignKey(Board, on_delete=models.CASCADE, related_name="threads", verbose_name="掲示板")
    title = models.CharField("題名", max_length=100)
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+",
                               verbose_name="投稿者")
    created_at = models.DateTimeField("作成日時", default=timezone.now)
    last_posted_at = models.DateTimeField("最終投稿日時", default=timezone.now, db_index=True)

    class Meta:
        verbose_name = "スレッド"
        verbose_name_plural = "スレッド"
        ordering = ["-last_posted_at", "-pk"]

    def __str__(self):
        return self.title

    @property
    def opening(self):
        return self.posts.filter(is_opening=True).first()


class Post(Moderated):
    thread = models.ForeignKey(Thread, on_delete=models.CASCADE, related_name="posts", verbose_name="スレッド")
    is_opening = models.BooleanField("スレッドの最初の投稿", default=False)
    body = models.TextField("本文（入力されたまま）")
    body_html = models.TextField("本文（表示用・無害化済み）", editable=False)
    edited_at = models.DateTimeField("編集日時", null=True, blank=True)

    class Meta:
        verbose_name = "掲示板の投稿"
        verbose_name_plural = "掲示板の投稿"
        ordering = ["created_at", "pk"]

    def __str__(self):
        return f"{self.thread.title}（#{self.pk}）"

    @classmethod
    def from_db(cls, db, field_names, values):
        post = super().from_db(db, field_names, values)
        post.loaded_status = post.__dict__.get("status")  # to tell when a save changed the status
        return post

    @property
    def title(self):
        return self.thread.title

    @property
    def district(self):
        return self.thread.board.district


def _image_path(instance, filename):
    return f"board/{timezone.now():%Y/%m}/{uuid.uuid4().hex}.{filename.rsplit('.', 1)[-1]}"


class PostImage(models.Model):
    """An image of a post: re-encoded on upload, so no metadata (such as a GPS position) survives."""

    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="images")
    file = models.FileField(upload_to=_image_path)
    width = models.PositiveIntegerField()
    height = models.PositiveIntegerField()
    content_type = models.CharField(max_length=30)
    alt = models.CharField("代替テキスト", max_length=120, blank=True)

    class Meta:
        ordering = ["pk"]


class Submission(Moderated, ClusterableModel):
    """
    A resident's submission: local information (投稿情報), a new shop or organisation, a correction
    to a listed shop, or an event. Always reviewed when it would become a page; ``data`` holds
    the fields of its kind, as the form cleaned them.
    """

    class Kind(models.TextChoices):
        LOCAL_INFO = "local_info", _("地域の情報")
        NEW_SHOP = "new_shop", _("お店・団体の登録")
        SHOP_CORRECTION = "shop_correction", _("お店・団体の情報の訂正")
        EVENT = "event", _("イベント情報")

    # Kinds that become pages in the editorial workflow, and are therefore always reviewed.
    PAGE_KINDS = (Kind.NEW_SHOP, Kind.SHOP_CORRECTION, Kind.EVENT)

    kind = models.CharField("種類", max_length=20, choices=Kind.choices, db_index=True)
    title = models.CharField("題名", max_length=120)
    body = models.TextField("本文・説明")
    data = models.JSONField("内容", default=dict, blank=True)
    district = models.ForeignKey("pages.DistrictPage", null=True, blank=True, on_delete=models.SET_NULL,
                                 related_name="+", verbose_name="地域")
    themes = ParentalManyToManyField("pages.ThemePage", blank=True, related_name="+", verbose_name="テーマ")
    target_page = models.ForeignKey("wagtailcore.Page", null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+", verbose_name="訂正するページ")
    created_page = models.ForeignKey("wagtailcore.Page", null=True, blank=True, on_delete=models.SET_NULL,
                                     related_name="+", verbose_name="作成したページ")
    credit_nickname = models.BooleanField("ニックネームを掲載する", default=False)

    class Meta:
        verbose_name = "投稿情報"
        verbose_name_plural = "投稿情報"
        ordering = ["-created_at", "-pk"]

    def __str__(self):
        return self.title

    @property
    def is_page_kind(self):
        return self.kind in self.PAGE_KINDS


class Flag(models.Model):
    """A resident's report (通報) of a post. One per reporter and post."""

    class Reason(models.TextChoices):
        ABUSE = "abuse", _("誹謗中傷・差別")
        PERSONAL = "personal", _("個人情報")
        SPAM = "spam", _("宣伝・スパム")
        ILLEGAL = "illegal", _("違法・公序良俗に反する")
        OTHER = "other", _("その他")

    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="flags", verbose_name="投稿")
    reporter = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+",
                                 verbose_name="通報者")
    reason = models.CharField("理由", max_length=20, choices=Reason.choices)
    comment = models.CharField("補足", max_length=300, blank=True)
    created_at = models.DateTimeField("通報日時", default=timezone.now)
    resolved_at = models.DateTimeField("対応日時", null=True, blank=True,
                                       help_text="スタッフが投稿について判断した日時（その時点までの通報は対応済み）")

    class Meta:
        verbose_name = "通報"
        verbose_name_plural = "通報"
        constraints = [models.UniqueConstraint(fields=["post", "reporter"], name="moderation_flag_once")]


class NGWord(models.Model):
    """A word that refuses or holds a contribution, matched after Japanese normalisation."""

    class Action(models.TextChoices):
        REFUSE = "refuse", "掲載しない"
        HOLD = "hold", "確認待ちにする"

    word = models.CharField("語句", max_length=60, unique=True)
    action = models.CharField("見つかったとき", max_length=10, choices=Action.choices, default=Action.REFUSE)
    note = models.CharField("メモ", max_length=200, blank=True)
    active = models.BooleanField("有効", default=True)
    created_at = models.DateTimeField("登録日時", default=timezone.now)

    class Meta:
        verbose_name = "NGワード"
        verbose_name_plural = "NGワード"
        ordering = ["word"]

    def __str__(self):
        return self.word


class Sanction(models.Model):
    """A moderator's measure against a member's posting: a warning, a suspension for a period, a ban."""

    class Kind(models.TextChoices):
        WARN = "warn", _("注意")
        SUSPEND = "suspend", _("投稿の一時停止")
        BAN = "ban", _("投稿の禁止")

    member = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="sanctions",
                               verbose_name="会員")
    kind = models.CharField("種類", max_length=10, choices=Kind.choices)
    reason = models.TextField("理由")
    until = models.DateTimeField("期限", null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL,
                                   related_name="+", verbose_name="スタッフ")
    created_at = models.DateTimeField("日時", default=timezone.now)
    lifted_at = models.DateTimeField("解除日時", null=True, blank=True)

    class Meta:
        verbose_name = "処分"
        verbose_name_plural = "処分"
        ordering = ["-created_at"]

    def is_active(self, now=None):
        now = now or timezone.now()
        if self.kind == self.Kind.WARN or self.lifted_at:
            return False
        return self.until is None or self.until > now


@register_setting(icon="warning")
class ModerationSettings(BaseGenericSetting):
    """The moderation policy, set by the operator in the admin (設定 → 投稿の審査)."""

    trusted_after_approved_posts = models.PositiveIntegerField(
        "確認なしで公開するまでの承認済み投稿数", default=3,
        help_text="新しい会員の投稿は、承認された投稿がこの数になるまで確認待ちになります。0 にすると最初から公開します。")
    flags_to_hide = models.PositiveIntegerField("非表示にする通報数", default=3,
                                                help_text="異なる会員からこの数の通報があると、確認まで非表示にします。")
    max_links = models.PositiveIntegerField("1件の投稿に書けるリンクの数", default=3)
    edit_window_minutes = models.PositiveIntegerField("投稿を編集できる時間（分）", default=30)
    review_local_info = models.BooleanField(
        "地域の情報の投稿はすべて確認してから公開する", default=True,
        help_text="お店・団体とイベントの投稿は、この設定にかかわらず必ず確認します。")

    class Meta:
        verbose_name = "投稿の審査"
