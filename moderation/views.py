"""
The public side of residents' contributions: the bulletin boards (掲示板), threads and posts,
flags, submissions, and a member's own list of contributions with their state and reasons.

Reading is open to everybody; writing needs a verified member (and reCAPTCHA on the forms).
Views are thin: every rule is in ``services``; a refusal keeps the resident's text in the form.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from members.captcha import page_policy
from members.lockout import client_ip

from . import selectors, services
from .forms import SUBMISSION_FORMS, FlagForm, PostEditForm, ReplyForm, ThreadForm, add_service_errors
from .models import Post, PostImage, Status, Submission
from .screening import address_hash

THREADS_PER_PAGE = 20
POSTS_PER_PAGE = 50

HELD_MESSAGE = gettext_lazy("投稿を受け付けました。運営者が確認してから掲載します。確認の状況は「自分の投稿」で見られます。")
SHOWN_MESSAGE = gettext_lazy("投稿しました。")


def _address(request):
    return address_hash(client_ip(request))


def _with_captcha_policy(response):
    # Google's widget needs its origins; with the test keys nothing of Google's is loaded, so the
    # site's own policy stays (members.captcha.page_policy).
    if policy := page_policy():
        response["Content-Security-Policy"] = policy
    return response


def _apply_error(form, error):
    """A service's refusal shown in the form, the resident's text kept."""
    if isinstance(error, ValidationError):
        add_service_errors(form, error)
        return 400
    form.add_error(None, error.message)
    if error.code == "refused":
        form.add_error(None, _("内容を見直して、もう一度投稿してください。（この投稿は記録として保存され、「自分の投稿」から確認できます）"))
    return error.status


def _images(request):
    return request.FILES.getlist("images")


def board_index(request):
    boards = list(selectors.visible_boards())
    return render(request, "moderation/board_index.html", {
        "district_boards": [b for b in boards if b.district_id],
        "theme_boards": [b for b in boards if not b.district_id],
    })


def board_detail(request, slug):
    board = get_object_or_404(selectors.visible_boards(), slug=slug)
    threads = Paginator(selectors.visible_threads(board).order_by("-last_posted_at", "-pk"), THREADS_PER_PAGE)
    return render(request, "moderation/board.html", {
        "board": board, "threads": threads.get_page(request.GET.get("page")),
    })


@never_cache
@require_http_methods(["GET", "POST"])
def thread_new(request, slug):
    board = get_object_or_404(selectors.visible_boards(), slug=slug)
    if not request.user.is_authenticated:
        return redirect(f"{reverse('members:login')}?next={request.path}")
    form = ThreadForm(request.POST or None, request.FILES or None)
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            post = services.create_thread(request.user, board, form.cleaned_data["title"], form.cleaned_data["body"],
                                          _images(request), _address(request))
        except (services.ContributionError, ValidationError) as error:
            status = _apply_error(form, error)
        else:
            messages.success(request, SHOWN_MESSAGE if post.status == Status.SHOWN else HELD_MESSAGE)
            return redirect("board:thread", pk=post.thread_id)
    elif request.method == "POST":
        status = 400
    return _with_captcha_policy(render(request, "moderation/thread_form.html", {"board": board, "form": form},
                                       status=status))


@never_cache
@require_http_methods(["GET", "POST"])
def thread_detail(request, pk):
    """A thread as ``selectors.readable_threads`` allows: visible, or the author's own awaiting review (with a note)."""
    thread = get_object_or_404(selectors.readable_threads(request.user), pk=pk)
    state = selectors.thread_state(thread)
    form = ReplyForm(request.POST or None, request.FILES or None) if request.user.is_authenticated else None
    status = 200
    if request.method == "POST":
        if form is None:
            return redirect(f"{reverse('members:login')}?next={request.path}")
        if form.is_valid():
            try:
                post = services.reply(request.user, thread, form.cleaned_data["body"], _images(request),
                                      _address(request))
            except (services.ContributionError, ValidationError) as error:
                status = _apply_error(form, error)
            else:
                messages.success(request, SHOWN_MESSAGE if post.status == Status.SHOWN else HELD_MESSAGE)
                return redirect(f"{reverse('board:thread', args=[thread.pk])}#post-{post.pk}")
        else:
            status = 400
    posts = Paginator(selectors.thread_posts(thread, request.user), POSTS_PER_PAGE).get_page(request.GET.get("page"))
    policy = selectors.current_policy()
    for post in posts.object_list:
        post.editable = selectors.can_edit(post, request.user, policy)
    response = render(request, "moderation/thread.html", {
        "thread": thread, "board": thread.board, "posts": posts, "form": form,
        "can_reply": state.can_reply, "note": state.note,
    }, status=status)
    return _with_captcha_policy(response) if form is not None else response


def _own_post(request, pk):
    return get_object_or_404(Post.objects.select_related("thread"), pk=pk, author=request.user)


@login_required
@never_cache
@require_http_methods(["GET", "POST"])
def post_edit(request, pk):
    post = _own_post(request, pk)
    if not selectors.can_edit(post, request.user):
        messages.error(request, _("この投稿は編集できません（編集できる時間を過ぎました）。"))
        return redirect("board:thread", pk=post.thread_id)
    form = PostEditForm(request.POST or None, initial={"body": post.body})
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            post = services.edit_post(post, request.user, form.cleaned_data["body"], _address(request))
        except (services.ContributionError, ValidationError) as error:
            status = _apply_error(form, error)
        else:
            messages.success(request, _("投稿を編集しました。") if post.status == Status.SHOWN else HELD_MESSAGE)
            return redirect(f"{reverse('board:thread', args=[post.thread_id])}#post-{post.pk}")
    elif request.method == "POST":
        status = 400
    return render(request, "moderation/post_edit.html", {"post": post, "form": form}, status=status)


@login_required
@never_cache
@require_http_methods(["GET", "POST"])
def post_delete(request, pk):
    post = _own_post(request, pk)
    if request.method == "POST":
        try:
            services.delete_post(post, request.user)
        except services.ContributionError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, _("投稿を削除しました。"))
        return redirect("board:mine")
    return render(request, "moderation/post_delete.html", {"post": post})


@login_required
@never_cache
@require_http_methods(["GET", "POST"])
def post_flag(request, pk):
    post = get_object_or_404(selectors.visible_posts_for(), pk=pk)
    form = FlagForm(request.POST or None)
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            services.flag_post(post, request.user, form.cleaned_data["reason"], form.cleaned_data["comment"])
        except (services.ContributionError, ValidationError) as error:
            status = _apply_error(form, error)
        else:
            messages.success(request, _("通報を受け付けました。運営者が確認します。"))
            return redirect("board:thread", pk=post.thread_id)
    elif request.method == "POST":
        status = 400
    return render(request, "moderation/flag_form.html", {"post": post, "form": form}, status=status)


def post_image(request, pk):
    """
    A post's image: to everybody while the post is visible; otherwise only to its author and to
    moderators (who review it in the queue), never stored by a shared cache.
    """
    image = get_object_or_404(PostImage.objects.select_related("post"), pk=pk)
    audience = selectors.image_audience(image.post, request.user)
    if audience is None:
        raise Http404(_("画像が見つかりません。"))
    public = audience == "public"
    response = FileResponse(image.file.open("rb"), content_type=image.content_type)
    response["X-Content-Type-Options"] = "nosniff"
    # Short public caching: a hidden post's image stops being served within minutes everywhere.
    response["Cache-Control"] = "public, max-age=300" if public else "private, no-store"
    return response


# --- submissions ---------------------------------------------------------------------------------

def submission_index(request):
    return render(request, "moderation/submission_index.html", {"kinds": Submission.Kind.choices})


@never_cache
@require_http_methods(["GET", "POST"])
def submission_new(request, kind):
    if kind not in SUBMISSION_FORMS:
        raise Http404(_("この種類の投稿はありません。"))
    if not request.user.is_authenticated:
        return redirect(f"{reverse('members:login')}?next={request.path}")
    form = SUBMISSION_FORMS[kind](request.POST or None, initial={"target": request.GET.get("shop")})
    status = 200
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            submission = services.submit(
                request.user, kind, data["title"], data["body"], form.data_values(), district=data.get("district"),
                themes=data.get("themes") or [], target_page=data.get("target"),
                credit_nickname=data.get("credit_nickname", False), address=_address(request))
        except (services.ContributionError, ValidationError) as error:
            status = _apply_error(form, error)
        else:
            messages.success(request, _("情報をお寄せいただきありがとうございます。掲載しました。")
                             if submission.status == Status.SHOWN
                             else _("情報をお寄せいただきありがとうございます。運営者が確認してから掲載します。"))
            return redirect("board:mine")
    elif request.method == "POST":
        status = 400
    return _with_captcha_policy(render(request, "moderation/submission_form.html", {
        "form": form, "kind": kind, "kind_label": Submission.Kind(kind).label}, status=status))


@login_required
@never_cache
def my_contributions(request):
    """A member's own posts and submissions in every state, with the reasons (nothing is hidden from its author)."""
    return render(request, "moderation/mine.html", {
        "posts": Paginator(selectors.own_posts(request.user), POSTS_PER_PAGE).get_page(request.GET.get("page")),
        "submissions": selectors.own_submissions(request.user)[:100],
    })


def local_info_list(request):
    info = Paginator(selectors.visible_local_info(), THREADS_PER_PAGE).get_page(request.GET.get("page"))
    return render(request, "moderation/local_info.html", {"items": info})


def local_info_detail(request, pk):
    item = get_object_or_404(selectors.visible_local_info(), pk=pk)
    return render(request, "moderation/local_info_detail.html", {"item": item, "body_html": services.render_body(item.body)})

