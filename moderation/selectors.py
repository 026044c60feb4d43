"""
Reads of the moderation app: what a visitor, an author or a moderator may see, and the policy.

Visible = shown (and, for a post, in a shown thread on an active board), by an author who has not
stopped the use of their data (``members.selectors.listed_author``). An author also sees
their own contributions in every state, with the reason; moderators see everything. The web
pages, the API and the admin all ask here, so each of these rules is written once.

The queue works on every kind in ``moderation.registry``, never on a named model.
"""

from collections import namedtuple

from django.db.models import BooleanField, Count, Exists, ExpressionWrapper, F, OuterRef, Prefetch, Q
from django.urls import reverse
from django.utils import timezone

from members.selectors import listed_author

from . import registry
from .models import WAITING, Board, Flag, ModerationSettings, Post, Status, Submission, Thread

MODERATE_PERMISSION = "moderation.change_post"  # deciding in the queue (moderators, administrators)
CLOSED_LIMIT = 200  # decided items listed per kind in the queue's 「非表示・掲載不可」 view


def current_policy():
    return ModerationSettings.load()


def can_moderate(user):
    return user.is_authenticated and user.has_perm(MODERATE_PERMISSION)


def is_trusted(member, policy=None):
    """A member whose posts are shown without review: enough of their contributions (of any kind) were approved."""
    policy = policy or current_policy()
    needed = policy.trusted_after_approved_posts
    if needed == 0:
        return True
    approved = 0
    for kind in registry.kinds():
        if kind.counts_towards_trust:
            approved += kind.model.objects.filter(**{kind.author_field: member}, status=Status.SHOWN).count()
            if approved >= needed:
                return True
    return False


# --- boards, threads and posts -----------------------------------------------------------------

def visible_boards():
    return Board.objects.filter(active=True).select_related("district", "theme")


def _shown_opening(thread="pk"):
    """
    Whether the thread named by the outer query's ``thread`` ("pk" of a thread, "thread" of a
    post) has its opening post shown.
    """
    return Exists(Post.objects.filter(listed_author(), thread=OuterRef(thread), is_opening=True, status=Status.SHOWN))


def _with_counts(threads):
    shown = Q(posts__status=Status.SHOWN) & listed_author("posts__author")
    return threads.annotate(shown_posts=Count("posts", filter=shown)).select_related("board")


def visible_threads(board=None):
    """Threads whose opening post is shown, newest activity first, with their count of shown posts."""
    threads = Thread.objects.filter(_shown_opening(), board__active=True)
    if board is not None:
        threads = threads.filter(board=board)
    return _with_counts(threads)


def readable_threads(viewer=None):
    """
    The threads a viewer may open, on the web page and in the API alike: the visible ones, and
    the viewer's own while its opening post awaits review (or was hidden or refused, not
    deleted), which the author sees with a note and the reason. Nobody else learns it exists.
    """
    condition = Q(_shown_opening())
    if viewer is not None and viewer.is_authenticated:
        own = Post.objects.filter(thread=OuterRef("pk"), is_opening=True, author=viewer).exclude(status=Status.DELETED)
        condition |= Q(Exists(own))
    return _with_counts(Thread.objects.filter(condition, board__active=True))


ThreadState = namedtuple("ThreadState", "can_reply note")

NOTES = {
    Status.HELD: "このスレッドは運営者の確認待ちです。確認が済むまで、あなたにだけ表示しています。",
    Status.HIDDEN: "このスレッドは非表示になっています。あなたにだけ表示しています。",
    Status.REFUSED: "このスレッドは掲載できませんでした。あなたにだけ表示しています。",
}


def thread_state(thread):
    """
    Whether a thread takes replies (a shown opening post on an active board), and the note its
    author sees while it does not ("" once it is shown).
    """
    opening = thread.opening
    shown = opening is not None and opening.status == Status.SHOWN
    return ThreadState(shown and thread.board.active, "" if shown or opening is None else NOTES.get(opening.status, ""))


def thread_posts(thread, viewer=None):
    """
    The posts of a thread a viewer may read: shown ones, plus the viewer's own in any state but
    deleted (marked as such on the page).
    """
    condition = Q(status=Status.SHOWN) & listed_author()  # not the posts of a member who stopped their data's use
    if viewer is not None and viewer.is_authenticated:
        condition |= Q(author=viewer) & ~Q(status=Status.DELETED)
    return (thread.posts.filter(condition).select_related("author").prefetch_related("images")
            .order_by("created_at", "pk"))


def visible_posts_for(district=None):
    posts = Post.objects.filter(_shown_opening("thread"), listed_author(), status=Status.SHOWN, thread__board__active=True)
    if district is not None:
        posts = posts.filter(thread__board__district__translation_key=district.translation_key)
    return posts.select_related("thread", "thread__board", "author").order_by("-created_at", "-pk")


def image_audience(post, user):
    """
    Who may see a post's images: ``"public"`` while the post is visible; ``"private"`` (never
    kept by a shared cache) for its author and moderators otherwise (moderators review them in
    the queue); ``None`` for anyone else.
    """
    if visible_posts_for().filter(pk=post.pk).exists():
        return "public"
    if user.is_authenticated and (post.author_id == user.pk or can_moderate(user)):
        return "private"
    return None


def visible_local_info(district=None):
    info = Submission.objects.filter(listed_author(), kind=Submission.Kind.LOCAL_INFO, status=Status.SHOWN)
    if district is not None:
        info = info.filter(district__translation_key=district.translation_key)
    return info.select_related("author", "district").order_by("-created_at", "-pk")


def can_edit(post, user, policy=None):
    """The author may edit a post (not deleted, not refused) within the edit window."""
    policy = policy or current_policy()
    if not user.is_authenticated or post.author_id != user.pk or post.status in (Status.DELETED, Status.REFUSED):
        return False
    return timezone.now() - post.created_at <= timezone.timedelta(minutes=policy.edit_window_minutes)


# --- a member's own contributions (自分の投稿) ----------------------------------------------------

def own_posts(member):
    """
    A member's posts in every state but deleted, newest first, each with ``thread_readable``:
    whether ``readable_threads`` lets them open its thread (so the list never links to a 404).
    """
    readable = ExpressionWrapper(Q(thread__board__active=True) & (Q(is_opening=True) | Q(_shown_opening("thread"))),
                                 output_field=BooleanField())
    return (Post.objects.filter(author=member).exclude(status=Status.DELETED).annotate(thread_readable=readable)
            .select_related("thread", "thread__board").order_by("-created_at", "-pk"))


def own_submissions(member):
    """A member's submissions in every state, with the reasons, newest first."""
    return Submission.objects.filter(author=member).order_by("-created_at", "-pk")


# --- the queue ---------------------------------------------------------------------------------

def open_flags():
    """The flags not yet dealt with, loaded with their posts as ``post.open_flags``."""
    return Prefetch("flags", queryset=Flag.objects.filter(resolved_at=None), to_attr="open_flags")


def _items(kind, subkind=None, district=None):
    """One kind's items, narrowed to a sub-kind and a district, with what the queue's rows read."""
    items = kind.objects().select_related("author").prefetch_related(*kind.prefetch())
    if subkind:
        items = items.filter(**{kind.subkinds[0]: subkind})
    if district:
        items = items.filter(**{kind.district: district}) if kind.district else items.none()
    return items


def queue(kind=None, district=None, older_than_hours=None):
    """
    The moderation queue: what waits (``WAITING``) of every registered kind, oldest first.
    ``kind`` is a filter value of ``registry.filter_choices()``: a kind's name or a sub-kind.
    """
    waiting = WAITING
    if older_than_hours:
        cutoff = timezone.now() - timezone.timedelta(hours=older_than_hours)
        waiting &= Q(queued_at__lte=cutoff) | Q(queued_at=None, created_at__lte=cutoff)
    items = []
    for entry, subkind in registry.selected(kind):
        items += list(_items(entry, subkind, district).filter(waiting))
    return sorted(items, key=lambda item: (item.queued_at or item.created_at, item.pk))


def closed(kind=None, district=None, limit=CLOSED_LIMIT):
    """Hidden and refused contributions (to restore), the latest decisions first, at most ``limit`` per kind."""
    latest = (F("decided_at").desc(nulls_last=True), "-updated_at")  # NULLs would sort first on PostgreSQL
    items = []
    for entry, subkind in registry.selected(kind):
        items += list(_items(entry, subkind, district).filter(status__in=[Status.HIDDEN, Status.REFUSED])
                      .order_by(*latest)[:limit])
    return sorted(items, key=lambda item: item.decided_at or item.updated_at, reverse=True)


def queue_size():
    """How many contributions wait for a moderator (one count query per kind: the admin menu shows it)."""
    return sum(kind.model.objects.filter(WAITING).count() for kind in registry.kinds())


def queue_counts():
    """Counts and oldest waiting time per kind (or sub-kind), for the daily digest and the dashboard."""
    summary = {}
    now = timezone.now()
    for item in queue():
        label = registry.kind_of(item).label_of(item)
        waited = now - (item.queued_at or item.created_at)
        count, oldest = summary.get(label, (0, timezone.timedelta(0)))
        summary[label] = (count + 1, max(oldest, waited))
    return summary


# --- how the queue, its messages and the sanction page name contributions -------------------------

def item_name(item):
    """
    A contribution as moderators read it in the queue and its messages: 「『題名』」, and a reply
    (which has no title of its own) 「『スレッドの題名』への返信」. Never its key (``post:9``).
    """
    name = f"『{registry.kind_of(item).title(item)}』"
    return f"{name}への返信" if _is_reply(item) else name


def item_phrase(item):
    """What follows 「〇〇さんの」 in a message: 「投稿『題名』」, or 「『スレッドの題名』への返信」."""
    return item_name(item) if _is_reply(item) else f"投稿{item_name(item)}"


def _is_reply(item):
    return isinstance(item, Post) and not item.is_opening


def author_label(member):
    """Whose contribution, for a moderator's message: 「〇〇さん」, or 「退会したユーザー」."""
    if member.withdrawn_at:
        return "退会したユーザー"
    return f"{member.nickname}さん" if member.nickname else f"会員 #{member.pk}"


def reply_threads(items):
    """
    The threads of the replies among ``items``: {reply's key: {"title", "url"}}; ``url`` is the
    thread's page while anyone may read it there, else "" (a hidden thread's page is a 404).
    """
    replies = [item for item in items if _is_reply(item)]
    if not replies:
        return {}
    readable = set(visible_threads().filter(pk__in={post.thread_id for post in replies}).values_list("pk", flat=True))
    return {registry.key(post): {"title": post.thread.title,
                                 "url": reverse("board:thread", args=[post.thread_id]) if post.thread_id in readable
                                 else ""}
            for post in replies}


def restore_refusal(item):
    """Why 「再表示」 cannot be offered for this contribution ("" when it can): the rule ``services.restore`` applies."""
    if item.status not in (Status.HIDDEN, Status.REFUSED):
        return f"この投稿は「{item.get_status_display()}」です。再表示できるのは非表示・掲載不可の投稿です。"
    return registry.kind_of(item).restore_refusal(item)


def member_contributions(member, limit=10, kinds=None):
    """
    A member's latest contributions of the registered kinds (``kinds``: names; all by default),
    in every state, newest first: the sanction page and the member's page list them.
    """
    items = []
    for kind in registry.kinds():
        if kinds is None or kind.name in kinds:
            items += list(kind.objects().filter(**{kind.author_field: member}).order_by("-created_at", "-pk")[:limit])
    return sorted(items, key=lambda item: (item.created_at, item.pk), reverse=True)[:limit]
