"""
Functions that change residents' contributions. Web views, the API and the admin call these;
every rule and every audit entry lives here, once.

Residents: ``create_thread``, ``reply``, ``edit_post``, ``delete_post``, ``submit``, ``flag_post``;
``receive`` stores a new contribution of any other registered kind (``moderation.registry``).
Staff: ``approve``, ``refuse``, ``hide``, ``restore``, ``moderator_edit``, ``sanction``: they work
on any registered kind, through what the kind declares (its key, author, text, approval).
"""

import logging
import re
from contextlib import contextmanager

import nh3
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.db.models import prefetch_related_objects
from django.utils import timezone
from django.utils.html import linebreaks
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from members.audit import record
from members.mail import send_templated_mail
from members.selectors import can_contribute, can_receive_mail, is_open, use_stopped
from pages.terms import district_model, theme_model

from . import detectors, images, registry, screening
from .audit import ModerationAction
from .models import Board, Flag, Post, PostImage, Sanction, Status, Submission, Thread
from .selectors import MODERATE_PERMISSION, can_edit, current_policy, thread_state, visible_posts_for

logger = logging.getLogger(__name__)

MAX_TITLE = 100
MAX_BODY = 4000

# The small formatting subset residents may use; everything else is removed by nh3 (ammonia).
ALLOWED_TAGS = {"p", "br", "strong", "b", "em", "i", "ul", "ol", "li", "a", "blockquote"}
_BARE_URL = re.compile(r"(?<![\"'=>])\b(https?://[^\s<>\"'　]+)")


class ContributionError(Exception):
    """
    A contribution that cannot be taken as it is: a stable ``code``, a message in the resident's
    language (gettext), an HTTP status.
    """

    def __init__(self, code, message, status=400, reasons=None, item=None):
        super().__init__(message)
        self.code, self.message, self.status, self.reasons, self.item = code, message, status, reasons or [], item


def render_body(text):
    """The HTML shown for a resident's text: paragraphs, bare URLs as links, then sanitised."""
    linked = _BARE_URL.sub(r'<a href="\1">\1</a>', text)
    return nh3.clean(linebreaks(linked, autoescape=False), tags=ALLOWED_TAGS, attributes={"a": {"href"}},
                     url_schemes={"http", "https"}, attribute_filter=_absolute_links_only,
                     link_rel="nofollow ugc noopener noreferrer")


def _absolute_links_only(tag, attribute, value):
    """Relative and protocol-relative links (``//spam.example/``) would escape the link limit: dropped."""
    if attribute == "href" and not value.lower().startswith(("http://", "https://")):
        return None
    return value


def clean_text(value, field, limit, required=True):
    """Text without control characters; a ``ValidationError`` on ``field`` if empty or too long."""
    value = detectors.clean_control_characters(value or "").strip()
    if required and not value:
        raise ValidationError({field: _("入力してください。")}, code="required")
    if len(value) > limit:
        raise ValidationError({field: _("%(limit)s文字以内で入力してください（%(count)s文字あります）。") % {
            "limit": limit, "count": len(value)}}, code="max_length")
    return value


def _require_member(member):
    if not (member.is_authenticated and is_open(member)):
        raise ContributionError("authentication_required", _("投稿するにはログインしてください。"), status=401)
    if use_stopped(member):
        raise ContributionError("use_stopped", _("利用停止中は投稿できません。プロフィールから利用停止を解除できます。"),
                                status=403)
    if not can_contribute(member):
        raise ContributionError("email_not_verified", _("メールアドレスの確認を済ませてから投稿してください。"),
                                status=403)


def _screen(member, address, text, **kwargs):
    try:
        return screening.screen(member, address, text, **kwargs)
    except screening.PostingRefused as exc:
        raise ContributionError(exc.code, exc.message, status=403) from None
    except screening.RateLimited as exc:
        error = ContributionError(exc.code, exc.message, status=429)
        error.retry_after = exc.retry_after
        raise error from None


def _apply_verdict(item, verdict):
    item.status = verdict.outcome
    # Kept for the record in Japanese (moderators read it; the resident's pages mark it lang="ja").
    reasons, message = verdict.stored()
    item.screening = reasons
    item.status_reason = message if verdict.outcome != Status.SHOWN else ""
    item.queued_at = timezone.now() if verdict.outcome == Status.HELD else None


def _refused(item, verdict):
    """A refusal is stored for the record; the caller gets the reasons."""
    return ContributionError("refused", _("この内容は掲載できません。%(reasons)s") % {"reasons": verdict.message},
                             status=422, reasons=verdict.shown(), item=item)


def _process_images(files):
    files = list(files or [])
    images.validate_count(files)
    return [images.reencode(upload) for upload in files]


@contextmanager
def _files_removed_on_failure():
    """
    A list for the image files written inside the block: if the block fails (its transaction rolls
    back: a later save, the commit, a full disk), the files go too, so no orphan stays in the media store.
    """
    written = []  # (storage, name), recorded before each write: one that fails half-way leaves a part
    try:
        yield written
    except BaseException:
        for storage, name in written:
            try:
                storage.delete(name)
            except Exception:  # noqa: BLE001 - the first error is the one to raise
                logger.exception("moderation: could not remove the orphan file %s", name)
        raise


def _store_post(thread, author, body, verdict, processed_images, address, written, is_opening=False):
    """The post and its images; each image file written is added to ``written`` (``_files_removed_on_failure``)."""
    post = Post(thread=thread, author=author, body=body, body_html=render_body(body), is_opening=is_opening,
                address_hash=address)
    _apply_verdict(post, verdict)
    post.save()
    for number, image in enumerate(processed_images, start=1):
        stored = PostImage(post=post, width=image.width, height=image.height, content_type=image.content_type,
                           alt=f"{thread.title}の画像{number}")
        name = stored.file.field.generate_filename(stored, f"image.{image.extension}")  # a new random name
        written.append((stored.file.storage, name))
        stored.file.name = stored.file.storage.save(name, ContentFile(image.content), max_length=PostImage.file.field.max_length)
        written[-1] = (stored.file.storage, stored.file.name)
        stored.save()
    # Read before the commit: once it has committed, the answer needs no database (a connection lost
    # just after the commit must not turn a stored post into a refusal the member would send again).
    prefetch_related_objects([post], "images")
    return post


def create_thread(author, board, title, body, files=(), address=""):
    """A new thread with its opening post. Returns the post; raises ``ContributionError`` on refusal."""
    _require_member(author)
    if not board.active:
        raise ContributionError("board_closed", _("この掲示板は投稿を受け付けていません。"), status=403)
    title = clean_text(title, "title", MAX_TITLE)
    body = clean_text(body, "body", MAX_BODY)
    processed = _process_images(files)
    verdict = _screen(author, address, f"{title}\n{body}")
    with _files_removed_on_failure() as written, transaction.atomic():
        thread = Thread.objects.create(board=board, title=title, author=author)
        post = _store_post(thread, author, body, verdict, processed, address, written, is_opening=True)
    if verdict.outcome == Status.REFUSED:
        raise _refused(post, verdict)
    return post


def reply(author, thread, body, files=(), address=""):
    """A reply in a visible thread. Returns the post; raises ``ContributionError`` on refusal."""
    _require_member(author)
    if not thread_state(thread).can_reply:
        raise ContributionError("thread_closed", _("このスレッドには返信できません。"), status=403)
    body = clean_text(body, "body", MAX_BODY)
    processed = _process_images(files)
    verdict = _screen(author, address, body)
    with _files_removed_on_failure() as written, transaction.atomic():
        post = _store_post(thread, author, body, verdict, processed, address, written)
        if verdict.outcome == Status.SHOWN:
            Thread.objects.filter(pk=thread.pk).update(last_posted_at=post.created_at)
    if verdict.outcome == Status.REFUSED:
        raise _refused(post, verdict)
    return post


def edit_post(post, author, body, address=""):
    """
    The author's edit within the edit window, screened again. A refused edit is not applied
    (the stored text stays); an edit that needs review holds the post.
    """
    if not can_edit(post, author):
        raise ContributionError("edit_not_allowed",
                                _("この投稿は編集できません（編集できる時間を過ぎたか、ご自身の投稿ではありません）。"),
                                status=403)
    body = clean_text(body, "body", MAX_BODY)
    verdict = _screen(author, address, f"{post.thread.title}\n{body}" if post.is_opening else body,
                      exclude=post)
    if verdict.outcome == Status.REFUSED:
        raise ContributionError("refused", _("この内容には変更できません。%(reasons)s") % {"reasons": verdict.message},
                                status=422, reasons=verdict.shown())
    post.body, post.body_html, post.edited_at = body, render_body(body), timezone.now()
    if verdict.outcome == Status.HELD:
        queued_at = post.queued_at
        _apply_verdict(post, verdict)
        post.queued_at = queued_at or post.queued_at
    post.save()
    return post


def delete_post(post, author):
    """The author deletes their post: gone from the site at once, kept for the record until the retention purge."""
    if post.author_id != author.pk or post.status == Status.DELETED:
        raise ContributionError("delete_not_allowed", _("この投稿は削除できません。"), status=403)
    post.status = Status.DELETED
    post.save(update_fields=["status", "updated_at"])
    return post


# --- submissions -------------------------------------------------------------------------------

def submit(author, kind, title, body, data=None, district=None, themes=(), target_page=None,
           credit_nickname=False, address=""):
    """
    A resident's submission. Shop, correction and event submissions are always reviewed; local
    information by the policy. Returns the submission; raises ``ContributionError`` on refusal.
    """
    _require_member(author)
    title = clean_text(title, "title", 120)
    body = clean_text(body, "body", MAX_BODY)
    data = {key: detectors.clean_control_characters(value) if isinstance(value, str) else value
            for key, value in (data or {}).items()}
    page_kind = kind in Submission.PAGE_KINDS
    always_review = page_kind or current_policy().review_local_info
    text = "\n".join([title, body, *[str(v) for v in data.values() if isinstance(v, str)]])
    # Every field is screened for words, links and duplicates; a shop's own phone and address
    # are the point of a shop submission, not a resident's personal data, so personal data is
    # looked for in the title and the description only.
    verdict = _screen(author, address, text, always_review=always_review,
                      review_reason=gettext_lazy("掲載の前に運営者が内容を確認します"),
                      personal_text=f"{title}\n{body}" if page_kind else None)
    with transaction.atomic():
        submission = Submission(author=author, kind=kind, title=title, body=body, data=data, district=district,
                                target_page=target_page, credit_nickname=credit_nickname, address_hash=address)
        _apply_verdict(submission, verdict)
        submission.save()
        submission.themes.set(list(themes))
        submission.save()
    if verdict.outcome == Status.REFUSED:
        raise _refused(submission, verdict)
    return submission


# --- flags -------------------------------------------------------------------------------------

def flag_post(post, reporter, reason, comment=""):
    """
    A member reports a visible post. Once ``flags_to_hide`` members have reported it, it is
    held (hidden from the site) until a moderator decides.
    """
    _require_member(reporter)
    if not visible_posts_for().filter(pk=post.pk).exists():
        raise ContributionError("not_found", _("この投稿は見つかりません。"), status=404)
    try:
        screening.check_sanctions(reporter)
    except screening.PostingRefused as exc:
        raise ContributionError(exc.code, exc.message, status=403) from None
    if post.author_id == reporter.pk:
        raise ContributionError("own_post", _("ご自身の投稿は通報できません。"), status=400)
    if reason not in Flag.Reason.values:
        raise ValidationError({"reason": _("通報の理由を選んでください。")}, code="invalid_choice")
    comment = clean_text(comment, "comment", 300, required=False)
    try:
        with transaction.atomic():
            flag = Flag.objects.create(post=post, reporter=reporter, reason=reason, comment=comment)
    except IntegrityError:
        raise ContributionError("already_flagged", _("この投稿はすでに通報済みです。"), status=409) from None
    with transaction.atomic():
        post = Post.objects.select_for_update().get(pk=post.pk)
        post.flag_count = post.flags.filter(resolved_at=None).count()
        if post.status == Status.SHOWN and post.flag_count >= current_policy().flags_to_hide:
            post.status = Status.HELD
            post.queued_at = timezone.now()
            post.status_reason = "複数の通報があったため、運営者が確認するまで非表示にしています。"
            post.screening = post.screening + [{"code": "flagged", "message": "通報が一定数に達しました"}]
        post.save()
    return flag


# --- any registered kind -------------------------------------------------------------------------

def receive(item, address="", text=None, **options):
    """
    Store a new contribution of a registered kind (a survey's answer, an ad's creative), screened
    like a post: shown, held for review, or stored as refused and ``ContributionError`` raised.
    ``text`` defaults to what the kind declares screening reads; ``options`` are ``screen``'s
    (``always_review``, ``review_reason``, ``personal_text``).
    """
    kind = registry.kind_of(item)
    author = kind.author(item)
    _require_member(author)
    verdict = _screen(author, address, kind.screened_text(item) if text is None else text, **options)
    item.address_hash = address
    _apply_verdict(item, verdict)
    item.save()
    if verdict.outcome == Status.REFUSED:
        raise _refused(item, verdict)
    return item


# --- staff decisions ---------------------------------------------------------------------------

def _require_moderator(moderator):
    if not moderator.has_perm(MODERATE_PERMISSION):
        raise PermissionDenied("投稿を審査する権限がありません。")


def _snapshot(kind, item):
    return {"status": item.status, "title": kind.title(item), "body": kind.summary(item)}


def _lock(item, allowed):
    """
    The item as stored now, its row locked until the decision is written: two moderators (or a
    double click) cannot decide twice, and nothing acts on what the author deleted meanwhile.
    ``allowed``: the statuses it may be decided from, or a test of the stored item.
    """
    fresh = type(item).objects.select_for_update().get(pk=item.pk)
    if fresh.status == Status.DELETED:
        raise ContributionError("deleted", "投稿者が削除した投稿です。", status=409)
    if not (allowed(fresh) if callable(allowed) else fresh.status in allowed):
        raise ContributionError("already_decided",
                                f"この投稿はすでに「{fresh.get_status_display()}」です。画面を読み込み直してください。",
                                status=409)
    return fresh


def _decide(item, moderator, action, status, reason="", **details):
    kind = registry.kind_of(item)
    before = _snapshot(kind, item)
    item.status = status
    item.status_reason = reason
    item.decided_at, item.decided_by = timezone.now(), moderator
    item.queued_at = None
    item.flag_count = 0  # a decision deals with every report so far
    if kind.on_decided:
        kind.on_decided(item)
    item.save()
    record(moderator, action, kind.author(item), reason, target=kind.key(item), kind=kind.label_of(item),
           before=before, after=_snapshot(kind, item), **details)
    return item


@transaction.atomic
def approve(item, moderator, note=""):
    """
    Approve what waits in the queue: a held contribution is shown, a flagged one kept as it is
    (its reports dealt with). What else approval does is the kind's: a shop or event submission
    becomes a draft page waiting in the editorial workflow. Only from the queue, so twice is 409.
    """
    _require_moderator(moderator)
    kind = registry.kind_of(item)
    item = _lock(item, lambda fresh: fresh.in_queue)
    details = kind.on_approve(item, moderator) if kind.on_approve else {}
    return _decide(item, moderator, ModerationAction.APPROVE, Status.SHOWN, note, **(details or {}))


def _notify_author(item, template, reason):
    kind = registry.kind_of(item)
    author = kind.author(item)
    if not can_receive_mail(author):
        return
    try:
        send_templated_mail(author, template, {"user": author, "item": item, "title": kind.title(item),
                                               "reason": reason}, language=author.language)
    except Exception:  # the decision stands; the failure is logged for the operator
        logger.exception("Could not send the %s mail for %s", template, kind.key(item))


def _require_reason(reason):
    reason = (reason or "").strip()
    if len(reason) < 2:
        raise ValidationError({"reason": "理由を入力してください。"}, code="required")
    return reason


def refuse(item, moderator, reason):
    """Refuse with a reason, sent to the author by e-mail. The contribution stays stored for the record."""
    _require_moderator(moderator)
    reason = _require_reason(reason)
    with transaction.atomic():
        item = _lock(item, {Status.HELD, Status.SHOWN})
        _decide(item, moderator, ModerationAction.REFUSE, Status.REFUSED, reason)
    _notify_author(item, "moderation/email/refused", reason)
    return item


def hide(item, moderator, reason):
    _require_moderator(moderator)
    reason = _require_reason(reason)
    with transaction.atomic():
        item = _lock(item, {Status.HELD, Status.SHOWN})
        return _decide(item, moderator, ModerationAction.HIDE, Status.HIDDEN, reason)


def restore(item, moderator, note=""):
    _require_moderator(moderator)
    refusal = registry.kind_of(item).restore_refusal(item)
    if refusal:
        raise ContributionError("not_restorable", refusal, status=409)
    with transaction.atomic():
        item = _lock(item, {Status.HIDDEN, Status.REFUSED})
        return _decide(item, moderator, ModerationAction.RESTORE, Status.SHOWN, note)


def _edit_fields(item, body, title):
    """A kind's text edited where it declares nothing else: ``body``, and ``title`` within its field's length."""
    item.body = body
    if title is not None:
        item.title = clean_text(title, "title", type(item)._meta.get_field("title").max_length)


def moderator_edit(item, moderator, body, note, title=None):
    """A moderator corrects a contribution's text (e.g. removes a phone number), with a note; logged before/after."""
    _require_moderator(moderator)
    note = (note or "").strip()
    if not note:
        raise ValidationError({"note": "編集の理由（メモ）を入力してください。"}, code="required")
    body = clean_text(body, "body", MAX_BODY)
    kind = registry.kind_of(item)
    with transaction.atomic():
        # The row as stored now, locked: a stale copy (another tab, a decision meanwhile) must not
        # put back an old status when the edited text is saved.
        item = _lock(item, lambda fresh: True)
        before = _snapshot(kind, item)
        (kind.apply_edit or _edit_fields)(item, body, title)
        item.save()
        record(moderator, ModerationAction.EDIT, kind.author(item), note, target=kind.key(item),
               kind=kind.label_of(item), before=before, after=_snapshot(kind, item))
    return item


def sanction(member, moderator, kind, reason, days=None):
    """Warn, suspend posting for ``days``, or ban posting; the member is told by e-mail. Logged."""
    _require_moderator(moderator)
    reason = _require_reason(reason)
    if kind not in Sanction.Kind.values:
        raise ValidationError({"kind": "処分の種類を選んでください。"}, code="invalid_choice")
    if kind == Sanction.Kind.SUSPEND and not (days and 0 < int(days) <= 365):
        raise ValidationError({"days": "停止する日数を1〜365で入力してください。"}, code="invalid")
    if member.is_staff or member.pk == moderator.pk:
        raise PermissionDenied("スタッフには処分できません。")
    until = timezone.now() + timezone.timedelta(days=int(days)) if kind == Sanction.Kind.SUSPEND else None
    with transaction.atomic():
        measure = Sanction.objects.create(member=member, kind=kind, reason=reason, until=until, created_by=moderator)
        record(moderator, ModerationAction.SANCTION, member, reason, target=f"sanction:{measure.pk}",
               sanction=kind, until=until.isoformat() if until else None)
    _notify_author_of_sanction(member, measure)
    return measure


def _notify_author_of_sanction(member, measure):
    if not can_receive_mail(member):
        return
    try:
        send_templated_mail(member, "moderation/email/sanction", {"user": member, "sanction": measure},
                            language=member.language)
    except Exception:
        logger.exception("Could not send the sanction mail for member %s", member.pk)


def ensure_boards():
    """One board per district and per theme (Japanese pages), where missing. Returns the boards created."""
    from wagtail.models import Locale

    locale = Locale.get_default()
    created = []
    for order, district in enumerate(district_model().objects.filter(locale=locale).order_by("path"), start=1):
        board, new = Board.objects.get_or_create(
            district=district, defaults={"title": f"{district.title}の掲示板", "slug": f"district-{district.slug}",
                                         "description": f"{district.title}地域の話題を話し合う掲示板です。",
                                         "sort_order": order})
        created += [board] if new else []
    for order, theme in enumerate(theme_model().objects.filter(locale=locale).order_by("path"), start=100):
        board, new = Board.objects.get_or_create(
            theme=theme, defaults={"title": f"{theme.title}の掲示板", "slug": f"theme-{theme.slug}",
                                   "description": f"「{theme.title}」について話し合う掲示板です。", "sort_order": order})
        created += [board] if new else []
    return created
