"""
The moderation queue in the Wagtail admin (投稿の審査): everything held or flagged, oldest first,
filterable by kind, district and time in the queue; approve, refuse with a reason (e-mailed to
the author), hide, restore, edit with a note, one by one or in bulk; sanctions on members.

Views are thin: every decision goes through ``moderation.services``, which checks the
permission and writes the audit entry (the same trail as access to personal data).
"""

from django import forms
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import F
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils import timezone
from django.views.generic import TemplateView
from wagtail.admin import messages
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin

from members.models import User
from pages.models import DistrictPage

from . import selectors, services
from .forms import add_service_errors
from .models import Post, Sanction, Status, Submission
from .screening import active_sanction

PERMISSION = services.MODERATE_PERMISSION
AGE_CHOICES = [("", "すべて"), ("24", "24時間以上"), ("72", "3日以上"), ("168", "1週間以上")]
KIND_CHOICES = [("", "すべて"), ("post", "掲示板"), *Submission.Kind.choices]


def _require(request):
    if not request.user.has_perm(PERMISSION):
        raise PermissionDenied


def find_item(key):
    """``post:12`` or ``submission:3`` → the contribution (404 if missing)."""
    kind, _, pk = (key or "").partition(":")
    model = {"post": Post, "submission": Submission}.get(kind)
    if model is None or not pk.isdecimal():
        raise ValidationError("対象が正しくありません。")
    return get_object_or_404(model, pk=int(pk))


def item_key(item):
    return f"{'post' if isinstance(item, Post) else 'submission'}:{item.pk}"


class QueueFilterForm(forms.Form):
    kind = forms.ChoiceField(label="種類", choices=KIND_CHOICES, required=False)
    district = forms.ModelChoiceField(label="地域", queryset=DistrictPage.objects.none(), required=False,
                                      empty_label="すべて")
    age = forms.ChoiceField(label="確認待ちの時間", choices=AGE_CHOICES, required=False)
    state = forms.ChoiceField(label="表示", required=False,
                              choices=[("", "確認待ち・通報あり"), ("closed", "非表示・掲載不可")])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["district"].queryset = DistrictPage.objects.filter(locale__language_code="ja").order_by("path")


DECISIONS = {"approve": services.approve, "refuse": services.refuse, "hide": services.hide,
             "restore": services.restore}


def _row(item, now):
    queued = item.queued_at or item.created_at
    return {
        "key": item_key(item),
        "item": item,
        "kind": item.kind_label,
        "title": item.title,
        "excerpt": item.body[:300],
        "district": (item.thread.board.district if isinstance(item, Post) else item.district),
        "waited": now - queued,
        "queued_at": queued,
        "flags": getattr(item, "open_flags", []),
        "images": list(item.images.all()) if isinstance(item, Post) else [],
        "edit_url": reverse("moderation_admin_edit", args=[item_key(item)]),
        "author": item.author,
    }


class QueueView(WagtailAdminTemplateMixin, TemplateView):
    template_name = "moderation/admin/queue.html"
    page_title = "投稿の審査"
    header_icon = "warning"

    def dispatch(self, request, *args, **kwargs):
        _require(request)
        return super().dispatch(request, *args, **kwargs)

    def get_breadcrumbs_items(self):
        return [{"url": reverse("wagtailadmin_home"), "label": "ダッシュボード"}, {"url": "", "label": self.page_title}]

    def items(self, filters):
        data = filters.cleaned_data if filters.is_valid() else {}
        if data.get("state") == "closed":
            latest = (F("decided_at").desc(nulls_last=True), "-updated_at")  # NULLs sort first on PostgreSQL
            posts = list(Post.objects.filter(status__in=[Status.HIDDEN, Status.REFUSED])
                         .select_related("thread", "thread__board__district", "author")
                         .prefetch_related(selectors.open_flags(), "images").order_by(*latest)[:200])
            subs = list(Submission.objects.filter(status__in=[Status.HIDDEN, Status.REFUSED])
                        .select_related("district", "author", "target_page").order_by(*latest)[:200])
            return sorted(posts + subs, key=lambda i: i.decided_at or i.updated_at, reverse=True)
        return selectors.queue(kind=data.get("kind") or None, district=data.get("district"),
                               older_than_hours=int(data["age"]) if data.get("age") else None)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        filters = QueueFilterForm(self.request.GET or None)
        now = timezone.now()
        context["filters"] = filters
        context["rows"] = [_row(item, now) for item in self.items(filters)]
        context["closed"] = self.request.GET.get("state") == "closed"
        return context

    def post(self, request, *args, **kwargs):
        """A row's own button (``single`` = ``action|key``) or the bulk action on the checked rows."""
        back = request.get_full_path()
        single = request.POST.get("single", "")
        if single:
            action, _, key = single.partition("|")
            keys = [key]
        else:
            action, keys = request.POST.get("action", ""), request.POST.getlist("selected")
        reason = request.POST.get("reason", "").strip()[:1000]
        if action not in DECISIONS or not keys:
            messages.error(request, "操作と対象の投稿を選んでください。")
            return redirect(back)
        done, failed = 0, []
        for key in keys:
            try:
                DECISIONS[action](find_item(key), request.user, reason)
                done += 1
            except ValidationError as error:
                failed.append(f"{key}: {' '.join(error.messages)}")
            except services.ContributionError as error:
                failed.append(f"{key}: {error.message}")
        if done:
            messages.success(request, f"{done}件を処理しました。")
        for failure in failed:
            messages.error(request, failure)
        return redirect(back)


class EditForm(forms.Form):
    title = forms.CharField(label="題名", max_length=120, required=False)
    body = forms.CharField(label="本文", widget=forms.Textarea(attrs={"rows": 12}), max_length=services.MAX_BODY)
    note = forms.CharField(label="編集の理由（監査ログに残ります）", max_length=500)


class EditView(WagtailAdminTemplateMixin, TemplateView):
    template_name = "moderation/admin/edit.html"
    page_title = "投稿の編集"
    header_icon = "edit"

    def dispatch(self, request, key, *args, **kwargs):
        _require(request)
        self.item = find_item(key)
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["item"] = self.item
        context["form"] = kwargs.get("form") or EditForm(initial={"title": self.item.title, "body": self.item.body})
        return context

    def post(self, request, *args, **kwargs):
        form = EditForm(request.POST)
        if form.is_valid():
            try:
                services.moderator_edit(self.item, request.user, form.cleaned_data["body"], form.cleaned_data["note"],
                                        title=form.cleaned_data["title"] or None)
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, "投稿を編集しました（監査ログに記録しました）。")
                return redirect("moderation_admin_queue")
        return self.render_to_response(self.get_context_data(form=form))


class SanctionForm(forms.Form):
    kind = forms.ChoiceField(label="処分", choices=Sanction.Kind.choices, widget=forms.RadioSelect)
    days = forms.IntegerField(label="停止する日数（一時停止のとき）", min_value=1, max_value=365, required=False)
    reason = forms.CharField(label="理由（会員にメールで伝わります）", widget=forms.Textarea(attrs={"rows": 4}),
                             max_length=1000)


class SanctionView(WagtailAdminTemplateMixin, TemplateView):
    template_name = "moderation/admin/sanction.html"
    page_title = "会員への処分"
    header_icon = "warning"

    def dispatch(self, request, member_id, *args, **kwargs):
        _require(request)
        self.member = get_object_or_404(User, pk=member_id, is_staff=False)
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["member"] = self.member
        context["form"] = kwargs.get("form") or SanctionForm()
        context["history"] = Sanction.objects.filter(member=self.member).select_related("created_by")
        context["active"] = active_sanction(self.member)
        return context

    def post(self, request, *args, **kwargs):
        form = SanctionForm(request.POST)
        if form.is_valid():
            try:
                services.sanction(self.member, request.user, form.cleaned_data["kind"], form.cleaned_data["reason"],
                                  form.cleaned_data["days"])
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, "処分を記録し、会員にメールで知らせました。")
                return redirect("moderation_admin_queue")
        return self.render_to_response(self.get_context_data(form=form))

