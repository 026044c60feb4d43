"""
Residents' contributions in the JSON API (django-ninja, in the portal's one API):

- ``/api/v3/board/…``: boards, threads and posts. Reading is open; writing needs a member's
  session (cookie + ``X-CSRFToken``). New threads and replies are ``multipart/form-data`` (text
  fields plus up to 4 ``images``); edits are JSON.
- ``/api/v3/submissions/``: a member's submissions (JSON), the same fields as the web forms.
- ``/api/v3/flags/``: reporting a post.

The same forms, screening and rules as the web pages (``moderation.services``). Errors are
problem documents with a stable ``code``: ``refused`` (422, with the reasons; the contribution is
kept for the record), ``rate_limited`` (429), ``posting_suspended`` (403), ``already_flagged``
(409), ``validation_error`` (422), ``authentication_required`` (401), …
"""

import datetime
from typing import Literal, Optional

from django.core.exceptions import ValidationError
from django.http import QueryDict
from django.shortcuts import get_object_or_404
from ninja import File, Form, Router, Schema, Status
from ninja.files import UploadedFile
from ninja.pagination import paginate
from wagtail.api.v3.pagination import WagtailLimitOffsetPagination

from apikit import ApiError, form_errors, require_csrf, session
from members.lockout import client_ip

from . import selectors, services
from .forms import SUBMISSION_FORMS, FlagForm, PostEditForm, ReplyForm, ThreadForm
from .models import Post
from .models import Status as PostStatus
from .screening import address_hash

board_router = Router(tags=["board"])
submissions_router = Router(tags=["submissions"])
flags_router = Router(tags=["flags"])


class BoardOut(Schema):
    id: int
    slug: str
    title: str
    description: str
    district: Optional[str]
    theme: Optional[str]


class ThreadOut(Schema):
    id: int
    board: str
    title: str
    created_at: datetime.datetime
    last_posted_at: datetime.datetime
    posts: int


class ImageOut(Schema):
    id: int
    url: str
    width: int
    height: int
    alt: str


class PostOut(Schema):
    id: int
    thread: int
    author: str
    body_html: str
    created_at: datetime.datetime
    edited_at: Optional[datetime.datetime]
    status: str
    status_reason: str = ""
    images: list[ImageOut]


class ThreadDetailOut(ThreadOut):
    can_reply: bool
    note: str = ""  # to the author of a thread that awaits review (nobody else can read it)
    items: list[PostOut]


class ThreadIn(Schema):
    title: str
    body: str
    captcha: str = ""


class ReplyIn(Schema):
    body: str
    captcha: str = ""


class PostEditIn(Schema):
    body: str


class SubmissionIn(Schema):
    kind: Literal["local_info", "new_shop", "shop_correction", "event"]
    title: str
    body: str
    district: Optional[int] = None
    themes: list[int] = []
    target: Optional[int] = None
    credit_nickname: bool = False
    data: dict[str, Optional[str | int]] = {}
    captcha: str = ""


class SubmissionOut(Schema):
    id: int
    kind: str
    title: str
    body: str
    data: dict
    status: str
    status_reason: str
    created_at: datetime.datetime
    created_page: Optional[int]


class FlagIn(Schema):
    post: int
    reason: Literal["abuse", "personal", "spam", "illegal", "other"]
    comment: str = ""


class FlagOut(Schema):
    id: int
    post: int
    reason: str
    post_hidden: bool


def _board(board):
    return {"id": board.pk, "slug": board.slug, "title": board.title, "description": board.description,
            "district": board.district.slug if board.district_id else None,
            "theme": board.theme.slug if board.theme_id else None}


def _thread(thread):
    return {"id": thread.pk, "board": thread.board.slug, "title": thread.title, "created_at": thread.created_at,
            "last_posted_at": thread.last_posted_at, "posts": getattr(thread, "shown_posts", 0)}


def _post(post, request):
    own = request.user.is_authenticated and post.author_id == request.user.pk
    return {
        "id": post.pk, "thread": post.thread_id, "author": post.author_name(), "body_html": post.body_html,
        "created_at": post.created_at, "edited_at": post.edited_at, "status": post.status,
        "status_reason": post.status_reason if own else "",
        "images": [{"id": image.pk, "url": request.build_absolute_uri(f"/board/images/{image.pk}/"),
                    "width": image.width, "height": image.height, "alt": image.alt} for image in post.images.all()],
    }


def _submission(item):
    return {"id": item.pk, "kind": item.kind, "title": item.title, "body": item.body, "data": item.data,
            "status": item.status, "status_reason": item.status_reason, "created_at": item.created_at,
            "created_page": item.created_page_id}


def _fail(error):
    """A service's refusal as a problem document."""
    if isinstance(error, ValidationError):
        by_field = error.message_dict if hasattr(error, "error_dict") else {"__all__": error.messages}
        errors = [{"loc": ["body", field], "msg": message, "type": "invalid"}
                  for field, messages in by_field.items() for message in messages]
        return ApiError(422, "validation_error", "入力内容に誤りがあります。", errors)
    return ApiError(error.status, error.code, error.message, error.reasons or None)


def _check_form(form):
    if not form.is_valid():
        raise ApiError(422, "validation_error", "入力内容に誤りがあります。", form_errors(form))


def _address(request):
    return address_hash(client_ip(request))


# --- boards, threads, posts ------------------------------------------------------------------

@board_router.get("/boards/", response=list[BoardOut], summary="掲示板の一覧", url_name="board_list")
def board_list(request):
    return [_board(board) for board in selectors.visible_boards()]


@board_router.get("/boards/{slug}/threads/", response=list[ThreadOut], summary="スレッドの一覧（新しい順）",
                  url_name="board_threads")
@paginate(WagtailLimitOffsetPagination)
def board_threads(request, slug: str):
    board = get_object_or_404(selectors.visible_boards(), slug=slug)
    return [_thread(thread) for thread in selectors.visible_threads(board).order_by("-last_posted_at", "-pk")[:500]]


@board_router.post("/boards/{slug}/threads/", response={201: PostOut, 202: PostOut}, auth=session,
                   summary="スレッドを立てる（multipart/form-data）", url_name="board_thread_create")
def thread_create(request, slug: str, payload: Form[ThreadIn], images: File[list[UploadedFile]] = None):
    require_csrf(request)
    board = get_object_or_404(selectors.visible_boards(), slug=slug)
    form = ThreadForm({"title": payload.title, "body": payload.body, "g-recaptcha-response": payload.captcha},
                      {"images": images or []})
    _check_form(form)
    try:
        post = services.create_thread(request.auth, board, form.cleaned_data["title"], form.cleaned_data["body"],
                                      images or [], _address(request))
    except (services.ContributionError, ValidationError) as error:
        raise _fail(error) from None
    return Status(201 if post.status == PostStatus.SHOWN else 202, _post(post, request))


@board_router.get("/threads/{int:thread_id}/", response=ThreadDetailOut, summary="スレッドと投稿",
                  url_name="board_thread")
def thread_detail(request, thread_id: int):
    """The same rule as the web page: a visible thread, or the member's own awaiting review (with ``note``)."""
    thread = get_object_or_404(selectors.readable_threads(request.user), pk=thread_id)
    state = selectors.thread_state(thread)
    posts = selectors.thread_posts(thread, request.user)
    return {**_thread(thread), "can_reply": state.can_reply, "note": state.note,
            "items": [_post(post, request) for post in posts]}


@board_router.post("/threads/{int:thread_id}/posts/", response={201: PostOut, 202: PostOut}, auth=session,
                   summary="返信する（multipart/form-data）", url_name="board_reply")
def reply(request, thread_id: int, payload: Form[ReplyIn], images: File[list[UploadedFile]] = None):
    require_csrf(request)
    thread = get_object_or_404(selectors.readable_threads(request.auth), pk=thread_id)
    form = ReplyForm({"body": payload.body, "g-recaptcha-response": payload.captcha}, {"images": images or []})
    _check_form(form)
    try:
        post = services.reply(request.auth, thread, form.cleaned_data["body"], images or [], _address(request))
    except (services.ContributionError, ValidationError) as error:
        raise _fail(error) from None
    return Status(201 if post.status == PostStatus.SHOWN else 202, _post(post, request))


@board_router.patch("/posts/{int:post_id}/", response=PostOut, auth=session, summary="自分の投稿を編集する",
                    url_name="board_post_edit")
def post_edit(request, post_id: int, payload: PostEditIn):
    require_csrf(request)
    post = get_object_or_404(Post, pk=post_id, author=request.auth)
    form = PostEditForm({"body": payload.body})
    _check_form(form)
    try:
        post = services.edit_post(post, request.auth, form.cleaned_data["body"], _address(request))
    except (services.ContributionError, ValidationError) as error:
        raise _fail(error) from None
    return _post(post, request)


@board_router.delete("/posts/{int:post_id}/", response={204: None}, auth=session, summary="自分の投稿を削除する",
                     url_name="board_post_delete")
def post_delete(request, post_id: int):
    require_csrf(request)
    post = get_object_or_404(Post, pk=post_id, author=request.auth)
    try:
        services.delete_post(post, request.auth)
    except services.ContributionError as error:
        raise _fail(error) from None
    return Status(204, None)


# --- submissions -------------------------------------------------------------------------------

@submissions_router.get("/", response=list[SubmissionOut], auth=session, summary="自分の情報提供の一覧",
                        url_name="submission_list")
def submission_list(request):
    return [_submission(item) for item in selectors.own_submissions(request.auth)[:200]]


@submissions_router.post("/", response={201: SubmissionOut, 202: SubmissionOut}, auth=session,
                         summary="情報提供（地域の情報・お店・訂正・イベント）", url_name="submission_create")
def submission_create(request, payload: SubmissionIn):
    require_csrf(request)
    data = {**{k: "" if v is None else v for k, v in payload.data.items()}, "title": payload.title,
            "body": payload.body, "district": payload.district or "", "themes": payload.themes,
            "target": payload.target or "", "g-recaptcha-response": payload.captcha}
    if payload.credit_nickname:
        data["credit_nickname"] = "on"
    form_class = SUBMISSION_FORMS[payload.kind]
    form_data = QueryDict(mutable=True)
    for key, value in data.items():
        form_data.setlist(key, [str(v) for v in value] if isinstance(value, list) else [str(value)])
    form = form_class(form_data)
    _check_form(form)
    cleaned = form.cleaned_data
    try:
        item = services.submit(
            request.auth, payload.kind, cleaned["title"], cleaned["body"], form.data_values(),
            district=cleaned.get("district"), themes=cleaned.get("themes") or [], target_page=cleaned.get("target"),
            credit_nickname=cleaned.get("credit_nickname", False), address=_address(request))
    except (services.ContributionError, ValidationError) as error:
        raise _fail(error) from None
    return Status(201 if item.status == PostStatus.SHOWN else 202, _submission(item))


# --- flags -------------------------------------------------------------------------------------

@flags_router.post("/", response={201: FlagOut}, auth=session, summary="投稿を通報する", url_name="flag_create")
def flag_create(request, payload: FlagIn):
    require_csrf(request)
    form = FlagForm({"reason": payload.reason, "comment": payload.comment})
    _check_form(form)
    post = selectors.visible_posts_for().filter(pk=payload.post).first()
    if post is None:
        raise ApiError(404, "not_found", "この投稿は見つかりません。")
    try:
        flag = services.flag_post(post, request.auth, form.cleaned_data["reason"], form.cleaned_data["comment"])
    except (services.ContributionError, ValidationError) as error:
        raise _fail(error) from None
    post.refresh_from_db()
    return Status(201, {"id": flag.pk, "post": post.pk, "reason": flag.reason,
                        "post_hidden": post.status != PostStatus.SHOWN})
